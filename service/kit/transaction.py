"""The end of a handler's transaction: a constraint violation from a concurrent writer is 409."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.problems import conflict

log = logging.getLogger("infra_incentives.db")


async def _guarded(session: AsyncSession, step: Callable[[], Awaitable[None]]) -> None:
    # A constraint violation here means a concurrent writer got there first: a conflict.
    try:
        await step()
    except IntegrityError as exc:
        await session.rollback()
        log.info("constraint violation turned into 409: %s", exc.orig)
        raise conflict("a concurrent change got there first; read it and try again") from None


async def commit(session: AsyncSession) -> None:
    """Commit, turning a constraint violation from a concurrent writer into 409."""
    await _guarded(session, session.commit)


async def flush(session: AsyncSession) -> None:
    """Flush, turning a constraint violation from a concurrent writer into 409."""
    await _guarded(session, session.flush)
