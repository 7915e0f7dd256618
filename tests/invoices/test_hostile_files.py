"""Hostile files: workbook and CSV bombs are refused early and cleanly, answers stay small.

Each bomb is built here, small on disk; the service must refuse it with a 4xx that names the
limit, without reading it the costly way, and never hold the database while it reads.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import pytest
from aiohttp import FormData
from sqlalchemy import func, insert, select

from collectors.invoices import tables
from collectors.invoices.models import InvoiceUpload
from registry.db import create_engine, session_factory
from tests.conftest import bearer
from tests.invoices.conftest import B1, P1, Tokens
from tests.invoices.test_invoice_upload import GOOD, HEADER_EN, csv, invoices, upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(*sheets: tuple[str, str, list[list[Any]]]) -> bytes:
    """An XLSX file of (title, state, rows) sheets."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, state, rows in sheets:
        ws = wb.create_sheet(title)
        ws.sheet_state = state
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD_ROWS: list[list[Any]] = [
    ["number", "buyer", "seller", "issued_on", "amount"],
    ["25230000000000000001", B1, P1, "2025-03-01", "10.00"],
]


async def upload_large(client: Any, token: str, body: bytes) -> Any:
    """POST a large CSV body as a stream (raw bytes that large would block the test's loop)."""
    headers = {**bearer(token), "Content-Type": "text/csv"}
    return await client.post("/api/v1/invoices", data=io.BytesIO(body), headers=headers)


def problem_text(body: dict[str, Any]) -> str:
    """The detail and every error message of a problem, as one text."""
    return " ".join([body.get("detail", "")] + [e["message"] for e in body.get("errors", [])])


async def test_one_cell_at_column_xfd_is_refused_without_padding_every_row(
    client: Any, tokens: Tokens
) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in GOOD_ROWS:
        ws.append(row)
    ws.cell(row=20_000, column=16_384, value="x")  # XFD20000
    out = io.BytesIO()
    wb.save(out)
    assert len(out.getvalue()) < 10_000
    r = await upload(client, tokens.b1, out.getvalue(), media=XLSX)
    assert r.status == 422, await r.text()
    assert f"beyond column {tables.MAX_COLUMNS}" in problem_text(await r.json())
    assert await invoices(client, tokens.b1) == []


