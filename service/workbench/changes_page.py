"""What changed since the last statement: the facts, the invoices and the awards they move."""

from __future__ import annotations

from aiohttp import web

from incentives.since_statement import FactChange
from incentives.statements.since import since_last_statement
from incentives.what_if import clause_totals
from registry.web_sessions import SignedIn
from service.kit.keys import DB
from service.workbench.core import PageContext, page

MAX_ROWS = 500  # rows shown per table; the counts above them count all


def _field_words(change: FactChange) -> tuple[str, str | None]:
    """A dotted field (`costs.equipment`) as its two word keys."""
    if change.field is None:
        return ("", None)
    head, _, tail = change.field.partition(".")
    return (head, tail or None)


@page("changes.html", officials=True)
async def changes(request: web.Request, signed: SignedIn) -> PageContext:
    """GET /changes: the newest statement run's facts against the live ones, as of today."""
    raw = request.query.get("run", "")
    run_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None
    async with request.app[DB]() as session:
        found = await since_last_statement(request.app, session, run_id)
    if found is None:
        return {"found": None}
    result = found.result
    moved = result.moved
    totals = clause_totals(moved)
    return {
        "found": found,
        "facts": [(c, *_field_words(c)) for c in result.facts[:MAX_ROWS]],
        "facts_total": len(result.facts),
        "invoices": result.invoices[:MAX_ROWS],
        "invoices_total": len(result.invoices),
        "moved": moved[:MAX_ROWS],
        "moved_total": len(moved),
        "totals": [(c, then, now, now - then) for c, (then, now) in sorted(totals.items())],
    }


def add_routes(app: web.Application) -> None:
    """The page (GET only: nothing changes)."""
    app.router.add_get("/changes", changes, allow_head=False)
