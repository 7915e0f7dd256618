"""A statement run: recompute every entitlement from the live facts, and settle what differs.

One evaluate(facts, policy) per run. Per (clause, period), each subject's entitlement minus
what final (and disbursed) statements of the same clause and period granted it becomes a line:
an award for a subject not granted before, else an adjustment that corrects the subject's
latest line (negative to recover, 追回). The open statement of a (clause, period) is refreshed
while it is a draft and left alone under review; once the last one is final, number n+1 opens
only if something differs. The database allows one open statement per (clause, period), so
two replicas running at once produce one statement.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from collectors.invoices.bulk import insert_rows
from incentives.engine import evaluate
from incentives.evidence import LiveFacts, load_live_facts
from incentives.models import Statement, StatementLine, StatementRun
from incentives.money import round_to_fen
from incentives.outcome import Award, Outcome, Rejection
from incentives.policy import Policy
from incentives.statements.evidence_lines import EvidenceWriter
from incentives.statements.facts_store import compress_facts, scenario_json_chunks
from incentives.statements.periods import open_periods, period_of
from registry.audit import Actor, record
from registry.money import fen_text

FINAL = ("final", "disbursed")
UNDER_REVIEW = ("submitted", "approved", "published")


class RunError(ValueError):
    """A run asked for a clause or period that cannot be settled; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class RunResult:
    """What a run did to one (clause, period)."""

    clause: str
    period: str
    action: str  # created | refreshed | under_review | unchanged | nothing_to_settle
    statement_id: int | None = None
    number: int | None = None
    status: str | None = None
    lines: int = 0
    total_fen: int = 0


@dataclass(slots=True)
class _Line:
    unit_id: int
    subject: str
    kind: str
    corrects_id: int | None
    amount_fen: int
    entitlement_fen: int
    explanation: list[str]
    explanation_en: list[str]
    evidence: dict[str, Any] = field(default_factory=dict)


def open_key(policy: str, clause: str, period: str) -> str:
    """The unique key of the one open statement of a clause and period."""
    return f"{policy}|{clause}|{period}"


def selected_periods(
    policy: Policy, as_of: dt.date, clause: str | None, period: str | None
) -> list[tuple[str, str]]:
    """The (clause, period) pairs a run settles, or RunError naming the bad field."""
    pairs = open_periods(policy, as_of)
    if clause is not None:
        if clause not in {c for c, _ in open_periods(policy, policy.valid_from)}:
            raise RunError("clause", f"unknown clause {clause!r}")
        pairs = [(c, p) for c, p in pairs if c == clause]
    if period is not None:
        chosen = [(c, p) for c, p in pairs if p == period]
        if not chosen:
            known = ", ".join(sorted({p for _, p in pairs})) or "none yet"
            raise RunError("period", f"{period!r} is not an open period as of {as_of}: {known}")
        pairs = chosen
    return pairs


async def run_statements(
    session: AsyncSession,
    policy: Policy,
    as_of: dt.date,
    actor: Actor,
    clause: str | None = None,
    period: str | None = None,
    now: dt.datetime | None = None,
    overrides: Mapping[str, Any] | None = None,
    timings: dict[str, float] | None = None,
) -> list[RunResult]:
    """Run the rules once as of a day and settle every selected (clause, period).

    `timings`, when given, receives the seconds of each phase (facts, rules, keep, lines).
    """
    pairs = selected_periods(policy, as_of, clause, period)
    if not pairs:
        return []
    clock = _Clock(timings)
    # The run's row first: in SQLite the first write takes the database lock, so two runs
    # queue instead of both reading and then failing to write.
    run_id = await _begin_run(session, policy, as_of, actor)
    live = await load_live_facts(session, as_of, now)
    clock.lap("facts")
    outcome = evaluate(live.facts, policy)
    clock.lap("rules")
    blob = await asyncio.to_thread(
        compress_facts, scenario_json_chunks(live, policy.name, overrides)
    )
    await session.execute(
        update(StatementRun)
        .where(StatementRun.id == run_id)
        .values(facts_gz=blob, invoice_count=len(live.facts.invoices))
    )
    clock.lap("keep")
    entitled = _entitlements(outcome, policy)
    writer = EvidenceWriter(live, outcome)
    results = []
    for c, p in pairs:
        results.append(
            await _settle(session, policy, c, p, entitled.get((c, p), {}), live, writer, run_id,
                          as_of, actor, overrides)
        )  # fmt: skip
    clock.lap("lines")
    return results


