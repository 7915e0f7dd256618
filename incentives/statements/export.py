"""Statement files: XLSX and CSV, Chinese or English, deterministic and safe to open."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from registry.money import from_fen


class FileFormat(StrEnum):
    """The file formats a statement exports to."""

    XLSX = "xlsx"
    CSV = "csv"


class Lang(StrEnum):
    """The languages of a statement file's headers and explanations."""

    ZH = "zh"
    EN = "en"


MEDIA_TYPES = {
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileFormat.CSV: "text/csv; charset=utf-8",
}
MONEY_FORMAT = "#,##0.00"
# OWASP CSV injection: a cell starting with one of these is read as a formula by spreadsheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Zip entries carry this time, so the same statement always gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

STATUS_NAMES = {
    "draft": ("草稿", "draft"),
    "submitted": ("已提交", "submitted"),
    "approved": ("已审核", "approved"),
    "published": ("公示中", "published"),
    "final": ("已定稿", "final"),
    "disbursed": ("已拨付", "disbursed"),
}
KIND_NAMES = {"award": ("奖励", "award"), "adjustment": ("调整", "adjustment")}
HEADER_LABELS = {
    "statement": ("结算单", "Statement"),
    "number": ("编号", "Number"),
    "policy": ("政策", "Policy"),
    "clause": ("条款", "Clause"),
    "reference": ("条款出处", "Clause reference"),
    "period": ("期间", "Period"),
    "status": ("状态", "Status"),
    "as_of": ("计算截至日", "As of"),
    "lines": ("行数", "Lines"),
    "total": ("合计(元)", "Total (yuan)"),
}
LINE_COLUMNS = (
    ("行号", "Line"),
    ("序号", "Position"),
    ("单位代码", "Unit code"),
    ("单位名称", "Unit name"),
    ("标的", "Subject"),
    ("类型", "Kind"),
    ("更正行号", "Corrects line"),
    ("应得总额(元)", "Entitlement (yuan)"),
    ("本次金额(元)", "Amount (yuan)"),
)
EXPLANATION_COLUMNS = (("行号", "Line"), ("步骤", "Step"), ("说明", "Explanation"))
SHEET_NAMES = {
    "summary": ("结算单", "Statement"),
    "lines": ("明细", "Lines"),
    "explanations": ("说明", "Explanations"),
}


@dataclass(frozen=True)
class ExportLine:
    """One statement line as a file shows it."""

    id: int
    position: int
    unit_code: str
    unit_name: str
    subject: str
    kind: str
    corrects: int | None
    entitlement_fen: int
    amount_fen: int
    explanation: Sequence[str]
    explanation_en: Sequence[str]


@dataclass(frozen=True)
class ExportDocument:
    """Everything a statement file holds; the same document always gives the same bytes."""

    statement_id: int
    number: int
    policy: str
    clause: str
    clause_title_zh: str
    clause_title_en: str
    reference: str
    period: str
    status: str
    as_of: dt.date
    total_fen: int
    lines: Sequence[ExportLine]
    # The time written into the file's properties: fixed per statement, never "now".
    stamp: dt.datetime


