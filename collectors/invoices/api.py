"""HTTP API: invoice uploads and the invoice list, sales reports, reconciliation."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from collectors.invoices.judge import INVOICE_JUDGE
from collectors.invoices.listing import list_invoices
from collectors.invoices.parsing import read_file
from collectors.invoices.reconciliation import reconcile
from collectors.invoices.sales_files import read_sales_file
from collectors.invoices.sales_reports import store_sales_reports
from collectors.invoices.schemas import (
    ExpectedRow,
    InvoiceItem,
    InvoicePage,
    InvoiceQuery,
    ReconciliationOut,
    ReconciliationQuery,
    RowNotice,
    SalesReportBatch,
    SalesReportResult,
    UploadQuery,
    UploadResult,
)
from collectors.invoices.store import UploadMeta, store_invoices
from collectors.invoices.tables import capped, out_of_memory
from collectors.invoices.upload import XLSX, Received, receive
from collectors.invoices.validation import Buyers
from registry.api import unit_ids
from registry.audit import actor_of
from registry.models import Unit
from registry.money import from_fen
from service.kit.keys import DB
from service.kit.principal import Principal, Role, principal_of
from service.kit.problems import FieldError, Problem, forbidden, not_found
from service.kit.roles import require_official, require_role
from service.kit.web import operation, read_query, respond

log = logging.getLogger("infra_incentives.invoices")
BUYERS = frozenset({Role.BUYER})
PROVIDERS = frozenset({Role.PROVIDER})


@dataclass(frozen=True)
class InvoiceConfig:
    """What the invoice API is told at start."""

    timezone: str
    max_body_bytes: int

    def today(self) -> dt.date:
        """Today's calendar day in the service's time zone (Asia/Shanghai)."""
        return dt.datetime.now(ZoneInfo(self.timezone)).date()


CONFIG = web.AppKey("invoice_config", InvoiceConfig)
# Queues the write transactions of uploads on SQLite, one writer at a time: a queued upload
# waits here (its file already checked) rather than on the database's 30 s busy timeout.
WRITES = web.AppKey("invoice_writes", asyncio.Lock)
RETRY_AFTER_SECONDS = 5


def busy() -> web.HTTPServiceUnavailable:
    """503 with Retry-After, for a database that stayed locked by another writer."""
    return web.HTTPServiceUnavailable(
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        text="the database is busy with another write; send the request again shortly",
    )


_BINARY = {"type": "string", "contentMediaType": "application/octet-stream"}
UPLOAD_MEDIA: dict[str, Any] = {
    "text/csv": {
        "type": "string",
        "description": "header row, then one invoice per row; English field names or "
        "发票号码, 发票代码, 购买方统一社会信用代码, 销售方统一社会信用代码, 开票日期, 价税合计, "
        "发票类型 (蓝字/红字), 被冲红发票号码; UTF-8 or GB18030",
    },
    XLSX: {**_BINARY, "contentMediaType": XLSX, "description": "first sheet, same columns"},
    "application/json": {
        "type": "object",
        "required": ["invoices"],
        "additionalProperties": False,
        "properties": {
            "invoices": {
                "type": "array",
                "minItems": 1,
                "items": InvoiceItem.model_json_schema(),
            }
        },
    },
    "multipart/form-data": {
        "type": "object",
        "required": ["file"],
        "properties": {"file": {**_BINARY, "description": "a .csv, .xlsx or .json file"}},
    },
}


async def _unit_id(request: web.Request, code: str) -> int:
    return await unit_id_of(request.app, code)


async def unit_id_of(app: web.Application, code: str) -> int:
    """The id of a unit by its code, or 404."""
    async with app[DB]() as session:
        found = await unit_ids(session, {code})
    if code not in found:
        raise not_found("unit", code)
    return found[code]


async def buyers_of(app: web.Application, principal: Principal, code: str | None) -> Buyers:
    """Who the rows may name as buyer: a buyer token its own unit, an official anyone."""
    if not principal.is_official:
        if code is not None and code != principal.unit_code:
            raise forbidden("a buyer token uploads only its own unit's invoices")
        async with app[DB]() as session:
            credit = await session.scalar(
                select(Unit.credit_code).where(Unit.id == principal.unit_id)
            )
        reason = (
            f"must be your unit's credit code {credit}: "
            "a buyer token uploads only its own unit's invoices"
        )
        return Buyers(default=principal.unit_id, only=principal.unit_id, only_reason=reason)
    if code is None:
        return Buyers()
    unit = await unit_id_of(app, code)
    return Buyers(default=unit, only=unit, only_reason=f"must be the credit code of unit {code}")


async def upload_invoices(
    app: web.Application,
    received: Received,
    buyers: Buyers,
    meta: UploadMeta,
    *,
    dry_run: bool,
) -> UploadResult:
    """Read a received invoice file and store it (or only check it); the file is removed.

    The API's upload and the workbench's upload form both come through here.
    """
    config = app[CONFIG]
    try:
        rows = await asyncio.to_thread(read_file, received.path, received.file_format)
        async with app[DB]() as session:
            report = await store_invoices(
                session, rows, buyers, meta, config.today(), dry_run=dry_run,
                write_lock=app[WRITES],
            )  # fmt: skip
            # After the queue's lock: the next queued upload's first insert waits only for this.
            await session.commit()
    except MemoryError:
        raise out_of_memory() from None
    except OperationalError as exc:
        if "locked" not in str(exc):
            raise
        raise busy() from None
    finally:
        received.remove()
    return UploadResult(
        upload=report.upload,
        dry_run=report.dry_run,
        rows=report.rows,
        stored=report.stored,
        unchanged=report.unchanged,
        duplicate_claims=report.duplicate_claims,
        would_store=report.would_store,
        expected=_expected(report.expected) if report.dry_run else None,
        source=rows.source,
        sheet=rows.sheet,
        ignored_columns=rows.ignored,
        skipped=[RowNotice(row=n.row, number=n.number, message=n.message) for n in rows.skipped],
        warnings=[RowNotice(row=n.row, number=n.number, message=n.message) for n in rows.warnings],
    )


@operation(
    summary="Upload invoices (CSV, XLSX, JSON or a form's file); all rows or none",
    tag="invoices",
    body_media=UPLOAD_MEDIA,
    query=UploadQuery,
    responses={200: UploadResult, 201: UploadResult},
    problems=(400, 401, 403, 404, 408, 409, 413, 415, 422, 503),
    description="Every row is checked and every error reported at once, by row and column "
    "as the file names them (JSON items by index). 201 when invoices were stored; 200 for a "
    "dry run or when every row was already stored with the same values.",
)
async def post_invoices(request: web.Request) -> web.Response:
    """POST /api/v1/invoices."""
    principal = principal_of(request)
    require_role(principal, BUYERS, "upload invoices")
    query = read_query(request, UploadQuery)
    buyers = await buyers_of(request.app, principal, query.buyer)
    received = await receive(request, request.app[CONFIG].max_body_bytes)
    log.info(
        "invoice upload of %d bytes from key %s received; checking and storing",
        received.size,
        principal.key_id,
    )
    meta = UploadMeta(
        actor=actor_of(request),
        uploaded_by=principal.key_id,
        filename=received.filename,
        sha256=received.sha256,
    )
    result = await upload_invoices(request.app, received, buyers, meta, dry_run=query.dry_run)
    return respond(result, status=201 if result.upload is not None else 200)


def _expected(rows: list[tuple[int, str, str]]) -> list[ExpectedRow]:
    return [ExpectedRow.model_validate({"row": r, "number": n, "status": s}) for r, n, s in rows]


@operation(
    summary="List stored invoices with their status (counted, or the exclusion reason)",
    tag="invoices",
    query=InvoiceQuery,
    responses={200: InvoicePage},
    problems=(400, 401, 403, 404),
    description="Each invoice's status comes from the policy engine's own ledger, the one "
    "statements read. With a buyer and ?year=, counted_total is that year's net counted spend.",
)
async def get_invoices(request: web.Request) -> web.Response:
    """GET /api/v1/invoices."""
    principal = principal_of(request)
    require_role(principal, BUYERS, "list invoices")
    query = read_query(request, InvoiceQuery)
    buyer_id: int | None = None
    if not principal.is_official:
        if query.buyer is not None and query.buyer != principal.unit_code:
            raise forbidden("a buyer token sees only its own unit's invoices")
        buyer_id = principal.unit_id
    elif query.buyer is not None:
        buyer_id = await _unit_id(request, query.buyer)
    if query.status is not None and buyer_id is None:
        raise Problem(
            400,
            "Bad query",
            "a status filter needs a buyer",
            [FieldError("query.buyer", "required with status")],
        )
    judge = request.app[INVOICE_JUDGE]
    async with request.app[DB]() as session:
        items, total = await list_invoices(
            session, judge, buyer_id, query.year, query.limit, query.offset, query.status
        )
        counted = None
        if buyer_id is not None and query.year is not None:
            counted = from_fen(await judge.counted_total(session, buyer_id, query.year))
    page = InvoicePage(
        items=items, total=total, limit=query.limit, offset=query.offset, counted_total=counted
    )
    return respond(page)


SALES_MEDIA: dict[str, Any] = {
    "text/csv": {
        "type": "string",
        "description": "header row, then one report per row: number, code, buyer, seller, "
        "issued_on, amount, accelerator_hours, or 发票号码 (数电发票号码), 发票代码, "
        "购买方统一社会信用代码 (购方识别号), 销售方统一社会信用代码 (销方识别号), "
        "开票日期, 价税合计, 交付卡时; UTF-8 or GB18030",
    },
    XLSX: {**_BINARY, "contentMediaType": XLSX, "description": "first visible sheet, same columns"},
    "application/json": SalesReportBatch.model_json_schema(),
    "multipart/form-data": UPLOAD_MEDIA["multipart/form-data"],
}


@operation(
    summary="Report invoices issued and compute delivered (key providers); all or nothing",
    tag="invoices",
    body_media=SALES_MEDIA,
    responses={200: SalesReportResult, 201: SalesReportResult},
    problems=(400, 401, 403, 408, 409, 413, 415, 422, 503),
    description="JSON, CSV or XLSX (or a form's file). A report identical to a stored one "
    "changes nothing (200); one that differs from the stored report of the same seller and "
    "number is an error. Every error is reported at once, file rows by row and column.",
)
async def post_sales_reports(request: web.Request) -> web.Response:
    """POST /api/v1/sales-reports."""
    principal = principal_of(request)
    require_role(principal, PROVIDERS, "report sales")
    config = request.app[CONFIG]
    received = await receive(request, config.max_body_bytes)
    try:
        batch = await asyncio.to_thread(read_sales_file, received.path, received.file_format)
    except MemoryError:
        raise out_of_memory() from None
    finally:
        received.remove()
    lock = request.app[WRITES] if _on_sqlite(request) else None
    try:
        async with lock or contextlib.nullcontext(), request.app[DB]() as session:
            result = await store_sales_reports(
                session, principal, actor_of(request), batch.items, batch.errors
            )
            await session.commit()
    except Problem as problem:
        raise capped(batch.located(problem)) from None
    except OperationalError as exc:
        if "locked" not in str(exc):
            raise
        raise busy() from None
    result.sheet = batch.sheet
    result.ignored_columns = batch.ignored
    return respond(result, status=201 if result.stored else 200)


def _on_sqlite(request: web.Request) -> bool:
    bind = request.app[DB].kw.get("bind")
    return bind is not None and bind.dialect.name == "sqlite"


@operation(
    summary="Reconcile sales reports with buyers' invoices: every mismatch (officials)",
    tag="invoices",
    query=ReconciliationQuery,
    responses={200: ReconciliationOut},
    problems=(400, 401, 403, 404),
)
async def get_reconciliation(request: web.Request) -> web.Response:
    """GET /api/v1/reconciliation."""
    principal = principal_of(request)
    require_official(principal, "see the reconciliation")
    query = read_query(request, ReconciliationQuery)
    seller = await _unit_id(request, query.seller) if query.seller else None
    buyer = await _unit_id(request, query.buyer) if query.buyer else None
    async with request.app[DB]() as session:
        out = await reconcile(
            session, seller, buyer, query.year, query.kind, query.limit, query.offset
        )
    return respond(out)


def add_routes(app: web.Application) -> None:
    """Add the invoice routes under /api/v1."""
    app.router.add_post("/api/v1/invoices", post_invoices)
    app.router.add_get("/api/v1/invoices", get_invoices, allow_head=False)
    app.router.add_post("/api/v1/sales-reports", post_sales_reports)
    app.router.add_get("/api/v1/reconciliation", get_reconciliation, allow_head=False)


__all__ = ["CONFIG", "WRITES", "InvoiceConfig", "Problem", "add_routes"]
