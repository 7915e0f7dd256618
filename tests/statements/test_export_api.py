"""Statement downloads: headers and amounts, formula-safe names, final files that never change."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from service.cli import main
from tests.conftest import bearer, load_registry, make_token
from tests.helpers import CREDIT, unit
from tests.statements.workflow_helpers import end_notice, insert_statement

EVIL = '=HYPERLINK("http://x","y")'


@pytest.fixture
async def people(database_url: str) -> dict[str, str]:
    """Two officials and the tokens of two units, one of them named like a formula."""
    await load_registry(
        database_url,
        {"units": [unit("U1", CREDIT["U1"], name=EVIL), unit("U2", CREDIT["U2"])]},
    )
    return {
        "alice": await make_token(database_url, "GOV", "official"),
        "bob": await make_token(database_url, "GOV", "official"),
        "u1": await make_token(database_url, "U1", "center"),
    }


async def download(client: Any, token: str, sid: int, query: str = "") -> Any:
    return await client.get(f"/api/v1/statements/{sid}/export{query}", headers=bearer(token))


async def finalise(client: Any, database_url: str, people: dict[str, str], sid: int) -> None:
    for who, action in (("alice", "submit"), ("bob", "approve"), ("bob", "publish")):
        r = await client.post(f"/api/v1/statements/{sid}/{action}", headers=bearer(people[who]))
        assert r.status == 200, await r.text()
    await end_notice(database_url, sid)
    r = await client.post(f"/api/v1/statements/{sid}/finalise", headers=bearer(people["alice"]))
    assert r.status == 200, await r.text()


async def test_the_xlsx_has_chinese_headers_amounts_and_a_safe_unit_name(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, _ = await insert_statement(database_url, [("U1", "C1", 1_800_000_000)])
    r = await download(client, people["alice"], sid)
    assert r.status == 200
    assert r.content_type.endswith("spreadsheetml.sheet")
    assert f"statement-{sid}-computing_center_build" in r.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(await r.read()))
    summary = {row[0]: row[1] for row in book["结算单"].iter_rows(values_only=True)}
    assert summary["条款出处"] == "五(十九)" and summary["状态"] == "草稿"
    assert summary["合计(元)"] == 18000000
    lines = book["明细"]
    assert lines["D2"].value == "'" + EVIL and lines["D2"].data_type == "s"
    assert lines["I2"].value == 18000000 and lines["I2"].number_format == "#,##0.00"


async def test_csv_in_english(client: Any, database_url: str, people: dict[str, str]) -> None:
    sid, _ = await insert_statement(database_url, [("U2", "C2", 123_456_78)])
    r = await download(client, people["alice"], sid, "?format=csv&lang=en")
    assert r.status == 200 and r.content_type == "text/csv"
    rows = list(csv.reader(io.StringIO((await r.read()).decode("utf-8-sig"))))
    assert ["Total (yuan)", "123456.78"] in rows
    assert (await download(client, people["alice"], sid, "?format=pdf")).status == 400


async def test_a_final_statement_downloads_byte_identical_even_after_the_registry_changes(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, _ = await insert_statement(database_url, [("U2", "C2", 1_800_000_000)])
    await finalise(client, database_url, people, sid)
    first = {q: await (await download(client, people["alice"], sid, q)).read()
             for q in ("", "?format=csv", "?lang=en", "?format=csv&lang=en")}  # fmt: skip
    r = await client.patch(
        "/api/v1/units/U2", json={"name": "改名后的单位"}, headers=bearer(people["alice"])
    )
    assert r.status == 200, await r.text()
    for query, content in first.items():
        assert await (await download(client, people["bob"], sid, query)).read() == content
    assert "已定稿" in first["?format=csv"].decode("utf-8-sig")


async def test_a_unit_gets_only_its_own_lines_and_only_once_published(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, _ = await insert_statement(
        database_url, [("U1", "C1", 1_000_000_00), ("U2", "C2", 2_000_000_00)]
    )
    r = await download(client, people["u1"], sid)
    assert r.status == 403
    await finalise(client, database_url, people, sid)
    r = await download(client, people["u1"], sid, "?format=csv")
    text = (await r.read()).decode("utf-8-sig")
    assert "C1" in text and "C2" not in text and "合计(元),1000000.00" in text


async def test_the_command_writes_the_same_bytes_as_the_api(
    client: Any, database_url: str, people: dict[str, str], tmp_path: Path
) -> None:
    sid, _ = await insert_statement(database_url, [("U2", "C2", 1_800_000_000)])
    await finalise(client, database_url, people, sid)
    served = await (await download(client, people["alice"], sid, "?format=csv")).read()
    target = tmp_path / "s.csv"
    argv = ["statements", "export", str(sid), "--format", "csv", "-o", str(target),
            "--database-url", database_url]  # fmt: skip
    assert await asyncio.to_thread(main, argv) == 0
    assert target.read_bytes() == served
    argv = ["statements", "export", "999999", "--database-url", database_url]
    assert await asyncio.to_thread(main, argv) == 2
