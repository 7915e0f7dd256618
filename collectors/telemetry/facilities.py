"""Telemetry facilities: computing centres by code, and who may push or read for them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.models import ComputingCenter
from service.kit.lookup import autocommit_connection
from service.kit.principal import Principal, Role
from service.kit.problems import not_found
from service.kit.roles import Access, check_read, may_read_all, require_role

# Centre operators act on their own unit's centres; officials and admins on every centre.
TELEMETRY_ACCESS = Access(writers=frozenset({Role.CENTER}))
TELEMETRY_ROLES = frozenset({Role.CENTER})


FACILITIES_POSTGRESQL = (
    "SELECT id, unit_id, code FROM computing_centers WHERE code = ANY($1::VARCHAR[])"
)


class Facility(NamedTuple):
    """A computing centre as telemetry sees it."""

    id: int
    unit_id: int
    code: str


async def facilities_by_code(session: AsyncSession, codes: Iterable[str]) -> dict[str, Facility]:
    """The centres with these codes; unknown codes are simply absent."""
    wanted = sorted(set(codes))
    found: dict[str, Facility] = {}
    conn = await autocommit_connection(session)
    if conn is not None:  # PostgreSQL, every push: SQL text, no ORM statement
        result = await conn.exec_driver_sql(FACILITIES_POSTGRESQL, (wanted,))
        for center_id, unit_id, code in result.tuples():
            found[code] = Facility(center_id, unit_id, code)
        return found
    for start in range(0, len(wanted), 500):
        rows = await session.execute(
            select(ComputingCenter.id, ComputingCenter.unit_id, ComputingCenter.code).where(
                ComputingCenter.code.in_(wanted[start : start + 500])
            )
        )
        for center_id, unit_id, code in rows.tuples():
            found[code] = Facility(center_id, unit_id, code)
    return found


def check_pusher(principal: Principal) -> None:
    """Refuse (403) a role that may not push telemetry, whatever centre it names."""
    require_role(principal, TELEMETRY_ROLES, "push telemetry")


def pushable(principal: Principal, found: Mapping[str, Facility]) -> dict[str, Facility]:
    """The centres among `found` this token may push to; 403 for a role that may not push.

    Another unit's centres are left out, so that a sample naming one is refused exactly as
    one naming a code that does not exist: a 403 would confirm that the code is registered.
    Officials push to every centre and still see which codes are unknown.
    """
    check_pusher(principal)
    if may_read_all(principal, TELEMETRY_ACCESS):
        return dict(found)
    return {code: f for code, f in found.items() if f.unit_id == principal.unit_id}


def check_view(principal: Principal, facility: Facility) -> None:
    """Answer another unit's centre as an absent one (404); 403 for a role that may not read."""
    require_role(principal, TELEMETRY_ROLES, "read telemetry")
    missing = not_found("computing centre", facility.code)
    check_read(principal, TELEMETRY_ACCESS, facility.unit_id, missing)
