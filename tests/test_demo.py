"""`infra-incentives demo`: a believable registry, one token per role, reused on a second run."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from service.app import create_app
from service.demo_tokens import tokens_file
from service.settings import Settings
from tests.conftest import bearer

ROLES = ("admin", "official", "center", "node", "operator", "buyer", "provider")


def demo(database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the demo without serving."""
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "demo", "--no-serve", "--database-url", database_url],
        capture_output=True, text=True, timeout=300, cwd=cwd,
    )  # fmt: skip


def tokens_of(output: str) -> dict[str, str]:
    """The role → token lines the demo prints."""
    found = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] in ROLES and parts[2].startswith("ii_"):
            found[parts[0]] = parts[2]
    return found


async def test_demo_loads_once_and_prints_a_working_token_per_role(
    empty_database_url: str, tmp_path: Path
) -> None:
    first = demo(empty_database_url, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "loaded the demo registry" in first.stdout
    assert "loaded a year of life" in first.stdout
    tokens = tokens_of(first.stdout)
    assert set(tokens) == set(ROLES)
    kept = tokens_file(empty_database_url)  # next to SQLite's file, or under the cwd's var/
    kept = kept if kept.is_absolute() else tmp_path / kept
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    second = demo(empty_database_url, tmp_path)
    assert second.returncode == 0, second.stderr
    assert "reusing the demo registry" in second.stdout
    assert "reusing the demo's year of life" in second.stdout
    assert tokens_of(second.stdout) == tokens  # the same keys, printed again
    app = create_app(Settings(database_url=empty_database_url, scheduler=False))
    async with TestClient(TestServer(app)) as client:
        await check_registry(client, tokens)
        counts = await check_life(client, tokens)
        keys = await (await client.get("/api/v1/keys", headers=bearer(tokens["admin"]))).json()
        assert keys["total"] == len(ROLES)  # no seven more on the second run
        revoked = tokens["buyer"].split("_")[1]
        r = await client.post(f"/api/v1/keys/{revoked}/revoke", headers=bearer(tokens["admin"]))
        assert r.status == 200, await r.text()
    third = demo(empty_database_url, tmp_path)
    assert third.returncode == 0, third.stderr
    again = tokens_of(third.stdout)
    assert again["buyer"] != tokens["buyer"]  # a revoked key is replaced
    assert {r: t for r, t in again.items() if r != "buyer"} == {
        r: t for r, t in tokens.items() if r != "buyer"
    }
    app = create_app(Settings(database_url=empty_database_url, scheduler=False))
    async with TestClient(TestServer(app)) as client:
        assert await check_life(client, again) == counts  # nothing loaded twice


async def _json(client: Any, path: str, token: str) -> Any:
    resp = await client.get(path, headers=bearer(token))
    assert resp.status == 200, f"{path}: {await resp.text()}"
    return await resp.json()


async def check_life(client: Any, tokens: dict[str, str]) -> dict[str, int]:
    """The year of life is there: statements in three states, mismatches, a flagged centre."""
    official = tokens["official"]
    statements = await _json(client, "/api/v1/statements?limit=100", official)
    by_status = {(s["clause"], s["status"]) for s in statements["items"]}
    assert ("compute_voucher", "disbursed") in by_status
    assert ("compute_voucher", "draft") in by_status  # the 2026 forecast
    assert any(status == "published" for _, status in by_status)
    # 2025 vouchers: UNI-HRB 30% of 306,000; INST-AGRI below the threshold; ENT-DQ 30% of
    # 1,100,000 (the March invoice is unconfirmed); ENT-QQHR capped at 4,000,000.
    paid = next(s for s in statements["items"] if s["status"] == "disbursed")
    assert (paid["period"], paid["total"]) == ("2025", "4421800.00")
    mismatches = await _json(client, "/api/v1/reconciliation?limit=100", official)
    # A report whose amount differs, and one the buyer never uploaded; an invoice no
    # provider reported is not a mismatch of reports but an unconfirmed invoice.
    kinds = {m["kind"] for m in mismatches["mismatches"]}
    assert {"amount_differs", "invoice_unknown_to_buyer"} <= kinds, mismatches
    assert mismatches["confirmed"] < mismatches["reports"]
    flagged = await _json(client, "/api/v1/attestations?flagged=true", official)
    assert [a["center"] for a in flagged["items"]] == ["HRB-AI-01"], flagged
    objections = await _json(client, "/api/v1/objections", official)
    assert objections["total"] == 1
    invoices = await _json(client, "/api/v1/invoices?limit=1", official)
    # INST-AGRI's June 2025 invoice: no provider reported it. ENT-DQ's March one differs.
    for buyer, status, number in (
        ("INST-AGRI", "not_confirmed_by_provider", "25230206000000000000"),
        ("ENT-DQ", "not_confirmed_by_provider", "25230303000000000000"),
    ):
        query = f"/api/v1/invoices?buyer={buyer}&year=2025&status={status}"
        found = await _json(client, query, official)
        assert [i["number"] for i in found["items"]] == [number], found
    telemetry = await _json(
        client, "/api/v1/telemetry?facility=DQ-SC-01&metric=power_kw&rollup=daily", official
    )
    assert len(telemetry["items"]) >= 90
    metrics = await (await client.get("/metrics")).text()
    assert 'incentives_center_capacity_pflops{center="HRB-AI-01"' in metrics
    assert 'source="attested"' in metrics
    return {
        "statements": statements["total"],
        "invoices": invoices["total"],
        "mismatches": mismatches["total"],
        "reports": mismatches["reports"],
    }


async def check_registry(client: Any, tokens: dict[str, str]) -> None:
    """The demo registry is what the README promises, and each role sees its share."""
    h = bearer(tokens["official"])
    centres = await (await client.get("/api/v1/computing-centers", headers=h)).json()
    regions = {c["region"] for c in centres["items"]}
    assert {"哈尔滨市", "大庆市"} <= regions
    sites = await (await client.get("/api/v1/5g-sites?limit=1", headers=h)).json()
    assert sites["total"] >= 200
    listed = await (await client.get("/api/v1/key-providers", headers=h)).json()
    assert listed["total"] == 2
    mine = await (await client.get("/api/v1/units", headers=bearer(tokens["buyer"]))).json()
    assert [u["kind"] for u in mine["items"]] == ["university"]