def safe_text(value: str) -> str:
    """A text cell that no spreadsheet runs as a formula (a leading quote, OWASP)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[0] if lang is Lang.ZH else pair[1]


def _yuan(fen: int) -> Decimal:
    return from_fen(fen)


def _header_rows(doc: ExportDocument, lang: Lang) -> list[tuple[str, Any]]:
    title = doc.clause_title_zh if lang is Lang.ZH else doc.clause_title_en
    status = STATUS_NAMES.get(doc.status, (doc.status, doc.status))
    return [
        (_pick(HEADER_LABELS["statement"], lang), str(doc.statement_id)),
        (_pick(HEADER_LABELS["number"], lang), str(doc.number)),
        (_pick(HEADER_LABELS["policy"], lang), doc.policy),
        (_pick(HEADER_LABELS["clause"], lang), f"{doc.clause} {title}".strip()),
        (_pick(HEADER_LABELS["reference"], lang), doc.reference),
        (_pick(HEADER_LABELS["period"], lang), doc.period),
        (_pick(HEADER_LABELS["status"], lang), _pick(status, lang)),
        (_pick(HEADER_LABELS["as_of"], lang), doc.as_of.isoformat()),
        (_pick(HEADER_LABELS["lines"], lang), len(doc.lines)),
        (_pick(HEADER_LABELS["total"], lang), _yuan(doc.total_fen)),
    ]


def _line_row(line: ExportLine, lang: Lang) -> list[Any]:
    kind = KIND_NAMES.get(line.kind, (line.kind, line.kind))
    return [
        line.id,
        line.position,
        line.unit_code,
        line.unit_name,
        line.subject,
        _pick(kind, lang),
        line.corrects,
        _yuan(line.entitlement_fen),
        _yuan(line.amount_fen),
    ]


def _explanation_rows(doc: ExportDocument, lang: Lang) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for line in doc.lines:
        steps = line.explanation if lang is Lang.ZH else line.explanation_en
        rows.extend([line.id, i, step] for i, step in enumerate(steps, start=1))
    return rows


def render(doc: ExportDocument, file_format: FileFormat, lang: Lang = Lang.ZH) -> bytes:
    """The file of a statement in a format and language."""
    if file_format is FileFormat.CSV:
        return render_csv(doc, lang)
    return render_xlsx(doc, lang)


def render_csv(doc: ExportDocument, lang: Lang = Lang.ZH) -> bytes:
    """CSV in UTF-8 with a BOM (so Excel reads Chinese): header block, lines, explanations."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def row(values: Sequence[Any]) -> None:
        writer.writerow([_csv_cell(v) for v in values])

    for label, value in _header_rows(doc, lang):
        row([label, value])
    row([])
    row([_pick(c, lang) for c in LINE_COLUMNS])
    for line in doc.lines:
        row(_line_row(line, lang))
    row([])
    row([_pick(c, lang) for c in EXPLANATION_COLUMNS])
    for values in _explanation_rows(doc, lang):
        row(values)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, int):
        return str(value)
    return safe_text(str(value))


def render_xlsx(doc: ExportDocument, lang: Lang = Lang.ZH) -> bytes:
    """XLSX with three sheets; amounts are numbers formatted #,##0.00; bytes are repeatable."""
    # Write-only: rows stream out in linear time, whatever the number of lines.
    book = Workbook(write_only=True)
    summary = _sheet(book, _pick(SHEET_NAMES["summary"], lang), [18, 60], frozen=False)
    for label, value in _header_rows(doc, lang):
        _append(summary, [label, value])

    lines = _sheet(book, _pick(SHEET_NAMES["lines"], lang), [8, 6, 14, 36, 24, 8, 10, 18, 18])
    _append(lines, [_pick(c, lang) for c in LINE_COLUMNS])
    for line in doc.lines:
        _append(lines, _line_row(line, lang))

    explanations = _sheet(book, _pick(SHEET_NAMES["explanations"], lang), [8, 6, 120])
    _append(explanations, [_pick(c, lang) for c in EXPLANATION_COLUMNS])
    for values in _explanation_rows(doc, lang):
        _append(explanations, values)

    stamp = doc.stamp.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    book.properties.creator = "infra-incentives"
    book.properties.title = f"{doc.policy} {doc.clause} {doc.period} #{doc.number}"
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.lastModifiedBy = "infra-incentives"
    raw = io.BytesIO()
    # ExcelWriter, not Workbook.save: save() stamps the file with the current time.
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    return _with_fixed_times(raw.getvalue())


def _sheet(book: Workbook, title: str, widths: Sequence[int], frozen: bool = True) -> Any:
    sheet = book.create_sheet(title)
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    if frozen:
        sheet.freeze_panes = "A2"
    return sheet


def _append(sheet: Any, values: Sequence[Any]) -> None:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet)
        if isinstance(value, Decimal):
            cell.value = value
            cell.number_format = MONEY_FORMAT
        elif isinstance(value, str):
            # Text stays text: escaped, and never typed as a formula by openpyxl.
            cell.value = safe_text(value)
            cell.data_type = TYPE_STRING
        else:
            cell.value = value
        cells.append(cell)
    sheet.append(cells)


def _with_fixed_times(data: bytes) -> bytes:
    """The same archive with every entry dated _ZIP_TIME, so equal content gives equal bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def filename(doc: ExportDocument, file_format: FileFormat, lang: Lang) -> str:
    """An ASCII file name for Content-Disposition."""
    period = doc.period.replace("/", "_")
    suffix = "" if lang is Lang.ZH else "-en"
    return f"statement-{doc.statement_id}-{doc.clause}-{period}-{doc.number}{suffix}.{file_format}"
