"""Bulk import: the registry part of a scenario file, or a CSV of 5G sites; all or nothing."""

from __future__ import annotations

import csv
import io
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
from registry.problems import FieldError, Problem, invalid
from registry.resources import (
    COMPUTING_CENTERS,
    FIVE_G_SITES,
    IDENTIFIER_NODES,
    KEY_PROVIDERS,
    UNITS,
    Context,
    Resource,
)
from registry.schemas import Strict
from registry.web import pydantic_errors

# Scenario sections in the order their references need; others (invoices, expect…) are skipped.
SECTIONS: tuple[tuple[str, Resource], ...] = (
    ("units", UNITS),
    ("key_providers", KEY_PROVIDERS),
    ("computing_centers", COMPUTING_CENTERS),
    ("identifier_nodes", IDENTIFIER_NODES),
    ("five_g_sites", FIVE_G_SITES),
)
CHUNK = 5000

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


def read_sites_csv(text: str) -> list[dict[str, Any]]:
    """Rows of a 5G-site CSV (English or Chinese headers); bands separated by ; or |."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    out = []
    for raw in reader:
        row: dict[str, Any] = {}
        for key, value in raw.items():
            if key is None:
                continue
            name = SITE_HEADERS.get(key.strip(), key.strip())
            value = (value or "").strip()
            if name == "bands":
                row[name] = [b.strip() for b in value.replace("|", ";").split(";") if b.strip()]
            elif value != "":
                row[name] = value
        out.append(row)
    return out


def sections_of_file(path: Path) -> tuple[dict[str, list[Any]], int | None]:
    """Sections of a scenario file, or of a 5G-site CSV (whose errors name CSV rows)."""
    if path.suffix.lower() == ".csv":
        # Row 1 is the header, so the first data row is row 2, as a spreadsheet shows it.
        return {"five_g_sites": read_sites_csv(path.read_text(encoding="utf-8"))}, 2
    return read_scenario_registry(path), None


def iter_errors(problem: Problem) -> Iterable[str]:
    """One readable line per field error."""
    for e in problem.errors:
        where = f"row {e.row}: " if e.row is not None else ""
        yield f"{where}{e.field}: {e.message}"
