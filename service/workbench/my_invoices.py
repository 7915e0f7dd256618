"""A unit's invoices: each one's status from the engine's ledger, and the upload form."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from aiohttp import web

from collectors.invoices.api import BUYERS, CONFIG, buyers_of, upload_invoices
from collectors.invoices.judge import INVOICE_JUDGE, InvoiceStatus
from collectors.invoices.listing import list_invoices
from collectors.invoices.schemas import UploadResult
from collectors.invoices.store import UploadMeta
from collectors.invoices.upload import receive
from registry.audit import Actor
from registry.money import from_fen
from registry.web_sessions import SignedIn
from service.kit.keys import DB, REQUEST_ID
from service.kit.problems import Problem
from service.workbench.core import HTTP_STATUS, PageContext, page, page_offset
from service.workbench.i18n import Translate, choose_lang
from service.workbench.upload_messages import RowError, row_errors, say

PAGE_SIZE = 50
FIRST_YEAR = 2023  # the policy window opens on 2023-12-01


def _year(request: web.Request, today: dt.date) -> int | None:
    raw = request.query.get("year", str(today.year))
    if raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or not FIRST_YEAR <= int(raw) <= today.year + 1:
        raise Problem(400, "Bad Request", f"year must be between {FIRST_YEAR} and {today.year}")
    return int(raw)


def _status(request: web.Request) -> InvoiceStatus | None:
    raw = request.query.get("status", "")
    if raw == "":
        return None
    try:
        return InvoiceStatus(raw)
    except ValueError:
        raise Problem(400, "Bad Request", f"unknown invoice status {raw[:40]!r}") from None


def _buyers_only(signed: SignedIn) -> None:
    """As the API: buyer tokens (and officials) list and upload invoices, others 403."""
    principal = signed.principal
    if principal.role not in BUYERS and not principal.is_official:
        raise Problem(403, "Forbidden", "invoices_for_buyers")


async def _listing(request: web.Request, signed: SignedIn) -> dict[str, Any]:
    """The unit's invoices of the chosen year and status, one page, and the year's total."""
    principal = signed.principal
    _buyers_only(signed)
    today = request.app[CONFIG].today()
    year, status, offset = _year(request, today), _status(request), page_offset(request)
    judge = request.app[INVOICE_JUDGE]
    async with request.app[DB]() as session:
        items, total = await list_invoices(
            session, judge, principal.unit_id, year, PAGE_SIZE, offset, status
        )
        counted = None
        if year is not None:
            counted = from_fen(await judge.counted_total(session, principal.unit_id, year))
    chosen = {k: v for k, v in (("year", year), ("status", status)) if v is not None}
    return {
        "invoices": items,
        "total": total,
        "offset": offset,
        "page_size": PAGE_SIZE,
        "chosen": chosen,
        "year": year,
        "status": status,
        "years": list(range(today.year, FIRST_YEAR - 1, -1)),
        "statuses": list(InvoiceStatus),
        "counted_total": counted,
        "result": None,
        "summary": "",
        "errors": [],
        "notices": [],
    }


@page("my_invoices.html")
async def my_invoices(request: web.Request, signed: SignedIn) -> PageContext:
    """GET /my/invoices: the unit's invoices with their statuses; the upload form."""
    return await _listing(request, signed)


def _outcome(result: UploadResult, _: Translate) -> str:
    if result.dry_run:
        return _("upload_checked", would_store=result.would_store or 0, unchanged=result.unchanged)
    if result.upload is None:
        return _("upload_unchanged", unchanged=result.unchanged)
    return _("upload_stored", stored=result.stored, unchanged=result.unchanged)


@page("my_invoices.html")
async def post_my_invoices(request: web.Request, signed: SignedIn) -> PageContext:
    """POST /my/invoices: a form's file through the API's own upload function."""
    principal = signed.principal
    _buyers_only(signed)
    _ = Translate(choose_lang(request))
    fields: dict[str, str] = {}
    result: UploadResult | None = None
    summary, errors = "", list[RowError]()
    refused = 200
    try:
        received = await receive(request, request.app[CONFIG].max_body_bytes, fields)
    except Problem as problem:
        summary, errors = row_errors(problem, _)
        refused, received = problem.status, None
    given = fields.get("csrf", "")
    if not signed.csrf_token or not hmac.compare_digest(given, signed.csrf_token):
        if received is not None:
            received.remove()
        raise Problem(403, "Forbidden", "bad_form")
    if received is not None:
        try:
            buyers = await buyers_of(request.app, principal, None)
            meta = UploadMeta(
                actor=Actor.of(principal, request.get(REQUEST_ID)),
                uploaded_by=principal.key_id,
                filename=received.filename,
                sha256=received.sha256,
            )
            result = await upload_invoices(
                request.app, received, buyers, meta, dry_run=fields.get("dry_run") == "1"
            )
        except Problem as problem:
            summary, errors = row_errors(problem, _)
            refused = problem.status
        finally:
            received.remove()
    context = await _listing(request, signed)
    context["result"] = result
    context["summary"] = _outcome(result, _) if result is not None else summary
    context["errors"] = errors
    context[HTTP_STATUS] = refused
    context["notices"] = [] if result is None else [
        (n.row, n.number, say(n.message, _)) for n in result.skipped
    ]  # fmt: skip
    return context


def add_routes(app: web.Application) -> None:
    """The unit's invoice page and its upload form."""
    app.router.add_get("/my/invoices", my_invoices, allow_head=False)
    app.router.add_post("/my/invoices", post_my_invoices)
