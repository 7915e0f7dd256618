"""Signing in with a token gives an HttpOnly, SameSite=Strict session; forms need CSRF."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update

from registry.audit import Actor
from registry.db import create_engine, session_factory
from registry.keys import revoke_key
from registry.models import WebSession
from tests.conftest import load_registry, make_token
from tests.helpers import CREDIT, center, unit
from tests.workbench.conftest import csrf_of, sign_in


async def test_a_valid_token_opens_a_session_cookie(client: Any, database_url: str) -> None:
    token = await make_token(database_url, "GOV", "official")
    answer = await sign_in(client, token)
    assert answer.status == 303
    assert answer.headers["Location"] == "/dashboard"
    cookie = answer.headers.getall("Set-Cookie")
    session = next(c for c in cookie if c.startswith("ii_session="))
    assert "HttpOnly" in session and "SameSite=Strict" in session
    assert token not in session  # the token itself never goes into a cookie
    page = await client.get("/dashboard")
    assert page.status == 200
    assert "总览" in await page.text()


async def test_a_wrong_token_is_refused_and_says_so(client: Any) -> None:
    answer = await sign_in(client, "ii_000000000000_not-a-real-secret")
    assert answer.status == 401
    assert "令牌无效或已吊销" in await answer.text()
    assert (await client.get("/dashboard", allow_redirects=False)).status == 303


async def test_sign_in_without_the_forms_csrf_token_is_refused(
    client: Any, database_url: str
) -> None:
    token = await make_token(database_url, "GOV", "official")
    await client.get("/login")
    answer = await client.post("/login", data={"csrf": "forged", "token": token})
    assert answer.status == 401
    assert "表单已过期" in await answer.text()
    assert (await client.get("/dashboard", allow_redirects=False)).status == 303


async def test_sign_out_ends_the_session_on_the_server(client: Any, database_url: str) -> None:
    token = await make_token(database_url, "GOV", "official")
    await sign_in(client, token)
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))["ii_session"].value
    page = await (await client.get("/dashboard")).text()
    refused = await client.post("/logout", data={"csrf": "forged"}, allow_redirects=False)
    assert refused.status == 403
    assert (await client.get("/dashboard")).status == 200
    answer = await client.post("/logout", data={"csrf": csrf_of(page)}, allow_redirects=False)
    assert answer.status == 303
    # The old cookie, replayed, opens nothing any more.
    client.session.cookie_jar.update_cookies({"ii_session": cookie})
    assert (await client.get("/dashboard", allow_redirects=False)).status == 303


async def test_an_expired_session_sends_back_to_sign_in(client: Any, database_url: str) -> None:
    token = await make_token(database_url, "GOV", "official")
    await sign_in(client, token)
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
            await conn.execute(update(WebSession).values(expires_at=past))
    finally:
        await engine.dispose()
    answer = await client.get("/dashboard", allow_redirects=False)
    assert answer.status == 303
    assert answer.headers["Location"].startswith("/login?next=")


async def test_a_revoked_key_ends_its_sessions(client: Any, database_url: str) -> None:
    official = await make_token(database_url, "GOV", "official")
    await sign_in(client, official)
    assert (await client.get("/dashboard")).status == 200
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            await revoke_key(session, official.split("_")[1], Actor.cli("test"))
    finally:
        await engine.dispose()
    assert (await client.get("/dashboard", allow_redirects=False)).status == 303


async def test_next_never_leaves_the_site(client: Any, database_url: str) -> None:
    token = await make_token(database_url, "GOV", "official")
    answer = await sign_in(client, token, next_path="//evil.example/x")
    assert answer.headers["Location"] == "/dashboard"


async def test_units_do_not_see_officials_pages_nor_others_objects(
    client: Any, database_url: str
) -> None:
    await load_registry(
        database_url,
        {
            "units": [
                unit("U1", CREDIT["U1"], "enterprise"),
                unit("U2", CREDIT["U2"], "enterprise"),
            ],
            "computing_centers": [center("C1", "U1"), center("C2", "U2")],
        },
    )
    token = await make_token(database_url, "U1", "center")
    answer = await sign_in(client, token)
    assert answer.headers["Location"] == "/my"
    assert (await client.get("/dashboard")).status == 403
    assert (await client.get("/audit")).status == 403
    listing = await (await client.get("/registry/computing-centers")).text()
    assert "C1 智算中心" in listing and "C2 智算中心" not in listing


async def test_names_are_escaped_and_pages_carry_a_strict_policy(
    client: Any, database_url: str
) -> None:
    hostile = '<script>alert("x")</script>'
    await load_registry(
        database_url,
        {"units": [unit("U1", CREDIT["U1"], "enterprise", name=hostile)]},
    )
    await sign_in(client, await make_token(database_url, "GOV", "official"))
    page = await client.get("/registry/units")
    text = await page.text()
    assert hostile not in text and "&lt;script&gt;" in text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]


async def test_the_language_switch_is_remembered(client: Any, database_url: str) -> None:
    await sign_in(client, await make_token(database_url, "GOV", "official"))
    english = await (await client.get("/dashboard?lang=en")).text()
    assert "Dashboard" in english
    again = await (await client.get("/registry/units")).text()
    assert "Registry" in again and "登记信息" not in again
