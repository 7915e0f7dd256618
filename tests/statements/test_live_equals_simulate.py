"""Live equals simulate: every scenario imported into an empty database and run as of its day
gives the awards simulate gives; and the facts a statement keeps simulate to the same lines."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from incentives.engine import evaluate
from incentives.models import Statement, StatementLine
from incentives.money import round_to_fen
from incentives.scenario import load_scenario
from incentives.statements.facts_store import facts_json
from incentives.statements.queries import run_facts
from incentives.statements.run import run_statements
from registry.audit import Actor
from registry.db import create_engine, session_factory
from registry.models import Unit
from tests.statements.helpers import SCENARIOS, import_file

Key = tuple[str, str, str]
FILES = sorted(SCENARIOS.glob("*.yaml"))


def _awards(path: Path) -> Counter[Key]:
    loaded = load_scenario(path)
    outcome = evaluate(loaded.facts, loaded.policy)
    return Counter({(a.clause, a.unit, a.subject): round_to_fen(a.amount) for a in outcome.awards})


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
async def test_a_statement_run_on_the_imported_scenario_equals_simulate(
    path: Path, database_url: str, tmp_path: Path
) -> None:
    loaded = load_scenario(path)
    await import_file(database_url, path)
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            await run_statements(
                session,
                loaded.policy,
                loaded.scenario.as_of,
                Actor.cli("test"),
                overrides=loaded.scenario.policy_overrides,
            )
        async with session_factory(engine)() as session:
            rows = await session.execute(
                select(Statement.clause, Unit.code, StatementLine.subject, StatementLine.amount_fen)
                .join(Statement, Statement.id == StatementLine.statement_id)
                .join(Unit, Unit.id == StatementLine.unit_id)
            )
            lines: Counter[Key] = Counter()
            for clause, unit, subject, fen in rows.tuples():
                lines[(clause, unit, subject)] += fen
            statement = await session.scalar(select(Statement).limit(1))
            blob = None if statement is None else await run_facts(session, statement)
    finally:
        await engine.dispose()
    assert +lines == _awards(path)
    if blob is not None:
        # The facts the statement keeps are a scenario that simulate reproduces exactly.
        exported = tmp_path / "facts.json"
        exported.write_text(facts_json(blob), encoding="utf-8")
        assert _awards(exported) == +lines
