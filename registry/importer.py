"""Bulk import: the registry part of a scenario file, or a CSV of 5G sites; all or nothing."""

from __future__ import annotations

import csv
import io
import itertools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession
from tqdm import tqdm

from registry.api import check_references
from registry.audit import Actor, record_many
from registry.exact_yaml import load_file
from registry.resources import (
    COMPUTING_CENTERS,
    FIVE_G_SITES,
    IDENTIFIER_NODES,
    KEY_PROVIDERS,
    UNITS,
    Context,
    Resource,
)
from service.kit.problems import FieldError, Problem, invalid
from service.kit.web import Strict, pydantic_errors

# Scenario sections in the order their references need; others (invoices, expect…) are skipped.
SECTIONS: tuple[tuple[str, Resource], ...] = (
    ("units", UNITS),
    ("key_providers", KEY_PROVIDERS),
    ("computing_centers", COMPUTING_CENTERS),
    ("identifier_nodes", IDENTIFIER_NODES),
    ("five_g_sites", FIVE_G_SITES),
)
CHUNK = 5000
log = logging.getLogger("infra_incentives.registry")

# Column names an operator's spreadsheet may use, mapped to the scenario vocabulary.
SITE_HEADERS = {
    "站点编码": "code", "运营商": "unit", "地市": "division", "纬度": "latitude",
    "经度": "longitude", "频段": "bands", "状态": "status", "开通日期": "opened_on",
}  # fmt: skip


@dataclass
class ImportReport:
    """How many objects of each kind were stored."""

    created: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Objects stored in all."""
        return sum(self.created.values())


def _validate_section(
    name: str, res: Resource, items: Sequence[Any], errors: list[FieldError], row_base: int | None
) -> list[Strict]:
    good: list[Strict] = []
    for i, item in enumerate(items):
        try:
            good.append(res.create.model_validate(item))
        except ValidationError as exc:
            for e in pydantic_errors(exc):
                if row_base is None:
                    e.field = f"{name}[{i}].{e.field}"
                else:
                    e.row = i + row_base
                errors.append(e)
    return good


def _prefix(problem: Problem, name: str, row_base: int | None) -> list[FieldError]:
    for e in problem.errors:
        if row_base is None:
            e.field = f"{name}[{e.index}].{e.field}" if e.index is not None else e.field
        else:
            e.row = None if e.index is None else e.index + row_base
        e.index = None
    return problem.errors


async def import_sections(
    session: AsyncSession,
    sections: dict[str, list[Any]],
    actor: Actor,
    progress: bool = False,
    row_base: int | None = None,
) -> ImportReport:
    """Validate every section, then store all of them in the caller's transaction."""
    errors: list[FieldError] = []
    validated: list[tuple[str, Resource, list[Strict]]] = []
    for name, res in SECTIONS:
        items = sections.get(name) or []
        if not isinstance(items, list):
            errors.append(FieldError(name, "must be a list"))
            continue
        validated.append((name, res, _validate_section(name, res, items, errors, row_base)))
    if errors:
        raise invalid(errors)
    report = ImportReport()
    total = sum(len(models) for _, _, models in validated)
    bar = tqdm(total=total, unit="obj", desc="import", disable=not progress or total == 0)
    ctx = Context()
    await ctx.load_catalogue(session)
    for name, res, models in validated:
        if not models:
            continue
        items = [res.item_of(m) for m in models]
        try:
            await check_references(session, res, items, ctx, many=True)
        except Problem as problem:
            raise invalid(_prefix(problem, name, row_base)) from None
        await _store(session, res, models, items, ctx, actor, bar)
        report.created[name] = len(models)
    bar.close()
    return report


