"""The audit log: every change with its actor, request id, before and after."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from aiohttp import web
from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from registry.models import AuditEntry, utcnow
from service.kit.keys import CLIENT_REQUEST_ID, REQUEST_ID
from service.kit.principal import Principal, principal_of


@dataclass(frozen=True)
class Actor:
    """Who made a change and in which request (or `cli` for the command line)."""

    key_id: str | None
    unit_code: str | None
    role: str
    request_id: str | None
    name: str | None = None  # the key holder's name, when the key carries one
    client_request_id: str | None = None  # the caller's own id, never taken as ours

    @classmethod
    def of(
        cls, principal: Principal, request_id: str | None, client_request_id: str | None = None
    ) -> Actor:
        """The actor behind an authenticated request."""
        return cls(
            principal.key_id,
            principal.unit_code,
            principal.role.value,
            request_id,
            principal.key_name,
            client_request_id,
        )

    @classmethod
    def cli(cls, command: str) -> Actor:
        """An operator at the command line."""
        return cls(None, None, "cli", command)


async def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    object_type: str,
    object_code: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    note: str | None = None,
) -> None:
    """Add one entry in the caller's transaction, so it commits or rolls back with the change."""
    await record_many(session, actor, action, object_type, [(object_code, before, after)], note)


async def record_many(
    session: AsyncSession,
    actor: Actor,
    action: str,
    object_type: str,
    changes: Sequence[tuple[str, dict[str, Any] | None, dict[str, Any] | None]],
    note: str | None = None,
) -> None:
    """Add one entry per changed object in one statement (bulk imports)."""
    if not changes:
        return
    at = utcnow()
    rows = [
        {
            "at": at,
            "actor_key": actor.key_id,
            "actor_unit": actor.unit_code,
            "actor_role": actor.role,
            "actor_name": actor.name,
            "request_id": actor.request_id,
            "client_request_id": actor.client_request_id,
            "action": action,
            "object_type": object_type,
            "object_code": code,
            "before": before,
            "after": after,
            "note": note,
        }
        for code, before, after in changes
    ]
    await session.execute(insert(cast(Table, AuditEntry.__table__)), rows)


def actor_of(request: web.Request) -> Actor:
    """The audit actor of a request."""
    return Actor.of(principal_of(request), request.get(REQUEST_ID), request.get(CLIENT_REQUEST_ID))
