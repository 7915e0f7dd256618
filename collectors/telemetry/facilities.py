"""Telemetry facilities: computing centres by code, and who may push or read for them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.models import ComputingCenter
from service.kit.principal import Principal, Role
from service.kit.problems import FieldError, Problem, not_found
from service.kit.roles import Access, check_read, check_write, require_role

# Centre operators act on their own unit's centres; officials and admins on every centre.
TELEMETRY_ACCESS = Access(writers=frozenset({Role.CENTER}))
TELEMETRY_ROLES = frozenset({Role.CENTER})


class Facility(NamedTuple):
    """A computing centre as telemetry sees it."""

    id: int
    unit_id: int
    code: str


async def facilities_by_code(session: AsyncSession, codes: Iterable[str]) -> dict[str, Facility]:
    """The centres with these codes; unknown codes are simply absent."""
    wanted = sorted(set(codes))
    found: dict[str, Facility] = {}
    for start in range(0, len(wanted), 500):
        rows = await session.execute(
            select(ComputingCenter.id, ComputingCenter.unit_id, ComputingCenter.code).where(
                ComputingCenter.code.in_(wanted[start : start + 500])
            )
        )
        for center_id, unit_id, code in rows.tuples():
            found[code] = Facility(center_id, unit_id, code)
    return found


def check_push(principal: Principal, facilities: Iterable[tuple[int, Facility]]) -> None:
    """Refuse (403) a push naming another unit's centre, listing every such index."""
    require_role(principal, TELEMETRY_ROLES, "push telemetry")
    errors: list[FieldError] = []
    refusals: dict[int, str | None] = {}  # decided once per centre, reported per sample
    for index, facility in facilities:
        if facility.id not in refusals:
            refusals[facility.id] = None
            try:
                what = f"centre {facility.code!r}"
                check_write(principal, TELEMETRY_ACCESS, facility.unit_id, what)
            except Problem as refused:
                refusals[facility.id] = refused.detail or "forbidden"
        refusal = refusals[facility.id]
        if refusal is not None:
            errors.append(FieldError("facility", refusal, index))
    if errors:
        raise Problem(403, "Forbidden", f"{len(errors)} samples name another unit's centre", errors)


def check_view(principal: Principal, facility: Facility) -> None:
    """Refuse (403) reading the telemetry of another unit's centre."""
    require_role(principal, TELEMETRY_ROLES, "read telemetry")
    missing = not_found("computing centre", facility.code)
    check_read(principal, TELEMETRY_ACCESS, facility.unit_id, missing)