async def _store(
    session: AsyncSession,
    res: Resource,
    models: list[Strict],
    items: list[dict[str, Any]],
    ctx: Context,
    actor: Actor,
    bar: tqdm[Any],
) -> None:
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        rows = [res.columns(item, ctx) for item in chunk]
        if any("accelerators" in r for r in rows):
            session.add_all(res.table(**r) for r in rows)
            await session.flush()
        else:
            # Core executemany: the ORM bulk path costs several times more per row.
            await session.execute(insert(res.core_table), rows)
        changes = [
            (str(r["code"]), None, m.model_dump(mode="json"))
            for r, m in zip(rows, models[start : start + CHUNK], strict=True)
        ]
        await record_many(session, actor, "create", res.object_type, changes, note="import")
        bar.update(len(chunk))


def read_scenario_registry(path: Path) -> dict[str, list[Any]]:
    """The registry sections of a scenario (YAML or JSON) file."""
    data = load_file(path)
    if not isinstance(data, dict):
        raise invalid([FieldError("file", "a scenario file is a mapping at the top level")])
    return {name: data.get(name) or [] for name, _ in SECTIONS}


SITE_FIELDS = frozenset(FIVE_G_SITES.create.model_fields)
# Operators' spreadsheets separate bands with any of these; `|` is kept for older files.
BAND_SEPARATORS = re.compile(r"[;,、；，|]")


@dataclass
class SiteTable:
    """Rows of a 5G-site file in the scenario vocabulary, and the columns it ignored."""

    rows: list[dict[str, Any]]
    ignored_columns: list[str]
    columns: list[str] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)  # as a spreadsheet shows them


def site_table(header: Sequence[str], records: Iterable[tuple[int, Sequence[str]]]) -> SiteTable:
    """Shape numbered rows of cells under a header (English or Chinese) into site fields."""
    names = [SITE_HEADERS.get(h.strip(), h.strip()) for h in header]
    ignored = [h.strip() for h, n in zip(header, names, strict=True) if n and n not in SITE_FIELDS]
    rows = []
    numbers = []
    for number, cells in records:
        numbers.append(number)
        row: dict[str, Any] = {}
        for name, value in zip(names, cells, strict=False):
            if name not in SITE_FIELDS:
                continue
            value = (value or "").strip()
            if name == "bands":
                row[name] = [b.strip() for b in BAND_SEPARATORS.split(value) if b.strip()]
            elif value != "":
                row[name] = value
        rows.append(row)
    return SiteTable(rows, ignored, [n for n in names if n in SITE_FIELDS], numbers)


def read_site_table(text: str, max_rows: int | None = None) -> SiteTable:
    """A 5G-site CSV (English or Chinese headers); bands separated by ; , or 、."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, [])
    # Blank lines are skipped, as a spreadsheet's empty rows are; line_num keeps row numbers true.
    records = ((reader.line_num, cells) for cells in reader if any(c.strip() for c in cells))
    # One row past the bound is read, so the caller can tell that the file is too long.
    return site_table(header, itertools.islice(records, None if max_rows is None else max_rows + 1))


def read_sites_csv(text: str) -> list[dict[str, Any]]:
    """Rows of a 5G-site CSV; unknown columns are ignored (and logged)."""
    table = read_site_table(text)
    if table.ignored_columns:
        log.warning("ignored columns: %s", ", ".join(table.ignored_columns))
    return table.rows


def decode_text(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 as Chinese Excel saves CSV."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise invalid([FieldError("file", "the file is neither UTF-8 nor GB18030 text")]) from None


def sections_of_file(path: Path) -> tuple[dict[str, list[Any]], int | None]:
    """Sections of a scenario file, or of a 5G-site CSV (whose errors name CSV rows)."""
    if path.suffix.lower() == ".csv":
        # Row 1 is the header, so the first data row is row 2, as a spreadsheet shows it.
        return {"five_g_sites": read_sites_csv(decode_text(path.read_bytes()))}, 2
    return read_scenario_registry(path), None


def iter_errors(problem: Problem) -> Iterable[str]:
    """One readable line per field error."""
    for e in problem.errors:
        where = f"row {e.row}: " if e.row is not None else ""
        yield f"{where}{e.field}: {e.message}"
