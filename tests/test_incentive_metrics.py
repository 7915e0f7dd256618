"""/metrics: awards by clause and status, statement runs, capacity per centre, open work."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy.exc import SQLAlchemyError

from incentives.statements.schedule import monthly_statements
from service.app import create_app
from service.kit.keys import METRICS
from service.settings import Settings
from tests.conftest import bearer, load_registry, make_token
from tests.helpers import CREDIT, center, unit
from tests.statements.helpers import SCENARIOS, import_file


def sample(exposition: str, name: str, **labels: str) -> float | None:
    """The value of one series in a text exposition, or None when it is absent."""
    for line in exposition.splitlines():
        match = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if match is None:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
        if found == labels:
            return float(match.group(2))
    return None


async def scrape(client: Any) -> str:
    resp = await client.get("/metrics")
    assert resp.status == 200
    return str(await resp.text())


async def test_a_run_and_a_submission_show_in_the_award_and_run_metrics(
    client: Any, database_url: str
) -> None:
    await import_file(database_url, SCENARIOS / "voucher-basic.yaml")
    alice = await make_token(database_url, "GOV", "official")
    before = await scrape(client)
    assert sample(before, "incentives_statement_runs_total", result="success") == 0
    assert sample(before, "incentives_award_amount_yuan", clause="compute_voucher",
                  status="draft") is None  # fmt: skip

    resp = await client.post(
        "/api/v1/statements/runs",
        json={"clause": "compute_voucher", "period": "2025", "as_of": "2026-03-31"},
        headers=bearer(alice),
    )
    assert resp.status == 200, await resp.text()
    item = next(i for i in (await resp.json())["items"] if i["action"] == "created")
    total = float(item["total"])
    assert total > 0
    after_run = await scrape(client)
    assert sample(after_run, "incentives_statement_runs_total", result="success") == 1
    assert sample(after_run, "incentives_statement_runs_total", result="failure") == 0
    assert sample(after_run, "incentives_award_amount_yuan", clause="compute_voucher",
                  status="draft") == total  # fmt: skip

    resp = await client.post(
        f"/api/v1/statements/{item['statement']}/submit", headers=bearer(alice)
    )
    assert resp.status == 200, await resp.text()
    submitted = await scrape(client)
    assert sample(submitted, "incentives_award_amount_yuan", clause="compute_voucher",
                  status="submitted") == total  # fmt: skip
    assert sample(submitted, "incentives_award_amount_yuan", clause="compute_voucher",
                  status="draft") is None  # fmt: skip
    assert sample(submitted, "incentives_objections_open") == 0


async def test_capacity_per_centre_and_pending_reviews(client: Any, database_url: str) -> None:
    await load_registry(database_url, {
        "units": [unit("U1", CREDIT["U1"])],
        "computing_centers": [center("C1", "U1", capacity_pflops={"FP16": "60.5", "FP64": "2"})],
    })  # fmt: skip
    exposition = await scrape(client)
    name = "incentives_center_capacity_pflops"
    assert sample(exposition, name, center="C1", kind="intelligent", precision="FP16",
                  source="declared") == 60.5  # fmt: skip
    assert sample(exposition, name, center="C1", kind="intelligent", precision="FP64",
                  source="declared") == 2  # fmt: skip
    # A centre's own key changes a money-deciding value: it waits for an official.
    token = await make_token(database_url, "U1", "center")
    resp = await client.patch(
        "/api/v1/computing-centers/C1",
        json={"capacity_pflops": {"FP16": "70"}},
        headers=bearer(token),
    )
    assert resp.status in (200, 202), await resp.text()
    exposition = await scrape(client)
    assert sample(exposition, "incentives_reviews_pending", object_type="computing_center") == 1
    assert sample(exposition, name, center="C1", kind="intelligent", precision="FP16",
                  source="declared") == 60.5  # fmt: skip


async def test_a_failed_scheduled_run_is_counted(
    aiohttp_client: Any, empty_database_url: str
) -> None:
    # An unmigrated database: the monthly job's run fails at its first write.
    app = create_app(Settings(database_url=empty_database_url, scheduler=False))
    await aiohttp_client(app)  # starts the app: its database and its policies
    runs = "incentives_statement_runs_total"
    with pytest.raises(SQLAlchemyError):
        await monthly_statements(app, dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert app[METRICS].get_sample_value(runs, {"result": "failure"}) == 1
    assert app[METRICS].get_sample_value(runs, {"result": "success"}) == 0
