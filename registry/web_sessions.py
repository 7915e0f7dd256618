"""Browser sessions: a valid token becomes a random session id whose hash alone is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.audit import Actor, record
from registry.keys import authenticate
from registry.models import ApiKey, Unit, WebSession, utcnow
from service.kit.principal import Principal, Role

LIFETIME = dt.timedelta(hours=8)  # one working day; signing in again is cheap


@dataclass(frozen=True)
class SignedIn:
    """The principal behind a session cookie and the CSRF token its forms must carry."""

    principal: Principal
    csrf_token: str
    expires_at: dt.datetime


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def open_session(
    session: AsyncSession, token: str, request_id: str | None
) -> tuple[str, SignedIn] | None:
    """Exchange a token for a session: (cookie value, who), or None for a bad token."""
    principal = await authenticate(session, token)
    if principal is None:
        return None
    key_pk = await session.scalar(select(ApiKey.id).where(ApiKey.key_id == principal.key_id))
    assert key_pk is not None  # authenticate just found it
    cookie = secrets.token_urlsafe(32)
    now = utcnow()
    row = WebSession(
        id_hash=_hash(cookie),
        api_key_id=key_pk,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + LIFETIME,
    )
    session.add(row)
    # Expired sessions are swept here, on the rare write, not on every page view.
    await session.execute(delete(WebSession).where(WebSession.expires_at < now))
    await record(
        session, Actor.of(principal, request_id), "sign_in", "api_key", principal.key_id, None, None
    )
    return cookie, SignedIn(principal, row.csrf_token, row.expires_at)


async def session_of(session: AsyncSession, cookie: str) -> SignedIn | None:
    """Who a session cookie belongs to, or None when unknown, expired or its key revoked."""
    row = (
        await session.execute(
            select(
                WebSession,
                ApiKey.key_id,
                ApiKey.unit_id,
                ApiKey.role,
                ApiKey.revoked_at,
                Unit.code,
                ApiKey.name,
            )
            .join(ApiKey, ApiKey.id == WebSession.api_key_id)
            .join(Unit, Unit.id == ApiKey.unit_id)
            .where(WebSession.id_hash == _hash(cookie))
        )
    ).first()
    if row is None:
        return None
    web_session, key_id, unit_id, role, revoked_at, unit_code, name = row
    if revoked_at is not None or web_session.expires_at <= utcnow():
        return None
    principal = Principal(key_id, unit_id, unit_code, Role(role), name)
    return SignedIn(principal, web_session.csrf_token, web_session.expires_at)


async def close_session(session: AsyncSession, cookie: str) -> None:
    """Sign out: the session id stops working at once."""
    await session.execute(delete(WebSession).where(WebSession.id_hash == _hash(cookie)))
