"""Officials' statement pages: the list, a run, one statement with its review actions, files."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from incentives.install_keys import INCENTIVES_SETTINGS, POLICIES
from incentives.models import Statement, StatementLine
from incentives.statements.export import MEDIA_TYPES, FileFormat, Lang, filename
from incentives.statements.files import statement_file
from incentives.statements.queries import (
    count_lines,
    expand_evidence,
    list_statements,
    statement_lines,
)
from incentives.statements.review import ActionInput, apply_action
from incentives.statements.run import RunError, RunResult, run_statements
from incentives.statements.workflow import OFFICIAL_ACTIONS, Action, Status, allowed_actions
from incentives.statements.workflow_api import rules_of
from registry.audit import Actor
from registry.models import ApiKey, Unit, utcnow
from registry.money import fen_text, to_fen
from registry.web_sessions import SignedIn
from service.kit.keys import DB, REQUEST_ID
from service.kit.problems import FieldError, Problem, invalid
from service.workbench.core import SIGNED_IN, PageContext, checked_form, page, page_offset, render
from service.workbench.i18n import choose_lang
from service.workbench.refusals import Said, said

PAGE_SIZE = 50
LINES_PER_PAGE = 200  # a voucher statement may have a line per buyer: thousands
MAX_ID = 2**31 - 1
DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MONEY = re.compile(r"^-?[0-9]+\.[0-9]{2}$")
PERIOD = re.compile(r"^[0-9/-]{4,21}$")
STATUSES = [s.value for s in Status]


def money(fen: int) -> str:
    """Fen as yuan with two decimals and thousands separators."""
    text = fen_text(fen)
    whole, _, cents = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}.{cents}"


def local_time(app: web.Application, value: dt.datetime | None) -> str:
    """A UTC time on the service's calendar, to the minute."""
    if value is None:
        return ""
    zone = ZoneInfo(app[INCENTIVES_SETTINGS].timezone)
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def clause_titles(app: web.Application) -> dict[str, tuple[str, str, str]]:
    """Every loaded clause: (reference, Chinese title, English title)."""
    titles: dict[str, tuple[str, str, str]] = {}
    for policy in app[POLICIES].values():
        for name, text in policy.clauses.items():
            titles.setdefault(name, (text.reference, text.title_zh, text.title_en))
    return titles


def clause_title(app: web.Application, request: web.Request, clause: str) -> str:
    """A clause's title in the page's language."""
    found = clause_titles(app).get(clause)
    if found is None:
        return clause
    return found[1] if choose_lang(request).value == "zh" else found[2]


def positive_id(raw: str) -> int:
    """A path id, or 404."""
    value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else 0
    if not 1 <= value <= MAX_ID:
        raise Problem(404, "Not found", f"no statement with id {raw}")
    return value


def _filters(request: web.Request) -> dict[str, str]:
    known = {
        "clause": set(clause_titles(request.app)),
        "status": set(STATUSES),
    }
    chosen: dict[str, str] = {}
    for name in ("clause", "period", "status"):
        value = request.query.get(name, "")
        if not value:
            continue
        if name in known and value not in known[name]:
            continue
        if name == "period" and not PERIOD.match(value):
            continue
        chosen[name] = value
    return chosen


async def _list_context(request: web.Request) -> dict[str, Any]:
    chosen = _filters(request)
    offset = page_offset(request)
    titles = clause_titles(request.app)
    async with request.app[DB]() as session:
        rows, total = await list_statements(
            session,
            chosen.get("clause"),
            chosen.get("period"),
            chosen.get("status"),
            PAGE_SIZE,
            offset,
        )
    return {
        "statements": [
            {
                "id": s.id,
                "number": s.number,
                "clause": s.clause,
                "clause_title": clause_title(request.app, request, s.clause),
                "period": s.period,
                "status": s.status,
                "total": money(s.total_fen),
                "as_of": s.as_of.isoformat(),
            }
            for s in rows
        ],
        "clauses": sorted(titles),
        "clause_names": {c: clause_title(request.app, request, c) for c in titles},
        "statuses": STATUSES,
        "chosen": chosen,
        "total": total,
        "offset": offset,
        "page_size": PAGE_SIZE,
        "run_results": None,
        "run_as_of": None,
        "errors": [],
    }


@page("statements.html", officials=True)
async def statements(request: web.Request, signed: SignedIn) -> PageContext:
    """GET /statements: every statement, newest first, filtered by clause, period and status."""
    return await _list_context(request)


