"""What if a parameter changed: the live facts under the policy as it stands and as proposed."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from aiohttp import web

from incentives.install_keys import POLICIES
from incentives.parameters import PolicyError, parse_date
from incentives.policy import DEFAULT_POLICY, Policy
from incentives.what_if import Comparison, Proposal, compare
from registry.web_sessions import SignedIn
from service.kit.keys import DB
from service.kit.problems import Problem
from service.workbench.core import PageContext, page
from service.workbench.live import live_facts, today

# The parameters a person may change here: rates, caps, thresholds and amounts.
CHANGEABLE = (
    "clauses.computing_center_build.rate",
    "clauses.computing_center_build.cap_per_unit",
    "clauses.computing_center_build.min_capacity_pflops",
    "clauses.compute_voucher.rate",
    "clauses.compute_voucher.cap_per_unit_per_year",
    "clauses.compute_voucher.spend_threshold",
    "clauses.identifier_node.amount",
)
MAX_VALUE_CHARS = 40
MAX_ROWS = 500  # unit lines shown; the totals always count them all


def _policy(request: web.Request) -> Policy:
    policies = request.app[POLICIES]
    name = request.query.get("policy", DEFAULT_POLICY)
    if name not in policies:
        raise Problem(400, "Bad Request", f"unknown policy {name[:64]!r}")
    return policies[name]


def _rows(result: Comparison) -> dict[str, Any]:
    totals = result.totals()
    changed = [d for d in result.differences if d.change != 0]
    same = [d for d in result.differences if d.change == 0]
    lines = sorted(changed, key=lambda d: (d.clause, -abs(d.change), d.unit)) + same
    current = sum((now for now, _ in totals.values()), Decimal("0.00"))
    proposed = sum((then for _, then in totals.values()), Decimal("0.00"))
    return {
        "totals": [(c, now, then, then - now) for c, (now, then) in totals.items()],
        "grand": (current, proposed, proposed - current),
        "lines": lines[:MAX_ROWS],
        "lines_total": len(lines),
        "changed": len(changed),
    }


@page("what_if.html", officials=True)
async def what_if(request: web.Request, signed: SignedIn) -> PageContext:
    """GET /what-if: one changed parameter, the difference per clause and unit."""
    policy = _policy(request)
    paths = [p for p in CHANGEABLE if p in policy.parameters]
    path = request.query.get("path", paths[0] if paths else "")
    value = request.query.get("value", "").strip()[:MAX_VALUE_CHARS]
    from_raw = request.query.get("from", "").strip()[:10]
    context: dict[str, Any] = {
        "policies": sorted(request.app[POLICIES].keys()),
        "policy": policy.name,
        "paths": [(p, policy.parameters[p].values.show()) for p in paths],
        "path": path,
        "value": value,
        "from_day": from_raw,
        "errors": [],
        "result": None,
        "as_of": today(request.app),
    }
    if "value" not in request.query:
        return context
    if path not in paths:
        context["errors"] = [(path[:80], "is not a parameter this page changes")]
        return context
    try:
        day = parse_date(from_raw) if from_raw else None
    except ValueError as exc:
        context["errors"] = [("from", str(exc))]
        return context
    async with request.app[DB]() as session:
        live = await live_facts(request.app, session)
    try:
        result = await asyncio.to_thread(compare, live.facts, policy, [Proposal(path, value, day)])
    except PolicyError as exc:
        context["errors"] = exc.errors
        return context
    context["result"] = _rows(result)
    return context


def add_routes(app: web.Application) -> None:
    """The what-if page (a GET form: nothing changes)."""
    app.router.add_get("/what-if", what_if, allow_head=False)
