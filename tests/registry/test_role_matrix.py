"""Every registry route with every role: 401 without a token, 403 where a role may not, 404
for another unit's object the role may not see (as for one that does not exist)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

import pytest

from registry.credit_code import check_character
from tests.conftest import bearer, load_registry, make_token

ROLES = ("admin", "official", "center", "node", "operator", "buyer", "provider")
OFFICIAL = {"admin", "official"}
# The specification of access, written independently of registry/roles.py.
WRITER = {
    "units": None,
    "computing-centers": "center",
    "identifier-nodes": "node",
    "5g-sites": "operator",
    "key-providers": None,
}
PUBLIC_READ = {"key-providers"}
_serial = itertools.count(1)


def _credit(n: int) -> str:
    first17 = f"91230100MA{n:07d}"
    return first17 + check_character(first17)


def payload(resource: str, code: str, unit_code: str) -> dict[str, Any]:
    """A valid new object of a resource owned by a unit."""
    n = next(_serial)
    builders: dict[str, Callable[[], dict[str, Any]]] = {
        "units": lambda: {"code": code, "name": code, "credit_code": _credit(5000 + n),
                          "kind": "enterprise"},
        "computing-centers": lambda: {"code": code, "unit": unit_code, "name": code,
                                      "kind": "edge", "status": "planned"},
        "identifier-nodes": lambda: {"code": code, "unit": unit_code, "industry": "食品",
                                     "status": "planned"},
        "5g-sites": lambda: {"code": code, "unit": unit_code, "division": "大庆市",
                             "latitude": "46.5", "longitude": "125.1", "status": "planned"},
        "key-providers": lambda: {"code": code, "unit": unit_code, "listed_from": "2024-01-01"},
    }  # fmt: skip
    return builders[resource]()


def patch_body(resource: str) -> dict[str, Any]:
    """A harmless valid change of a resource."""
    return {
        "units": {"name": "改名"},
        "computing-centers": {"name": "改名"},
        "identifier-nodes": {"industry": "化工"},
        "5g-sites": {"bands": ["n78"]},
        "key-providers": {"listed_until": "2030-01-01"},
    }[resource]


def unit_of(role: str) -> str:
    """The unit each role's token belongs to."""
    return "GOV" if role in OFFICIAL else f"R-{role}".upper()


@pytest.fixture
async def world(database_url: str) -> dict[str, str]:
    """One unit per non-official role, one object of every kind per unit, one token per role."""
    units = [
        {"code": unit_of(r), "name": r, "credit_code": _credit(i + 1), "kind": "enterprise"}
        for i, r in enumerate(ROLES)
        if r not in OFFICIAL
    ] + [{"code": "OTHER", "name": "他人", "credit_code": _credit(99), "kind": "enterprise"}]
    owners = [u["code"] for u in units]
    sections: dict[str, list[Any]] = {"units": units}
    names = {
        "computing-centers": "computing_centers",
        "identifier-nodes": "identifier_nodes",
        "5g-sites": "five_g_sites",
        "key-providers": "key_providers",
    }
    for resource, section in names.items():
        sections[section] = [payload(resource, f"{o}-{resource}", o) for o in owners]
        for item in sections[section]:
            item["code"] = item["code"].replace("5g-sites", "SITE")
    await load_registry(database_url, sections)
    return {role: await make_token(database_url, unit_of(role), role) for role in ROLES}


def own_code(resource: str, owner: str) -> str:
    """The code of the object a unit owns in the world fixture."""
    return owner if resource == "units" else f"{owner}-{resource}".replace("5g-sites", "SITE")