def officials_only(request: web.Request) -> SignedIn | web.StreamResponse:
    """The signed-in official of a form post, or the page to answer with instead."""
    signed: SignedIn | None = request.get(SIGNED_IN)
    if signed is None:
        return web.HTTPSeeOther(f"/login?next={quote(request.path, safe='')}")
    if not signed.principal.is_official:
        return render(request, "error.html", {"problem": None, "message_key": "forbidden"}, 403)
    return signed


def actor_of_page(request: web.Request, signed: SignedIn) -> Actor:
    """The audit actor of a page's form post: the signed-in key."""
    return Actor.of(signed.principal, request.get(REQUEST_ID))


def field_errors(request: web.Request, problem: Problem) -> list[Said]:
    """A refusal's messages in the page's language, field by field."""
    return said(problem, choose_lang(request))


def _form_text(form: Mapping[str, Any], name: str, limit: int) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _run_item(request: web.Request, r: RunResult) -> dict[str, Any]:
    return {
        "clause_title": clause_title(request.app, request, r.clause),
        "period": r.period,
        "action": r.action,
        "statement": r.statement_id,
        "number": r.number,
        "status": r.status,
        "lines": r.lines,
        "total": money(r.total_fen),
    }


async def run_now(request: web.Request) -> web.StreamResponse:
    """POST /statements/run: the same run as POST /api/v1/statements/runs, from the page."""
    signed = officials_only(request)
    if not isinstance(signed, SignedIn):
        return signed
    try:
        form = await checked_form(request, signed.csrf_token)
    except Problem as problem:
        return render(request, "error.html", {"problem": problem, "message_key": None}, 403)
    zone = ZoneInfo(request.app[INCENTIVES_SETTINGS].timezone)
    now = dt.datetime.now(dt.UTC)
    errors: list[FieldError] = []
    raw_day = _form_text(form, "as_of", 10)
    as_of = now.astimezone(zone).date()
    if raw_day:
        try:
            if not DAY.match(raw_day):
                raise ValueError(raw_day)
            as_of = dt.date.fromisoformat(raw_day)
        except ValueError:
            errors.append(FieldError("as_of", f"not a day (YYYY-MM-DD): {raw_day}"))
    clause = _form_text(form, "clause", 32) or None
    period = _form_text(form, "period", 32) or None
    results: list[dict[str, Any]] = []
    if not errors:
        try:
            async with request.app[DB]() as session, session.begin():
                for policy in request.app[POLICIES].values():
                    done = await run_statements(
                        session, policy, as_of, actor_of_page(request, signed), clause, period,
                        now,
                    )  # fmt: skip
                    results += [_run_item(request, r) for r in done]
        except RunError as exc:
            errors.append(FieldError(exc.field, str(exc)))
        except Problem as problem:
            errors += problem.errors or [FieldError("", problem.detail or problem.title)]
    context = await _list_context(request)
    shown = field_errors(request, invalid(errors)) if errors else []
    context |= {"run_results": results, "run_as_of": as_of.isoformat(), "errors": shown}
    return render(request, "statements.html", context, 422 if errors else 200)


async def _key_names(session: AsyncSession, key_ids: Iterable[str | None]) -> dict[str, str]:
    wanted = {k for k in key_ids if k}
    if not wanted:
        return {}
    query = select(ApiKey.key_id, ApiKey.name).where(ApiKey.key_id.in_(wanted))
    rows = await session.execute(query)
    return {key: name or "" for key, name in rows.tuples()}


