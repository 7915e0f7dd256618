"""Large batches: lists of user size never become one statement past the database's limits."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from service.settings import Settings
from tests.conftest import bearer
from tests.invoices.conftest import B1, Tokens


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The test app with room for a body of some MiB."""
    return Settings(database_url=database_url, scheduler=False, max_body_mb=16)


async def test_a_batch_of_40000_sales_reports_is_stored_and_resent_harmlessly(
    client: Any, tokens: Tokens
) -> None:
    # More reports than PostgreSQL's 32,767 bind parameters in one IN (...) list.
    reports = [
        {"number": f"25{n:018d}", "buyer": B1, "issued_on": "2025-03-01", "amount": "1.00",
         "accelerator_hours": "1"}
        for n in range(40_000)
    ]  # fmt: skip
    headers = {**bearer(tokens.p1), "Content-Type": "application/json"}
    body = io.BytesIO(json.dumps({"reports": reports}).encode())
    r = await client.post("/api/v1/sales-reports", data=body, headers=headers)
    assert r.status == 201, (await r.text())[:2000]
    answer = await r.json()
    assert (answer["stored"], answer["unchanged"]) == (40_000, 0)
    reports[-1]["amount"] = "2.00"
    body = io.BytesIO(json.dumps({"reports": reports}).encode())
    r = await client.post("/api/v1/sales-reports", data=body, headers=headers)
    assert r.status == 422, (await r.text())[:2000]
    assert [(e["index"], e["field"]) for e in (await r.json())["errors"]] == [(39_999, "amount")]
