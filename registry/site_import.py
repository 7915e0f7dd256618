"""Import a 5G-site file over HTTP: new sites created, changed ones updated, the rest untouched."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web
from pydantic import BaseModel, ValidationError
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from registry.api import unit_ids
from registry.audit import Actor, actor_of, record_many
from registry.code_keys import code_key
from registry.importer import SiteTable
from registry.models import FiveGSite
from registry.resources import FIVE_G_SITES, Context
from registry.schemas import FiveGSiteIn
from registry.site_file import MAX_BYTES, SiteFormat, format_of, read_site_file
from service.kit.keys import DB
from service.kit.principal import Role, principal_of
from service.kit.problems import FieldError, Problem, bad_request, conflict, invalid, too_large
from service.kit.roles import require_role
from service.kit.web import operation, pydantic_errors, respond

OPERATORS = frozenset({Role.OPERATOR})
REQUIRED = ("code", "division", "latitude", "longitude", "status")
CHUNK = 500  # codes per IN (…): far below every database's bind-parameter limit
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SiteImportResult(BaseModel):
    """What an import did: every row is created, updated or unchanged."""

    rows: int
    created: int
    updated: int
    unchanged: int
    ignored_columns: list[str]


@dataclass
class CheckedSites:
    """Rows that passed the checks, with their spreadsheet row numbers, and the errors found."""

    sites: list[FiveGSiteIn]
    row_numbers: list[int]
    ignored_columns: list[str]
    errors: list[FieldError]


def check_rows(table: SiteTable, own_unit: str | None) -> CheckedSites:
    """Validate every row, keeping every error; an operator's rows default to its own unit."""
    columns = set(table.columns)
    needed = REQUIRED if own_unit is not None else (*REQUIRED, "unit")
    missing = [name for name in needed if name not in columns]
    if missing:
        found = ", ".join(sorted(columns)) or "none"
        raise invalid([FieldError(name, f"missing column (found: {found})") for name in missing])
    errors: list[FieldError] = []
    sites: list[FiveGSiteIn] = []
    numbers: list[int] = []
    seen: dict[str, int] = {}
    for row, number in zip(table.rows, table.row_numbers, strict=True):
        if own_unit is not None:
            row.setdefault("unit", own_unit)
        try:
            site = FiveGSiteIn.model_validate(row)
        except ValidationError as exc:
            for e in pydantic_errors(exc):
                e.row = number
                errors.append(e)
            continue
        if own_unit is not None and site.unit != own_unit:
            message = f"an operator token imports only its own unit's sites ({own_unit})"
            errors.append(FieldError("unit", message, row=number))
        key = code_key(site.code)  # "S-1" and "s-1" are one site
        if key in seen:
            message = f"{site.code!r} appears twice in this file (row {seen[key]})"
            errors.append(FieldError("code", message, row=number))
        seen.setdefault(key, number)
        sites.append(site)
        numbers.append(number)
    return CheckedSites(sites, numbers, table.ignored_columns, errors)


def _same(stored: FiveGSite, site: FiveGSiteIn, unit_id: int) -> bool:
    # Decimal and date equality: 45.75 and 45.750000 are one latitude.
    return (
        stored.unit_id == unit_id
        and stored.division == site.division
        and stored.latitude == site.latitude
        and stored.longitude == site.longitude
        and list(stored.bands) == list(site.bands)
        and stored.status == site.status
        and stored.opened_on == site.opened_on
    )


async def _stored_sites(session: AsyncSession, codes: list[str]) -> dict[str, FiveGSite]:
    """The stored sites by code key: "s-1" finds "S-1", which the database keeps unique."""
    keys = sorted({code_key(c) for c in codes})
    found: dict[str, FiveGSite] = {}
    for start in range(0, len(keys), CHUNK):
        rows = await session.scalars(
            select(FiveGSite)
            .options(joinedload(FiveGSite.unit))
            .where(FiveGSite.code_key.in_(keys[start : start + CHUNK]))
        )
        found |= {r.code_key: r for r in rows}
    return found


def _snapshot(row: FiveGSite, ctx: Context) -> dict[str, Any]:
    return FIVE_G_SITES.render(row, ctx).model_dump(mode="json")