async def _detail_context(request: web.Request, statement_id: int) -> dict[str, Any]:
    lang = choose_lang(request).value
    offset = page_offset(request)
    async with request.app[DB]() as session:
        found = await statement_lines(
            session,
            statement_id,
            None,
            window=(offset, LINES_PER_PAGE),
            with_evidence=False,
        )
        if found is None:
            raise Problem(404, "Not found", f"no statement with id {statement_id}")
        s, lines = found
        lines_total = await count_lines(session, statement_id)
        names = await _key_names(session, (s.submitted_by, s.approved_by))
        ids = {line.unit_id for line in lines}
        unit_name: dict[int, str] = {}
        if ids:
            rows = await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)))
            unit_name = dict(rows.tuples().all())
    titles = clause_titles(request.app).get(s.clause, ("", s.clause, s.clause))
    status = Status(s.status)
    return {
        "s": {
            "id": s.id,
            "number": s.number,
            "policy": s.policy,
            "clause": s.clause,
            "reference": titles[0],
            "clause_title": titles[1] if lang == "zh" else titles[2],
            "period": s.period,
            "status": s.status,
            "as_of": s.as_of.isoformat(),
            "total": money(s.total_fen),
            "submitted_by": s.submitted_by,
            "submitted_name": names.get(s.submitted_by or "", ""),
            "submitted_at": local_time(request.app, s.submitted_at),
            "approved_by": s.approved_by,
            "approved_name": names.get(s.approved_by or "", ""),
            "approved_at": local_time(request.app, s.approved_at),
            "published_at": local_time(request.app, s.published_at),
            "notice_ends_at": local_time(request.app, s.notice_ends_at),
            "finalised_at": local_time(request.app, s.finalised_at),
            "payment_reference": s.payment_reference,
            "paid_on": s.paid_on.isoformat() if s.paid_on else "",
            "comment": s.comment,
        },
        "lines": [
            {
                "id": line.id,
                "unit": line.unit,
                "unit_name": unit_name.get(line.unit_id, line.unit),
                "subject": line.subject,
                "kind": line.kind,
                "corrects": line.corrects_id,
                "amount": money(line.amount_fen),
                "entitlement": money(line.entitlement_fen),
                "steps": line.explanation if lang == "zh" else line.explanation_en,
            }
            for line in lines
        ],
        "lines_total": lines_total,
        "offset": offset,
        "page_size": LINES_PER_PAGE,
        "actions": [a.value for a in allowed_actions(status)],
        "today": dt.datetime.now(ZoneInfo(request.app[INCENTIVES_SETTINGS].timezone))
        .date()
        .isoformat(),
        "done": None,
        "refused": None,
        "form": {},
    }


@page("statement.html", officials=True)
async def statement(request: web.Request, signed: SignedIn) -> PageContext:
    """GET /statements/{id}: header, lines with explanations, review actions, files."""
    context = await _detail_context(request, positive_id(request.match_info["id"]))
    done = request.query.get("done", "")
    if done in {a.value for a in OFFICIAL_ACTIONS}:
        context["done"] = f"done_{done}"
    return context


async def act(request: web.Request) -> web.StreamResponse:
    """POST /statements/{id}/{action}: the same audited transition as the API's."""
    signed = officials_only(request)
    if not isinstance(signed, SignedIn):
        return signed
    statement_id = positive_id(request.match_info["id"])
    name = request.match_info["action"]
    if name not in {a.value for a in OFFICIAL_ACTIONS}:
        raise web.HTTPNotFound()
    action = Action(name)
    try:
        form = await checked_form(request, signed.csrf_token)
    except Problem as problem:
        return render(request, "error.html", {"problem": problem, "message_key": None}, 403)
    comment = _form_text(form, "comment", 2000) or None
    reference = _form_text(form, "reference", 100) or None
    raw_day = _form_text(form, "paid_on", 10)
    paid_on: dt.date | None = None
    refused: Problem | None = None
    if raw_day:
        try:
            if not DAY.match(raw_day):
                raise ValueError(raw_day)
            paid_on = dt.date.fromisoformat(raw_day)
        except ValueError:
            errors = [FieldError("paid_on", f"not a day (YYYY-MM-DD): {raw_day}")]
            if action is Action.DISBURSE and reference is None:  # said together, as the domain does
                errors.insert(0, FieldError("reference", "the payment reference is required"))
            refused = invalid(errors)
    if refused is None:
        given = ActionInput(comment=comment, reference=reference, paid_on=paid_on)
        try:
            async with request.app[DB]() as session, session.begin():
                await apply_action(
                    session,
                    statement_id,
                    action,
                    given,
                    actor_of_page(request, signed),
                    rules_of(request.app),
                    request.app[POLICIES],
                    utcnow(),
                )
        except Problem as problem:
            refused = problem
    if refused is None:
        raise web.HTTPSeeOther(f"/statements/{statement_id}?done={action.value}")
    context = await _detail_context(request, statement_id)
    context["refused"] = {
        "action": action.value,
        "status": refused.status,
        "messages": field_errors(request, refused),
    }
    context["form"] = {"action": action.value, "comment": comment or "",
                       "reference": reference or "", "paid_on": raw_day}  # fmt: skip
    return render(request, "statement.html", context, refused.status)