def _with_part(xlsx: bytes, name: str, data: bytes) -> bytes:
    """The workbook with one part replaced (or added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info, src.read(info))
        dst.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


async def test_a_shared_strings_bomb_is_refused_before_it_is_unpacked(
    client: Any, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real limit is 64 MiB; a smaller one keeps the test's own bomb small.
    monkeypatch.setattr(tables, "MAX_SHARED_STRINGS_BYTES", 1 << 20)
    strings = b"<si><t>x</t></si>" * 200_000  # 3.4 MB unpacked, a few KB packed
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + strings
        + b"</sst>"
    )
    bomb = _with_part(workbook(("Sheet", "visible", GOOD_ROWS)), "xl/sharedStrings.xml", xml)
    assert len(bomb) < 100_000
    r = await upload(client, tokens.b1, bomb, media=XLSX)
    assert r.status == 422, await r.text()
    text = problem_text(await r.json())
    assert "shared-strings table" in text and f"limit is {1 << 20} bytes" in text


async def test_running_out_of_memory_is_413_not_an_unreadable_workbook(
    client: Any, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhausted(*args: Any, **kwargs: Any) -> None:
        raise MemoryError

    monkeypatch.setattr(tables.openpyxl, "load_workbook", exhausted)
    body = workbook(("Sheet", "visible", GOOD_ROWS))
    r = await upload(client, tokens.b1, body, media=XLSX)
    assert r.status == 413, await r.text()
    assert "not a readable" not in problem_text(await r.json())


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
async def test_the_first_visible_sheet_is_read_never_a_hidden_one(
    client: Any, tokens: Tokens, state: str
) -> None:
    decoy = [GOOD_ROWS[0], ["25230000000000000009", B1, P1, "2025-03-09", "999999.00"]]
    body = workbook(("Secret", state, decoy), ("Invoices", "visible", GOOD_ROWS))
    r = await upload(client, tokens.b1, body, media=XLSX)
    assert r.status == 201, await r.text()
    assert (await r.json())["sheet"] == "Invoices"
    assert [i["number"] for i in await invoices(client, tokens.b1)] == ["25230000000000000001"]


async def test_a_csv_of_a_million_columns_is_refused_at_its_first_line(
    client: Any, tokens: Tokens
) -> None:
    body = b"x," * 900_000 + b"x\n1\n"  # 1.8 MB: one line of 900,001 columns
    r = await upload_large(client, tokens.b1, body)
    assert r.status == 422, await r.text()
    assert f"longer than {tables.MAX_LINE_BYTES} bytes" in problem_text(await r.json())


async def test_a_csv_with_too_many_short_columns_is_refused(client: Any, tokens: Tokens) -> None:
    header = ",".join(f"c{i}" for i in range(tables.MAX_COLUMNS + 1))
    r = await upload(client, tokens.b1, csv(header, "1"))
    assert r.status == 422, await r.text()
    assert f"at most {tables.MAX_COLUMNS} are read" in problem_text(await r.json())


async def test_echoed_cells_are_cut_short_and_errors_listed_are_bounded(
    client: Any, tokens: Tokens
) -> None:
    huge = "9" * 200_000
    lines = [f"25230000000000000001,{B1},{P1},{huge},1.00,blue,"]
    lines += [f"2523{i:016d},{B1},{P1},not-a-date,1.00,blue," for i in range(2, 3000)]
    body = csv(HEADER_EN, *lines)
    r = await upload_large(client, tokens.b1, body)
    assert r.status == 422
    text = await r.text()
    assert len(text) < 1_000_000  # the file is 1.5 MB; the answer lists 1,000 short errors
    problem = await r.json()
    first = problem["errors"][0]
    assert first["row"] == 2 and "9" * tables.MAX_ECHO_CHARS + "…" in first["message"]
    assert len(first["message"]) < 300
    assert "2999 errors" in problem["detail"]


async def test_a_check_writes_nothing_and_a_bad_file_never_waits_for_the_write_lock(
    client: Any, tokens: Tokens, database_url: str
) -> None:
    bad = csv(HEADER_EN, f"25230000000000000001,{B1},{P1},2025-13-01,1.00,blue,")
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as holder:
            # Another writer holds the database (SQLite's write lock) for the whole check.
            await holder.execute(
                insert(InvoiceUpload).values(
                    uploaded_by="other", sha256="0" * 64, row_count=0, stored_count=0
                )
            )
            r = await upload(client, tokens.b1, GOOD, "?dry_run=true")
            assert r.status == 200, await r.text()
            body = await r.json()
            assert body["would_store"] == 3 and body["stored"] == 0
            assert [e["status"] for e in body["expected"]] == ["new"] * 3
            r = await upload(client, tokens.b1, bad)
            assert r.status == 422
            await holder.rollback()
        async with session_factory(engine)() as session:
            count = await session.scalar(select(func.count()).select_from(InvoiceUpload))
            assert count == 0
    finally:
        await engine.dispose()


async def test_commas_are_read_only_between_groups_of_three_digits(
    client: Any, tokens: Tokens
) -> None:
    body = csv(
        HEADER_EN,
        f'25230000000000000001,{B1},{P1},2025-03-01,"1,0,0",blue,',
        f'25230000000000000002,{B1},{P1},2025-03-01,"1,234,567.80",blue,',
    )
    r = await upload(client, tokens.b1, body)
    assert r.status == 422
    assert [(e["row"], e["field"]) for e in (await r.json())["errors"]] == [(2, "amount")]


async def test_a_form_with_an_empty_file_and_extra_fields_is_a_400(
    client: Any, tokens: Tokens
) -> None:
    form = FormData()
    form.add_field("note", "hello")
    form.add_field("file", b"", filename="invoices.csv", content_type="text/csv")
    r = await client.post("/api/v1/invoices", data=form, headers=bearer(tokens.b1))
    assert r.status == 400
    assert "empty" in (await r.json())["detail"]
    headers = {**bearer(tokens.b1), "Content-Type": "multipart/form-data"}
    r = await client.post("/api/v1/invoices", data=b"--x\r\n", headers=headers)
    assert r.status == 400
