"""`infra-incentives simulate` and `infra-incentives policy`: argument parsing and exit codes."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from incentives.evidence import load_live_facts
from incentives.parameters import PolicyError
from incentives.policy import DEFAULT_POLICY, Policy, load_policy
from incentives.scenario import LoadedScenario, ScenarioError, load_scenario
from incentives.scenario_export import scenario_document, scenario_yaml
from incentives.scenario_import import import_scenario
from incentives.simulate import as_json, as_text, differences, run
from registry.audit import Actor
from registry.db import create_engine, session_factory
from registry.importer import iter_errors
from registry.money import fen_text
from service.kit.problems import Problem

EXIT_OK, EXIT_DIFFERS, EXIT_INVALID = 0, 1, 2
TIMEZONE = ZoneInfo("Asia/Shanghai")


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that reports usage errors with exit status 2 without exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: {message}")


class _UsageError(Exception):
    pass


def simulate_main(argv: list[str]) -> int:
    """`simulate FILE... [--json] [--check]`: 0 ok, 1 a check differs, 2 an invalid file."""
    parser = _Parser(prog="infra-incentives simulate", description="Simulate scenario files.")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--json", action="store_true", help="one JSON document per file")
    parser.add_argument("--check", action="store_true", help="compare each result with expect")
    parser.add_argument("--lang", choices=("zh", "en", "both"), default="both")
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    loaded: list[LoadedScenario] = []
    invalid = False
    # Validate every file before computing any: nothing is printed as if it were a result.
    for name in args.files:
        try:
            loaded.append(load_scenario(Path(name)))
        except ScenarioError as exc:
            invalid = True
            for line in exc.lines():
                print(line, file=sys.stderr)
    if invalid:
        return EXIT_INVALID
    results = [(item, run(item)) for item in loaded]
    if args.check:
        status = EXIT_OK
        for item, outcome in results:
            diffs = differences(item, outcome)
            if diffs:
                status = EXIT_DIFFERS
            if args.json:
                print(
                    json.dumps(
                        {"file": item.file, "ok": not diffs, "differences": diffs},
                        ensure_ascii=False,
                    )
                )
            else:
                print(f"{item.file}: {'ok' if not diffs else 'DIFFERS: ' + '; '.join(diffs)}")
        return status
    for item, outcome in results:
        print(as_json(item, outcome) if args.json else as_text(item, outcome, args.lang))
    return EXIT_OK


def policy_main(argv: list[str]) -> int:
    """`policy show [NAME|FILE] [--lang zh|en]`: the parameters with their references."""
    parser = _Parser(prog="infra-incentives policy", description="Show the policy.")
    sub = parser.add_subparsers(dest="command", required=True)
    show = sub.add_parser("show", help="print every parameter with its clause reference")
    show.add_argument("policy", nargs="?", default=DEFAULT_POLICY)
    show.add_argument("--lang", choices=("zh", "en"), default="zh")
    try:
        args = parser.parse_args(argv)
        policy = load_policy(args.policy)
    except _UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    print(show_policy(policy, args.lang))
    return EXIT_OK


def show_policy(policy: Policy, lang: str = "zh") -> str:
    """Every parameter, its value, its clause reference and the phrase it implements."""
    zh = lang == "zh"
    lines = [f"{policy.name}  {policy.title_zh if zh else policy.title_en}", ""]
    general = ("valid_from", "valid_until", "overlap")
    for path in general:
        p = policy.parameters[path]
        lines.append(f"{path} = {p.values.show()}    [{p.reference}] 「{p.quote}」")
    for clause in policy.clauses.values():
        lines += [
            "",
            f"clauses.{clause.name}  {clause.reference}  "
            f"{clause.title_zh if zh else clause.title_en}",
            f"  「{clause.text}」",
        ]
        for path, p in policy.parameters.items():
            if path.startswith(f"clauses.{clause.name}."):
                name = path.removeprefix(f"clauses.{clause.name}.")
                lines.append(f"  {name} = {p.values.show()}    [{p.reference}] 「{p.quote}」")
    return "\n".join(lines)


def _today() -> dt.date:
    return dt.datetime.now(TIMEZONE).date()


def _run(database_url: str, work: Callable[[AsyncSession], Awaitable[int]]) -> int:
    async def main() -> int:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def export_scenario_main(database_url: str, as_of: dt.date | None, output: str | None) -> int:
    """`export scenario [--as-of DAY] [-o FILE]`: the live facts as a scenario file."""
    day = as_of or _today()

    async def work(session: AsyncSession) -> int:
        live = await load_live_facts(session, day, dt.datetime.now(dt.UTC))
        text = scenario_yaml(scenario_document(live, DEFAULT_POLICY))
        if output is None or output == "-":
            sys.stdout.write(text)
        else:
            await asyncio.to_thread(Path(output).write_text, text, encoding="utf-8")
            print(
                f"已导出情景 {output}：截至 {day}，单位 {len(live.units)} 个，"
                f"发票 {len(live.facts.invoices)} 张 / exported the scenario as of {day}",
                file=sys.stderr,
            )
        return EXIT_OK

    return _run(database_url, work)


def import_scenario_main(database_url: str, path: Path) -> int:
    """`import scenario FILE`: registry, invoices, confirmations and other support; all or none."""
    try:
        loaded = load_scenario(path)
    except ScenarioError as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        return EXIT_INVALID
    actor = Actor.cli(f"import scenario {path.name}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    async def work(session: AsyncSession) -> int:
        report = await import_scenario(session, path, loaded, actor, digest)
        registry = "，".join(f"{k} {n}" for k, n in report.registry.items()) or "无"
        print(
            f"已导入情景 {path}：登记 {registry}；发票 {report.invoices} 张"
            f"（{report.uploads} 次上传，同一购买方重复申报未存 {report.skipped_repeats} 张）；"
            f"销售报告 {report.sales_reports} 份；其他政策支持 {report.other_support} 条"
        )
        print(
            f"imported {path}: {report.invoices} invoices in {report.uploads} uploads, "
            f"{report.sales_reports} sales reports, {report.other_support} other support"
        )
        if loaded.scenario.policy_overrides:
            # Facts are imported; a policy is not: the service runs the policies it loaded.
            names = ", ".join(sorted(loaded.scenario.policy_overrides))
            print(
                f"注意：情景中的 policy_overrides（{names}）未导入，结算单按已加载的政策计算"
                f"（INCENTIVES_POLICY_FILES）。\n"
                f"note: the scenario's policy_overrides ({names}) were not imported; statements "
                f"use the loaded policies (INCENTIVES_POLICY_FILES)",
                file=sys.stderr,
            )
        return EXIT_OK

    try:
        return _run(database_url, work)
    except Problem as problem:
        print(f"{path}: {problem.detail}", file=sys.stderr)
        for line in iter_errors(problem):
            print(f"  {line}", file=sys.stderr)
        return EXIT_INVALID


def statements_run_main(
    database_url: str,
    policy_paths: tuple[Path, ...],
    clause: str | None,
    period: str | None,
    as_of: dt.date | None,
) -> int:
    """`statements run [--clause C] [--period P] [--as-of DAY]`: settle and print what changed."""
    from incentives.install import load_policies
    from incentives.statements.run import RunError, run_statements

    day = as_of or _today()
    actor = Actor.cli("statements run")

    async def work(session: AsyncSession) -> int:
        policies = load_policies(_Paths(policy_paths))
        print(f"结算单计算：截至 {day} / statement run as of {day}")
        for policy in policies.values():
            results = await run_statements(
                session, policy, day, actor, clause, period, dt.datetime.now(dt.UTC)
            )
            for r in results:
                label = ACTIONS.get(r.action, r.action)
                ident = f"#{r.statement_id} 第{r.number}号 {r.status}" if r.statement_id else "-"
                print(
                    f"  {policy.name} {r.clause} {r.period}: {label}  {ident}  "
                    f"明细 {r.lines} 行，合计 {fen_text(r.total_fen)} 元"
                )
        return EXIT_OK

    try:
        return _run(database_url, work)
    except RunError as exc:
        print(f"--{exc.field}: {exc}", file=sys.stderr)
        return EXIT_INVALID


ACTIONS = {
    "created": "新建 created",
    "refreshed": "已刷新 refreshed",
    "under_review": "审核中，未改动 under review, left alone",
    "unchanged": "另一次计算已建立 opened by a concurrent run",
    "nothing_to_settle": "无差额 nothing to settle",
}


class _Paths:
    """The policy files of the settings, for load_policies."""

    def __init__(self, paths: tuple[Path, ...]) -> None:
        self.policy_paths = paths
        self.timezone = "Asia/Shanghai"
        self.notice_days = 0
        self.voucher_grace_days = 0


def statements_list_main(
    database_url: str, clause: str | None, period: str | None, status: str | None
) -> int:
    """`statements list`: one line per statement."""
    from incentives.statements.queries import list_statements

    async def work(session: AsyncSession) -> int:
        rows, total = await list_statements(session, clause, period, status, 1000, 0)
        print(f"结算单 {total} 份 / {total} statements")
        for s in rows:
            print(
                f"  #{s.id}  {s.clause:<24} {s.period:<23} 第{s.number}号  {s.status:<9} "
                f"截至 {s.as_of}  合计 {fen_text(s.total_fen)} 元"
            )
        return EXIT_OK

    return _run(database_url, work)


def statements_show_main(database_url: str, statement_id: int) -> int:
    """`statements show ID`: the statement and every line with its explanation."""
    from incentives.statements.queries import statement_lines

    async def work(session: AsyncSession) -> int:
        found = await statement_lines(session, statement_id, None, with_evidence=False)
        if found is None:
            print(f"没有结算单 #{statement_id} / no statement {statement_id}", file=sys.stderr)
            return EXIT_INVALID
        s, lines = found
        print(
            f"结算单 #{s.id}  {s.policy}  {s.clause}  {s.period}  第{s.number}号  "
            f"状态 {s.status}  截至 {s.as_of}  合计 {fen_text(s.total_fen)} 元"
        )
        for line in lines:
            corrects = f"（更正第 {line.corrects_id} 行）" if line.corrects_id else ""
            print(
                f"  行 {line.id}  {line.unit}  {line.subject}  {line.kind}{corrects}  "
                f"{fen_text(line.amount_fen)} 元"
            )
            for step in line.explanation:
                print(f"      {step}")
        return EXIT_OK

    return _run(database_url, work)