def _grouped_amount(invoice: dict[str, Any]) -> dict[str, Any]:
    amount = invoice.get("amount")
    if isinstance(amount, str) and MONEY.match(amount):
        return invoice | {"amount": money(to_fen(Decimal(amount)))}
    return invoice


@page("evidence.html", officials=True)
async def evidence(request: web.Request, signed: SignedIn) -> PageContext:
    """GET /statements/{id}/lines/{line}: what a line's amount rests on, readably."""
    statement_id = positive_id(request.match_info["id"])
    line_id = positive_id(request.match_info["line"])
    async with request.app[DB]() as session:
        found = await statement_lines(session, statement_id, None, line_id=line_id)
        line = next(iter(found[1]), None) if found else None
        if found is None or line is None:
            raise Problem(404, "Not found", f"no line {line_id} in statement {statement_id}")
        shown = await expand_evidence(session, line.evidence)
    invoices = shown.get("invoices") if isinstance(shown.get("invoices"), list) else None
    record = {k: v for k, v in shown.items() if k != "invoices"}
    shown_invoices = [_grouped_amount(i) for i in invoices or [] if isinstance(i, dict)]
    counted = [i for i in shown_invoices if i.get("status") == "counted"]
    excluded = [i for i in shown_invoices if i.get("status") != "counted"]
    lang = choose_lang(request).value
    return {
        "statement_id": statement_id,
        "clause_title": clause_title(request.app, request, found[0].clause),
        "line": {
            "id": line.id,
            "unit": line.unit,
            "subject": line.subject,
            "kind": line.kind,
            "amount": money(line.amount_fen),
            "steps": line.explanation if lang == "zh" else line.explanation_en,
        },
        "is_invoices": invoices is not None,
        "counted": counted,
        "excluded": excluded,
        "record": record,
    }


async def export(request: web.Request) -> web.StreamResponse:
    """GET /statements/{id}/export?format=xlsx|csv&lang=zh|en: the API's bytes, for officials."""
    signed = officials_only(request)
    if not isinstance(signed, SignedIn):
        return signed
    statement_id = positive_id(request.match_info["id"])
    asked = request.query.get("format", "xlsx")
    file_format = FileFormat(asked) if asked in {f.value for f in FileFormat} else FileFormat.XLSX
    lang = Lang.EN if request.query.get("lang") == "en" else Lang.ZH
    async with request.app[DB]() as session:
        found = await session.get(Statement, statement_id)
        if found is None:
            raise web.HTTPNotFound()
        policy = request.app[POLICIES].get(found.policy)
        content, document = await statement_file(session, found, policy, file_format, lang)
    name = filename(document, file_format, lang)
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    response = web.Response(body=content, headers=headers)
    response.content_type = MEDIA_TYPES[file_format].split(";")[0]
    if file_format is FileFormat.CSV:
        response.charset = "utf-8"
    return response


async def line(request: web.Request) -> web.StreamResponse:
    """GET /lines/{line}: the statement that holds a line, at that line (a correction's link)."""
    signed = officials_only(request)
    if not isinstance(signed, SignedIn):
        return signed
    line_id = positive_id(request.match_info["line"])
    async with request.app[DB]() as session:
        found = await session.get(StatementLine, line_id)
        if found is None:
            raise web.HTTPNotFound()
        before = await session.scalar(
            select(func.count())
            .select_from(StatementLine)
            .where(
                StatementLine.statement_id == found.statement_id,
                StatementLine.position < found.position,
            )
        )
    offset = (int(before or 0) // LINES_PER_PAGE) * LINES_PER_PAGE
    page_query = f"?offset={offset}" if offset else ""
    raise web.HTTPSeeOther(f"/statements/{found.statement_id}{page_query}#line-{line_id}")


def add_routes(app: web.Application) -> None:
    """The statement pages."""
    app.router.add_get("/statements", statements, allow_head=False)
    app.router.add_post("/statements/run", run_now)
    app.router.add_get(r"/statements/{id:[0-9]+}", statement, allow_head=False)
    app.router.add_post(r"/statements/{id:[0-9]+}/{action:[a-z]+}", act)
    app.router.add_get(r"/statements/{id:[0-9]+}/lines/{line:[0-9]+}", evidence, allow_head=False)
    app.router.add_get(r"/statements/{id:[0-9]+}/export", export, allow_head=False)
    app.router.add_get(r"/lines/{line:[0-9]+}", line, allow_head=False)