async def test_every_route_with_every_role(client: Any, world: dict[str, str]) -> None:
    failures: list[str] = []

    async def expect(method: str, url: str, status: int, role: str, **kw: Any) -> None:
        headers = bearer(world[role]) if role else {}
        r = await client.request(method, url, headers=headers, **kw)
        if r.status != status:
            failures.append(f"{role or 'no token'} {method} {url}: {r.status}, expected {status}")

    for resource, role in itertools.product(WRITER, ROLES):
        base = f"/api/v1/{resource}"
        official = role in OFFICIAL
        mine = unit_of(role) if not official else "OTHER"
        may_write_own = official or WRITER[resource] == role
        may_read_other = official or resource in PUBLIC_READ
        other = own_code(resource, "OTHER")
        await expect("GET", base, 200, role)
        # Another unit's hidden object answers as an absent one, so its code does not leak.
        hidden = 403 if may_read_other else 404
        await expect("GET", f"{base}/{other}", 200 if may_read_other else 404, role)
        await expect("GET", f"{base}/NO-SUCH-CODE", 404, role)
        if not official:
            mine_code = own_code(resource, mine)
            await expect("GET", f"{base}/{mine_code}", 200, role)
            await expect("PATCH", f"{base}/{mine_code}", 200 if may_write_own else 403, role,
                         json=patch_body(resource))  # fmt: skip
            new_code = f"N{next(_serial)}"
            await expect("POST", base, 201 if may_write_own and resource != "units" else 403,
                         role, json=payload(resource, new_code, mine))  # fmt: skip
        await expect("PATCH", f"{base}/{other}", 200 if official else hidden, role,
                     json=patch_body(resource))  # fmt: skip
        fresh = f"F{next(_serial)}"
        await expect("POST", base, 201 if official else 403, role,
                     json=payload(resource, fresh, "OTHER"))  # fmt: skip
        if not official and resource != "units":
            # A unit that does not exist gets the same 403 as another unit's, not "unknown unit".
            await expect("POST", base, 403, role,
                         json=payload(resource, f"G{next(_serial)}", "NO-SUCH-UNIT"))  # fmt: skip
        if official:
            await expect("DELETE", f"{base}/{fresh}", 204, role)
        else:
            await expect("DELETE", f"{base}/{other}", hidden, role)
            await expect("DELETE", f"{base}/NO-SUCH-CODE", 404, role)
        await expect("GET", f"{base}/{other}", 401, "")
        await expect("POST", base, 401, "", json=payload(resource, "X", "OTHER"))
    for role in ROLES:
        await expect("GET", "/api/v1/audit", 200 if role in OFFICIAL else 403, role)
        await expect("GET", "/api/v1/accelerator-models", 200, role)
    await expect("GET", "/api/v1/audit", 401, "")
    await check_reviews(client, world, expect)
    await check_keys(world, expect)
    assert failures == []


async def check_reviews(client: Any, world: dict[str, str], expect: Any) -> None:
    """Everyone lists their own unit's declarations; only officials decide them."""
    r = await client.get("/api/v1/reviews?status=pending", headers=bearer(world["official"]))
    entries = (await r.json())["items"]
    # The centre and the node their units registered above wait for review.
    assert {e["unit"] for e in entries} == {unit_of("center"), unit_of("node")}
    entry = next(e for e in entries if e["unit"] == unit_of("center"))
    for role in ROLES:
        official = role in OFFICIAL
        await expect("GET", "/api/v1/reviews", 200, role)
        mine = official or role == "center"
        # Another unit's declaration answers as one that does not exist.
        await expect("GET", f"/api/v1/reviews/{entry['id']}", 200 if mine else 404, role)
        await expect("GET", "/api/v1/reviews/999999", 404, role)
        if not official:
            for action in ("accept", "reject"):
                await expect("POST", f"/api/v1/reviews/{entry['id']}/{action}", 403, role,
                             json={"comment": "不行"})  # fmt: skip
        await expect("POST", "/api/v1/reviews/999999/accept", 404 if official else 403, role)
    await expect("POST", f"/api/v1/reviews/{entry['id']}/reject", 200, "official",
                 json={"comment": "缺少验收材料"})  # fmt: skip
    await expect("POST", f"/api/v1/reviews/{entry['id']}/accept", 409, "admin")
    await expect("GET", "/api/v1/reviews", 401, "")


async def check_keys(world: dict[str, str], expect: Any) -> None:
    """Only admins issue, list and revoke keys."""
    for role in ROLES:
        admin = role == "admin"
        await expect("GET", "/api/v1/keys", 200 if admin else 403, role)
        await expect("POST", "/api/v1/keys", 201 if admin else 403, role,
                     json={"unit": "OTHER", "role": "buyer", "name": "王五"})  # fmt: skip
        await expect("POST", "/api/v1/keys/000000000000/revoke", 404 if admin else 403, role)
    buyer_key = world["buyer"].split("_")[1]
    await expect("POST", f"/api/v1/keys/{buyer_key}/revoke", 200, "admin")
    await expect("GET", "/api/v1/reviews", 401, "buyer")


async def test_a_revoked_or_forged_token_gets_401(
    client: Any, world: dict[str, str], database_url: str
) -> None:
    token = world["buyer"]
    assert (await client.get("/api/v1/units", headers=bearer(token))).status == 200
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert (await client.get("/api/v1/units", headers=bearer(forged))).status == 401
    assert (await client.get("/api/v1/units", headers={"Authorization": token})).status == 401


async def test_every_api_route_refuses_a_request_without_a_token(client: Any, app: Any) -> None:
    checked = 0
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or ""
        if not path.startswith(("/api/v1/", "/metrics/job")) or route.method == "HEAD":
            continue
        url = re.sub(r"\{[^}]+\}", "X1", path)
        r = await client.request(route.method, url, json={})
        if path.startswith("/api/v1/public/"):  # the public notice (公示) needs no token
            assert r.status != 401, f"{route.method} {path}: {r.status}"
            continue
        assert r.status == 401, f"{route.method} {path}: {r.status}"
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
        checked += 1
    assert checked >= 30
