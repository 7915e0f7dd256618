"""Statement files: headers, numbers with two decimals, formula-safe text, repeatable bytes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl

from incentives.statements.export import (
    ExportDocument,
    ExportLine,
    FileFormat,
    Lang,
    render,
    safe_text,
)

EVIL = '=HYPERLINK("http://x","y")'


def document(unit_name: str = "哈尔滨示例科技有限公司") -> ExportDocument:
    lines = [
        ExportLine(11, 1, "U1", unit_name, "C1", "award", None, 1800000000, 1800000000,
                   ["条款 五(十九)", "+1 检查通过"], ["clause 5(19)", "@check passed"]),
        ExportLine(12, 2, "B1", "-某大学", "2025", "adjustment", 9, 0, -12345,
                   ["红字发票冲减"], ["red-letter reversal"]),
    ]  # fmt: skip
    return ExportDocument(
        statement_id=3, number=2, policy="heilongjiang-digital-2023",
        clause="computing_center_build", clause_title_zh="智算中心和超算中心建设奖励",
        clause_title_en="Computing centre construction award", reference="五(十九)",
        period="2023-12-01/2026-12-01", status="final", as_of=dt.date(2026, 11, 30),
        total_fen=1800000000 - 12345, lines=lines,
        stamp=dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC),
    )  # fmt: skip


def test_safe_text_quotes_every_formula_start() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_text(start + "1") == "'" + start + "1"
    assert safe_text("哈尔滨") == "哈尔滨"


def test_xlsx_has_chinese_headers_and_money_as_numbers() -> None:
    book = openpyxl.load_workbook(io.BytesIO(render(document(), FileFormat.XLSX)))
    assert book.sheetnames == ["结算单", "明细", "说明"]
    summary = {row[0]: row[1] for row in book["结算单"].iter_rows(values_only=True)}
    assert summary["合计(元)"] == Decimal("17999876.55") or summary["合计(元)"] == 17999876.55
    assert summary["条款"] == "computing_center_build 智算中心和超算中心建设奖励"
    assert summary["条款出处"] == "五(十九)"
    lines = book["明细"]
    assert [c.value for c in lines[1]][-1] == "本次金额(元)"
    assert lines["I2"].value == 18000000 and lines["I2"].number_format == "#,##0.00"
    assert lines["I3"].value == -123.45
    assert lines["G3"].value == 9


def test_english_on_request() -> None:
    book = openpyxl.load_workbook(io.BytesIO(render(document(), FileFormat.XLSX, Lang.EN)))
    assert book.sheetnames == ["Statement", "Lines", "Explanations"]
    assert book["Lines"]["I1"].value == "Amount (yuan)"
    assert book["Explanations"]["C3"].value == "'@check passed"


def test_no_text_cell_of_the_xlsx_is_a_formula() -> None:
    data = render(document(EVIL), FileFormat.XLSX)
    book = openpyxl.load_workbook(io.BytesIO(data))
    texts = [
        cell for sheet in book for row in sheet.iter_rows() for cell in row
        if isinstance(cell.value, str)
    ]  # fmt: skip
    assert all(cell.data_type == "s" for cell in texts)
    assert all(not cell.value.startswith(("=", "+", "-", "@")) for cell in texts)
    assert book["明细"]["D2"].value == "'" + EVIL
    assert book["明细"]["D3"].value == "'-某大学"


def test_csv_amounts_have_two_decimals_and_text_is_escaped() -> None:
    text = render(document(EVIL), FileFormat.CSV).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert ["合计(元)", "17999876.55"] in rows
    header = rows.index(["行号", "序号", "单位代码", "单位名称", "标的", "类型", "更正行号",
                         "应得总额(元)", "本次金额(元)"])  # fmt: skip
    first, second = rows[header + 1], rows[header + 2]
    assert first[3] == "'" + EVIL and first[8] == "18000000.00"
    assert second[3] == "'-某大学" and second[8] == "-123.45" and second[6] == "9"
    assert ["11", "2", "'+1 检查通过"] in rows


def test_the_same_document_gives_the_same_bytes() -> None:
    for fmt in FileFormat:
        assert render(document(), fmt) == render(document(), fmt)
    # Nothing in the archive depends on the clock: entries and properties carry fixed times.
    data = render(document(), FileFormat.XLSX)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2026-12-01T03:00:00Z" in core
    assert openpyxl.load_workbook(io.BytesIO(data)).properties.modified == dt.datetime(
        2026, 12, 1, 3
    )
