"""POST /api/v1/5g-sites/import: operators' CSV or XLSX files, GB18030 too, re-import unchanged."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiohttp import FormData

from tests.conftest import bearer, make_token
from tests.helpers import CREDIT, unit
from tests.registry.test_import import cli

URL = "/api/v1/5g-sites/import"
HEADER = "站点编码,运营商,地市,纬度,经度,频段,状态,开通日期,备注\n"
ROWS = (
    "S1,OP1,哈尔滨市,45.8,126.5,n41、n78,operational,2024-05-01,主城区\n"
    'S2,OP1,大庆市,46.5,125.1,"n41,n78",planned,,\n'
    "S3,OP1,齐齐哈尔市,47.3,123.9,n28;n41,operational,2024-06-30,\n"
)
CSV = "text/csv"
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def tokens(client: Any, admin_token: str, database_url: str) -> dict[str, str]:
    """Admin, and an operator token of each of two operators."""
    h = bearer(admin_token)
    for code, credit in (("OP1", CREDIT["U1"]), ("OP2", CREDIT["U2"])):
        body = unit(code, credit, kind="telecom_operator")
        assert (await client.post("/api/v1/units", json=body, headers=h)).status == 201
    return {
        "admin": admin_token,
        "OP1": await make_token(database_url, "OP1", "operator"),
        "OP2": await make_token(database_url, "OP2", "operator"),
    }


async def post(client: Any, token: str, body: bytes, media: str = CSV) -> Any:
    """POST a file body with a token."""
    return await client.post(URL, data=body, headers={**bearer(token), "Content-Type": media})


async def site(client: Any, token: str, code: str) -> dict[str, Any]:
    """One stored site."""
    r = await client.get(f"/api/v1/5g-sites/{code}", headers=bearer(token))
    assert r.status == 200, await r.text()
    return dict(await r.json())


async def test_a_gb18030_file_imports_and_again_changes_nothing(
    client: Any, tokens: dict[str, str]
) -> None:
    body = (HEADER + ROWS).encode("gb18030")
    r = await post(client, tokens["OP1"], body)
    assert r.status == 201, await r.text()
    answer = await r.json()
    assert (answer["created"], answer["updated"], answer["unchanged"]) == (3, 0, 0)
    assert answer["ignored_columns"] == ["备注"]
    assert (await site(client, tokens["OP1"], "S1"))["bands"] == ["n41", "n78"]
    assert (await site(client, tokens["OP1"], "S2"))["bands"] == ["n41", "n78"]
    assert (await site(client, tokens["OP1"], "S3"))["division"] == "齐齐哈尔市"
    r = await post(client, tokens["OP1"], body)
    assert r.status == 200
    answer = await r.json()
    assert (answer["created"], answer["updated"], answer["unchanged"]) == (0, 0, 3)
    audit = await client.get(
        "/api/v1/audit?object_type=five_g_site", headers=bearer(tokens["admin"])
    )
    assert (await audit.json())["total"] == 3


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
async def test_utf8_with_or_without_bom(client: Any, tokens: dict[str, str], encoding: str) -> None:
    r = await post(client, tokens["OP1"], (HEADER + ROWS).encode(encoding))
    assert r.status == 201, await r.text()
    assert (await r.json())["created"] == 3


async def test_a_changed_row_updates_the_site_and_is_audited(
    client: Any, tokens: dict[str, str]
) -> None:
    assert (await post(client, tokens["OP1"], (HEADER + ROWS).encode())).status == 201
    changed = ROWS.replace("47.3,123.9,n28;n41,operational", "47.3,123.9,n28;n41;n78,operational")
    r = await post(client, tokens["OP1"], (HEADER + changed).encode())
    assert r.status == 200, await r.text()
    answer = await r.json()
    assert (answer["created"], answer["updated"], answer["unchanged"]) == (0, 1, 2)
    assert (await site(client, tokens["OP1"], "S3"))["bands"] == ["n28", "n41", "n78"]
    audit = await client.get("/api/v1/audit?object_code=S3", headers=bearer(tokens["admin"]))
    entries = (await audit.json())["items"]
    assert [e["action"] for e in entries] == ["update", "create"]
    assert entries[0]["before"]["bands"] == ["n28", "n41"]
    assert entries[0]["after"]["bands"] == ["n28", "n41", "n78"]


async def test_bad_rows_are_all_named_and_nothing_is_stored(
    client: Any, tokens: dict[str, str]
) -> None:
    bad = (
        HEADER
        + "S1,OP1,哈尔滨市,45.8,126.5,n41,operational,2024-05-01,\n"
        + "S2,OP1,北京市,45.8,126.5,n41,operational,2024-05-01,\n"
        + "\n"
        + "S3,OP1,大庆市,46.5,200,n41,operational,2024-13-01,\n"
        + "S1,OP1,大庆市,46.5,125.1,n41,planned,,\n"
    )
    r = await post(client, tokens["OP1"], bad.encode("gb18030"))
    assert r.status == 422, await r.text()
    errors = {(e["row"], e["field"]) for e in (await r.json())["errors"]}
    assert {(3, "division"), (5, "longitude"), (5, "opened_on"), (6, "code")} <= errors
    listed = await client.get("/api/v1/5g-sites", headers=bearer(tokens["OP1"]))
    assert (await listed.json())["total"] == 0


async def test_an_operator_imports_only_its_own_units_sites(
    client: Any, tokens: dict[str, str]
) -> None:
    r = await post(client, tokens["OP2"], (HEADER + ROWS).encode())
    assert r.status == 422
    assert {e["field"] for e in (await r.json())["errors"]} == {"unit"}
    assert (await post(client, tokens["OP1"], (HEADER + ROWS).encode())).status == 201
    # Another operator may not take over a stored site by naming it in its own file.
    other = "站点编码,地市,纬度,经度,状态\nS1,哈尔滨市,45.8,126.5,planned\n"
    r = await post(client, tokens["OP2"], other.encode())
    assert r.status == 422
    assert [e["field"] for e in (await r.json())["errors"]] == ["code"]
    assert (await site(client, tokens["admin"], "S1"))["unit"] == "OP1"


async def test_a_code_differing_only_in_case_is_the_stored_site_not_a_new_one(
    client: Any, tokens: dict[str, str]
) -> None:
    assert (await post(client, tokens["OP1"], (HEADER + ROWS).encode())).status == 201
    again = "站点编码,地市,纬度,经度,状态\ns1,哈尔滨市,45.8,126.5,planned\n"
    r = await post(client, tokens["OP1"], again.encode())
    assert r.status == 422, await r.text()
    assert [(e["field"], e["message"]) for e in (await r.json())["errors"]] == [
        ("code", "'s1' is already registered as 'S1'")
    ]
    twice = (
        "站点编码,地市,纬度,经度,状态\nS9,哈尔滨市,45.8,126.5,planned\ns9,大庆市,46,125,planned\n"
    )
    r = await post(client, tokens["OP1"], twice.encode())
    assert r.status == 422, await r.text()
    assert [(e["row"], e["message"]) for e in (await r.json())["errors"]] == [
        (3, "'s9' appears twice in this file (row 2)")
    ]
    listed = await client.get("/api/v1/5g-sites", headers=bearer(tokens["OP1"]))
    assert (await listed.json())["total"] == 3


async def test_other_roles_are_refused(
    client: Any, tokens: dict[str, str], database_url: str
) -> None:
    buyer = await make_token(database_url, "OP1", "buyer")
    assert (await post(client, buyer, (HEADER + ROWS).encode())).status == 403


async def test_an_xlsx_workbook_as_a_form_file(client: Any, tokens: dict[str, str]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "unit", "division", "latitude", "longitude", "bands", "status", "颜色"])
    sheet.append(["S9", "OP2", "牡丹江市", 44.55, 129.6, "n41; n78", "planned", "红"])
    buffer = io.BytesIO()
    book.save(buffer)
    form = FormData()
    form.add_field("file", buffer.getvalue(), filename="sites.xlsx")
    r = await client.post(URL, data=form, headers=bearer(tokens["admin"]))
    assert r.status == 201, await r.text()
    assert (await r.json())["ignored_columns"] == ["颜色"]
    stored = await site(client, tokens["admin"], "S9")
    assert (stored["unit"], stored["bands"]) == ("OP2", ["n41", "n78"])


async def test_a_missing_column_is_named(client: Any, tokens: dict[str, str]) -> None:
    r = await post(client, tokens["admin"], "code,division\nS1,哈尔滨市\n".encode())
    assert r.status == 422
    fields = {e["field"] for e in (await r.json())["errors"]}
    assert fields == {"latitude", "longitude", "status", "unit"}


async def test_too_many_rows_are_refused_whole(client: Any, tokens: dict[str, str]) -> None:
    from registry.site_file import MAX_ROWS

    line = "S{},OP1,哈尔滨市,45.8,126.5,n41,planned,,\n"
    body = HEADER + "".join(line.format(i) for i in range(MAX_ROWS + 1))
    r = await client.post(
        URL, data=io.BytesIO(body.encode()), headers={**bearer(tokens["OP1"]), "Content-Type": CSV}
    )
    assert r.status == 422, await r.text()
    assert f"more than {MAX_ROWS} rows" in (await r.json())["errors"][0]["message"]
    listed = await client.get("/api/v1/5g-sites", headers=bearer(tokens["OP1"]))
    assert (await listed.json())["total"] == 0


def test_the_command_line_reads_the_same_files_and_says_when_nothing_changed(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "sites.csv"
    path.write_bytes((HEADER + ROWS.replace("OP1", "GOV")).encode("gb18030"))
    first = cli(database_url, "import", "registry", str(path))
    assert first.returncode == 0, first.stderr
    assert "3 created" in first.stdout and "ignored columns: 备注" in first.stdout
    again = cli(database_url, "import", "registry", str(path))
    assert again.returncode == 0, again.stderr
    assert "0 created, 0 updated, unchanged: 3" in again.stdout


@pytest.mark.parametrize(
    "media", ["multipart/form-data", "multipart/form-data; boundary=xyz", "application/pdf"]
)
async def test_an_unreadable_body_is_a_4xx(client: Any, tokens: dict[str, str], media: str) -> None:
    r = await post(client, tokens["OP1"], b"null", media)
    assert r.status in (400, 415, 422), await r.text()


async def test_a_workbook_padded_to_a_far_row_is_refused_without_walking_it(
    client: Any, tokens: dict[str, str]
) -> None:
    from registry.site_file import MAX_ROWS

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "division", "latitude", "longitude", "status"])
    sheet.cell(row=MAX_ROWS * 10, column=16384, value="x")  # one cell at XFD, far below
    buffer = io.BytesIO()
    book.save(buffer)
    r = await post(client, tokens["OP1"], buffer.getvalue(), media=XLSX_MEDIA)
    assert r.status == 422, await r.text()
    assert f"more than {MAX_ROWS} rows" in (await r.json())["errors"][0]["message"]
