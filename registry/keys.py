"""API keys: bearer tokens shown once, stored as hashes, revocable."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.audit import Actor, record
from registry.models import ApiKey, Unit, utcnow
from service.kit.lookup import autocommit_connection
from service.kit.paging import paginate
from service.kit.principal import Principal, Role
from service.kit.problems import FieldError, invalid, not_found

PREFIX = "ii"


def _hash(secret: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough; no salt or stretching needed.
    return hashlib.sha256(secret.encode()).hexdigest()


def _split(token: str) -> tuple[str, str] | None:
    parts = token.split("_")
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    return parts[1], parts[2]


async def create_key(
    session: AsyncSession,
    unit_code: str,
    role: str,
    actor: Actor,
    name: str | None = None,
) -> tuple[ApiKey, str]:
    """Create a key for a unit and role, issued to a named holder; the token is shown only now."""
    try:
        parsed_role = Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise invalid([FieldError("role", f"unknown role {role!r}; one of {allowed}")]) from None
    unit = await session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None:
        raise invalid([FieldError("unit", f"unknown unit {unit_code!r}")])
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32).replace("_", "-")
    key = ApiKey(
        key_id=key_id,
        secret_hash=_hash(secret),
        unit_id=unit.id,
        role=parsed_role.value,
        name=name,
    )
    session.add(key)
    await session.flush()
    await record(session, actor, "create", "api_key", key_id, None, key_snapshot(key, unit))
    return key, f"{PREFIX}_{key_id}_{secret}"


def key_snapshot(key: ApiKey, unit: Unit) -> dict[str, object]:
    """What the audit log and listings show of a key: never its secret or hash."""
    return {
        "key_id": key.key_id,
        "unit": unit.code,
        "role": key.role,
        "name": key.name,
        "created_at": key.created_at.isoformat() if key.created_at else None,
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


def _key_filters(unit_code: str | None, active: bool | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if unit_code is not None:
        conditions.append(Unit.code == unit_code)
    if active is not None:
        conditions.append(ApiKey.revoked_at.is_(None) if active else ApiKey.revoked_at.is_not(None))
    return conditions


def _keys(unit_code: str | None, active: bool | None) -> Select[tuple[ApiKey, Unit]]:
    return (
        select(ApiKey, Unit)
        .join(Unit, ApiKey.unit_id == Unit.id)
        .where(*_key_filters(unit_code, active))
        .order_by(ApiKey.id.desc())
    )


async def list_keys(
    session: AsyncSession, unit_code: str | None = None, active: bool | None = None
) -> list[dict[str, object]]:
    """Keys, newest first, without secrets; optionally of one unit, active or revoked."""
    rows = await session.execute(_keys(unit_code, active))
    return [key_snapshot(k, u) for k, u in rows.tuples()]


async def keys_page(
    session: AsyncSession, unit_code: str | None, active: bool | None, limit: int, offset: int
) -> tuple[list[dict[str, object]], int]:
    """One page of `list_keys`, and how many keys match in all."""
    rows, total = await paginate(session, _keys(unit_code, active), limit, offset)
    return [key_snapshot(k, u) for k, u in rows.tuples()], total


async def revoke_key(session: AsyncSession, key_id: str, actor: Actor) -> dict[str, object]:
    """Revoke a key (its token stops working at once); returns what listings show of it."""
    row = (
        await session.execute(
            select(ApiKey, Unit)
            .join(Unit, ApiKey.unit_id == Unit.id)
            .where(ApiKey.key_id == key_id)
        )
    ).first()
    if row is None:
        raise not_found("API key", key_id)
    key, unit = row
    if key.revoked_at is not None:
        return key_snapshot(key, unit)
    before = key_snapshot(key, unit)
    key.revoked_at = utcnow()
    after = key_snapshot(key, unit)
    await record(session, actor, "revoke", "api_key", key_id, before, after)
    return after


async def authenticate(session: AsyncSession, token: str) -> Principal | None:
    """The principal of a token, or None when it is unknown, malformed or revoked."""
    parts = _split(token)
    if parts is None:
        return None
    key_id, secret = parts
    conn = await autocommit_connection(session)
    if conn is not None:  # PostgreSQL, every request: SQL text, no ORM statement
        row = (await conn.exec_driver_sql(AUTHENTICATE_POSTGRESQL, (key_id,))).first()
    else:
        row = await _key_row(session, key_id)
    if row is None:
        return None
    secret_hash, unit_id, role, name, revoked_at, unit_code = row
    if revoked_at is not None or not hmac.compare_digest(secret_hash, _hash(secret)):
        return None
    return Principal(
        key_id=key_id, unit_id=unit_id, unit_code=unit_code, role=Role(role), key_name=name
    )


# The same lookup as `_key_row`, as the driver's SQL.
AUTHENTICATE_POSTGRESQL = (
    "SELECT k.secret_hash, k.unit_id, k.role, k.name, k.revoked_at, u.code"
    " FROM api_keys k JOIN units u ON k.unit_id = u.id WHERE k.key_id = $1::VARCHAR"
)


async def _key_row(session: AsyncSession, key_id: str) -> Any:
    return (
        await session.execute(
            select(
                ApiKey.secret_hash,
                ApiKey.unit_id,
                ApiKey.role,
                ApiKey.name,
                ApiKey.revoked_at,
                Unit.code,
            )
            .join(Unit, ApiKey.unit_id == Unit.id)
            .where(ApiKey.key_id == key_id)
        )
    ).first()