async def store_sites(
    session: AsyncSession, checked: CheckedSites, actor: Actor, own_unit: str | None
) -> SiteImportResult:
    """Create new sites and update changed ones, audited, in the caller's transaction."""
    ctx = Context()
    sites = checked.sites
    ctx.unit_ids = await unit_ids(session, {s.unit for s in sites})
    by_key = await _stored_sites(session, [s.code for s in sites])
    errors = list(checked.errors)
    for site, number in zip(sites, checked.row_numbers, strict=True):
        if site.unit not in ctx.unit_ids:
            errors.append(FieldError("unit", f"unknown unit {site.unit!r}", row=number))
        key = code_key(site.code)
        old = by_key.get(key)
        if own_unit is not None and old is not None and old.unit.code != own_unit:
            message = f"{site.code!r} is registered to another unit"
            errors.append(FieldError("code", message, row=number))
        elif old is not None and old.code != site.code:
            # Codes differ only in letter case or width: one site, and the database agrees.
            message = f"{site.code!r} is already registered as {old.code!r}"
            errors.append(FieldError("code", message, row=number))
    if errors:
        raise invalid(errors)
    stored = {row.code: row for row in by_key.values()}
    new = [s for s in sites if s.code not in stored]
    changed = [s for s in sites if s.code in stored]
    changed = [s for s in changed if not _same(stored[s.code], s, ctx.unit_ids[s.unit])]
    if new:
        items = [FIVE_G_SITES.item_of(s) for s in new]
        rows = [FIVE_G_SITES.columns(item, ctx) for item in items]
        await session.execute(insert(FIVE_G_SITES.core_table), rows)
        creations = [(s.code, None, s.model_dump(mode="json")) for s in new]
        await record_many(session, actor, "create", "five_g_site", creations, note="import")
    if changed:
        updates = []
        for site in changed:
            row = stored[site.code]
            before = _snapshot(row, ctx)
            columns = FIVE_G_SITES.columns(FIVE_G_SITES.item_of(site), ctx)
            for name, value in columns.items():
                setattr(row, name, value)
            updates.append((site.code, before, site.model_dump(mode="json")))
        await session.flush()
        await record_many(session, actor, "update", "five_g_site", updates, note="import")
    return SiteImportResult(
        rows=len(sites),
        created=len(new),
        updated=len(changed),
        unchanged=len(sites) - len(new) - len(changed),
        ignored_columns=checked.ignored_columns,
    )


async def import_site_file(
    session: AsyncSession, raw: bytes, xlsx: bool, actor: Actor
) -> SiteImportResult:
    """The command line's import of a site file: an official's reach, no row limit."""
    table = read_site_file(raw, "xlsx" if xlsx else "csv", max_rows=None)
    return await store_sites(session, check_rows(table, None), actor, None)


def describe(result: SiteImportResult) -> str:
    """One line saying what an import did."""
    line = (
        f"{result.rows} sites: {result.created} created, {result.updated} updated, "
        f"unchanged: {result.unchanged}"
    )
    if result.ignored_columns:
        line += f"; ignored columns: {', '.join(result.ignored_columns)}"
    return line


async def _read_limited(chunks: Any, limit: int) -> bytes:
    body = bytearray()
    async for block in chunks:
        body += block
        if len(body) > limit:
            raise too_large(limit)
    return bytes(body)


async def read_upload(request: web.Request) -> tuple[bytes, SiteFormat]:
    """The file of a CSV or XLSX body, or of a multipart form's `file` field."""
    if request.content_type == "multipart/form-data":
        try:
            return await _form_file(request)
        except (KeyError, ValueError):
            # No boundary, or a body that does not follow it.
            raise bad_request("not a readable multipart/form-data body") from None
    if request.content_type not in ("text/csv", "text/plain", XLSX, "application/octet-stream"):
        raise Problem(415, "Unsupported media type", "send text/csv or an XLSX workbook")
    raw = await _read_limited(request.content.iter_chunked(1 << 16), MAX_BYTES)
    return raw, format_of(raw, request.content_type, None)


async def _form_file(request: web.Request) -> tuple[bytes, SiteFormat]:
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if isinstance(part, BodyPartReader) and part.name == "file":
            raw = await _read_limited(_part_chunks(part), MAX_BYTES)
            media = part.headers.get("Content-Type", "")
            return raw, format_of(raw, media, part.filename)
    raise invalid([FieldError("file", "the form has no `file` field")])


async def _part_chunks(part: BodyPartReader) -> Any:
    while block := await part.read_chunk(1 << 16):
        yield block


@operation(
    summary="Import 5G sites from a CSV or XLSX file; all rows or none",
    tag="5G sites",
    body_media={
        "text/csv": {"schema": {"type": "string"}},
        XLSX: {"schema": {"type": "string", "format": "binary"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
    },
    responses={200: SiteImportResult, 201: SiteImportResult},
    problems=(400, 401, 403, 409, 413, 415, 422),
    description="The format of `import registry FILE.csv` (see registry/README.md): UTF-8 or "
    "GB18030, English or Chinese headers, unknown columns ignored and named. A site already "
    "stored with the same values is unchanged; one with other values is updated and audited. "
    "201 when sites were created, else 200.",
)
async def import_five_g_sites(request: web.Request) -> web.Response:
    """POST /api/v1/5g-sites/import."""
    principal = principal_of(request)
    require_role(principal, OPERATORS, "import 5G sites")
    own_unit = None if principal.is_official else principal.unit_code
    raw, file_format = await read_upload(request)

    def parse_and_check() -> CheckedSites:
        return check_rows(read_site_file(raw, file_format), own_unit)

    # Parsing and checking 100,000 rows takes a while: off the event loop, before any lock.
    checked = await asyncio.to_thread(parse_and_check)
    try:
        async with request.app[DB]() as session, session.begin():
            result = await store_sites(session, checked, actor_of(request), own_unit)
    except IntegrityError:
        raise conflict("a concurrent change got there first; send the file again") from None
    return respond(result, status=201 if result.created else 200)


def add_routes(app: web.Application) -> None:
    """POST /api/v1/5g-sites/import."""
    app.router.add_post("/api/v1/5g-sites/import", import_five_g_sites)