class _Clock:
    """Seconds per phase of a run, when asked for."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[name] = now - self.last
        self.last = now


async def _begin_run(session: AsyncSession, policy: Policy, as_of: dt.date, actor: Actor) -> int:
    result = await session.execute(
        insert(StatementRun)
        .values(
            policy=policy.name,
            as_of=as_of,
            created_by=actor.key_id or actor.role,
            invoice_count=0,
            facts_gz=b"",
        )
        .returning(StatementRun.id)
    )
    return int(result.scalar_one())


Verdict = Award | Rejection
Entitled = dict[tuple[str, str], dict[tuple[str, str], tuple[int, Verdict]]]


def _entitlements(outcome: Outcome, policy: Policy) -> Entitled:
    """(clause, period) -> (unit code, subject) -> (fen, verdict); a rejection is 0."""
    out: Entitled = {}
    for v in outcome.verdicts:
        fen = round_to_fen(v.amount) if isinstance(v, Award) else 0
        key = (v.clause, period_of(v.clause, v.subject, policy))
        out.setdefault(key, {})[(v.unit, v.subject)] = (fen, v)
    return out


async def _granted(
    session: AsyncSession, policy: str, clause: str, period: str
) -> dict[tuple[int, str], tuple[int, int]]:
    """(unit id, subject) -> (fen granted by final statements, latest line id)."""
    rows = await session.execute(
        select(
            StatementLine.unit_id,
            StatementLine.subject,
            func.sum(StatementLine.amount_fen),
            func.max(StatementLine.id),
        )
        .join(Statement, Statement.id == StatementLine.statement_id)
        .where(
            Statement.policy == policy,
            Statement.clause == clause,
            Statement.period == period,
            Statement.status.in_(FINAL),
        )
        .group_by(StatementLine.unit_id, StatementLine.subject)
    )
    return {(u, s): (int(total), int(last)) for u, s, total, last in rows.tuples()}


def _settlement_step(
    entitled: int, granted: int, diff: int, corrects: int | None
) -> tuple[str, str]:
    if corrects is None:
        return (
            f"结算：应得 {fen_text(entitled)} 元，此前未发放，本行奖励 {fen_text(diff)} 元。",
            f"Settlement: entitled to CNY {fen_text(entitled)}, nothing granted before; "
            f"this line awards CNY {fen_text(diff)}.",
        )
    verb_zh = "追回" if diff < 0 else "补发"
    verb_en = "recovers" if diff < 0 else "adds"
    return (
        f"结算：应得 {fen_text(entitled)} 元，已定稿结算单已发放 {fen_text(granted)} 元，"
        f"本行{verb_zh} {fen_text(abs(diff))} 元，更正第 {corrects} 号明细行。",
        f"Settlement: entitled to CNY {fen_text(entitled)}, final statements granted CNY "
        f"{fen_text(granted)}; this line {verb_en} CNY {fen_text(abs(diff))}, correcting "
        f"line {corrects}.",
    )


def _lines(
    policy: Policy,
    clause: str,
    entitled: Mapping[tuple[str, str], tuple[int, Verdict]],
    granted: Mapping[tuple[int, str], tuple[int, int]],
    live: LiveFacts,
    writer: EvidenceWriter,
) -> list[_Line]:
    ids = live.unit_ids
    by_key: dict[tuple[int, str], tuple[int, Verdict | None]] = {
        (ids[unit], subject): value for (unit, subject), value in entitled.items()
    }
    for key in granted:
        by_key.setdefault(key, (0, None))
    codes = {uid: code for code, uid in ids.items()}
    lines: list[_Line] = []
    for (unit_id, subject), (fen, verdict) in sorted(
        by_key.items(), key=lambda kv: (codes.get(kv[0][0], ""), kv[0][1])
    ):
        before, last = granted.get((unit_id, subject), (0, None))
        diff = fen - before
        if diff == 0:
            continue
        if verdict is not None:
            steps = verdict.explanation
            zh, en = [s.zh for s in steps], [s.en for s in steps]
        else:
            zh = [f"{subject} 已不在截至本次计算日的已核实事实中，应得为 0。"]
            en = [f"{subject} is no longer among the verified facts as of this run: entitled to 0."]
        step = _settlement_step(fen, before, diff, last)
        lines.append(
            _Line(
                unit_id,
                subject,
                "award" if last is None else "adjustment",
                last,
                diff,
                fen,
                [*zh, step[0]],
                [*en, step[1]],
                writer.evidence(clause, codes.get(unit_id, ""), subject, policy),
            )
        )
    return lines


async def _settle(
    session: AsyncSession,
    policy: Policy,
    clause: str,
    period: str,
    entitled: Mapping[tuple[str, str], tuple[int, Verdict]],
    live: LiveFacts,
    writer: EvidenceWriter,
    run_id: int,
    as_of: dt.date,
    actor: Actor,
    overrides: Mapping[str, Any] | None,
) -> RunResult:
    key = open_key(policy.name, clause, period)
    granted = await _granted(session, policy.name, clause, period)
    lines = _lines(policy, clause, entitled, granted, live, writer)
    total = sum(line.amount_fen for line in lines)
    scenario = {"run": run_id, "policy_overrides": _plain(overrides or {})}
    current = await _open(session, key)
    if current is None:
        if not lines:
            return RunResult(clause, period, "nothing_to_settle")
        number = (
            int(
                await session.scalar(
                    select(func.coalesce(func.max(Statement.number), 0)).where(
                        Statement.policy == policy.name,
                        Statement.clause == clause,
                        Statement.period == period,
                    )
                )
                or 0
            )
            + 1
        )
        statement = Statement(
            policy=policy.name, clause=clause, period=period, number=number, status="draft",
            open_key=key, as_of=as_of, total_fen=total, scenario=scenario, run_id=run_id,
        )  # fmt: skip
        try:
            async with session.begin_nested():
                session.add(statement)
                await session.flush()
        except IntegrityError:
            # Another replica opened it at the same moment: that one is the statement.
            current = await _open(session, key)
            if current is None:  # pragma: no cover - its transaction rolled back meanwhile
                raise
            return _result(current, "unchanged", await _line_count(session, current.id))
        await _write_lines(session, statement.id, lines)
        await record(session, actor, "create", "statement", str(statement.id), None,
                     _audit(statement, len(lines)))  # fmt: skip
        return _result(statement, "created", len(lines))
    if current.status in UNDER_REVIEW:
        return _result(current, "under_review", await _line_count(session, current.id))
    before = _audit(current, await _line_count(session, current.id))
    await session.execute(delete(StatementLine).where(StatementLine.statement_id == current.id))
    current.as_of, current.total_fen, current.run_id = as_of, total, run_id
    current.scenario = scenario
    await session.flush()
    await _write_lines(session, current.id, lines)
    await record(session, actor, "refresh", "statement", str(current.id), before,
                 _audit(current, len(lines)))  # fmt: skip
    return _result(current, "refreshed", len(lines))


def _plain(value: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): v if isinstance(v, bool | int | str) or v is None else str(v)
            for k, v in value.items()}  # fmt: skip


async def _open(session: AsyncSession, key: str) -> Statement | None:
    result: Statement | None = await session.scalar(
        select(Statement).where(Statement.open_key == key).with_for_update()
    )
    return result


async def _line_count(session: AsyncSession, statement_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(StatementLine)
        .where(StatementLine.statement_id == statement_id)
    )
    return int(count or 0)


LINE_COLUMNS = (
    ("statement_id", "integer"), ("position", "integer"), ("unit_id", "integer"),
    ("subject", "varchar"), ("kind", "varchar"), ("corrects_id", "bigint"),
    ("amount_fen", "bigint"), ("entitlement_fen", "bigint"), ("explanation", "json"),
    ("explanation_en", "json"), ("evidence", "json"),
)  # fmt: skip


async def _write_lines(session: AsyncSession, statement_id: int, lines: Sequence[_Line]) -> None:
    """Insert the lines through the driver's bulk path; JSON columns as JSON text."""
    rows = [
        (
            statement_id, i, line.unit_id, line.subject, line.kind, line.corrects_id,
            line.amount_fen, line.entitlement_fen,
            json.dumps(line.explanation, ensure_ascii=False),
            json.dumps(line.explanation_en, ensure_ascii=False),
            json.dumps(line.evidence, ensure_ascii=False),
        )
        for i, line in enumerate(lines, start=1)
    ]  # fmt: skip
    for start in range(0, len(rows), 5000):
        await insert_rows(session, "statement_lines", LINE_COLUMNS, rows[start : start + 5000])


def _audit(statement: Statement, lines: int) -> dict[str, Any]:
    return {
        "clause": statement.clause,
        "period": statement.period,
        "number": statement.number,
        "status": statement.status,
        "as_of": statement.as_of.isoformat(),
        "total": fen_text(statement.total_fen),
        "lines": lines,
        "run": statement.run_id,
    }


def _result(statement: Statement, action: str, lines: int) -> RunResult:
    return RunResult(
        statement.clause,
        statement.period,
        action,
        statement.id,
        statement.number,
        statement.status,
        lines,
        statement.total_fen,
    )
