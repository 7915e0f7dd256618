"""Who sees which statement lines; import, export and show on the command line."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from incentives.commands import import_scenario_main
from incentives.engine import evaluate
from incentives.scenario import load_scenario
from tests.conftest import bearer, make_token
from tests.statements.helpers import SCENARIOS, import_file, set_status


async def test_a_unit_sees_only_its_own_lines_of_published_statements(
    client: Any, database_url: str
) -> None:
    await import_file(database_url, SCENARIOS / "voucher-basic.yaml")
    official = await make_token(database_url, "GOV", "official")
    b1 = await make_token(database_url, "B1", "buyer")
    resp = await client.post(
        "/api/v1/statements/runs", json={"as_of": "2026-03-31"}, headers=bearer(official)
    )
    [item] = [i for i in (await resp.json())["items"] if i["statement"]]
    url = f"/api/v1/statements/{item['statement']}"
    assert (await client.get(url, headers=bearer(b1))).status == 404  # a draft is not public
    assert (await (await client.get("/api/v1/statements", headers=bearer(b1))).json())["total"] == 0
    await set_status(database_url, item["statement"], "published")
    body = await (await client.get(url, headers=bearer(b1))).json()
    assert {line["unit"] for line in body["lines"]} == {"B1"}
    everyone = await (await client.get(url, headers=bearer(official))).json()
    assert {line["unit"] for line in everyone["lines"]} == {"B1", "B3"}
    assert (await client.get(f"{url}/facts", headers=bearer(b1))).status == 403
    other = next(x for x in everyone["lines"] if x["unit"] == "B3")
    resp = await client.get(f"{url}/lines/{other['id']}/evidence", headers=bearer(b1))
    assert resp.status == 404


async def _cli(database_url: str, *args: str) -> tuple[int, str]:
    env = {**os.environ, "INCENTIVES_DATABASE_URL": database_url}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.cli", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode()


async def test_import_export_and_show_on_the_command_line(
    database_url: str, tmp_path: Path
) -> None:
    source = SCENARIOS / "voucher-invoice-exclusions.yaml"
    code, out = await _cli(database_url, "import", "scenario", str(source))
    assert code == 0 and "已导入情景" in out, out
    exported = tmp_path / "live.yaml"
    code, out = await _cli(
        database_url, "export", "scenario", "--as-of", "2026-03-31", "-o", str(exported)
    )
    assert code == 0, out
    want = load_scenario(source)
    got = load_scenario(exported)

    def awards(item: Any) -> set[tuple[str, str, str, Any]]:
        outcome = evaluate(item.facts, item.policy)
        return {(a.clause, a.unit, a.subject, a.amount) for a in outcome.awards}

    assert awards(got) == awards(want) and awards(want)
    code, out = await _cli(database_url, "statements", "run", "--as-of", "2026-03-31")
    assert code == 0 and "新建 created" in out, out
    code, out = await _cli(database_url, "statements", "show", "1")
    assert code == 0 and "结算单 #1" in out and "120000.00 元" in out, out
    code, out = await _cli(database_url, "statements", "run", "--period", "2031")
    assert code == 2 and "--period" in out, out


def test_import_scenario_says_its_policy_overrides_are_not_imported(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = import_scenario_main(database_url, SCENARIOS / "policy-overrides-dated.yaml")
    err = capsys.readouterr().err
    assert code == 0, err
    assert "policy_overrides" in err and "未导入" in err and "were not imported" in err
