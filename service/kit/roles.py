"""Who may do what: the one place that decides access to every package's objects."""

from __future__ import annotations

from dataclasses import dataclass

from service.kit.principal import OFFICIALS, Principal, Role
from service.kit.problems import Problem, forbidden


@dataclass(frozen=True)
class Access:
    """Which non-official roles may write a kind of object, and whether all may read it."""

    writers: frozenset[Role] = frozenset()
    public_read: bool = False


def require_role(principal: Principal, roles: frozenset[Role], what: str) -> None:
    """Refuse (403) a caller whose role is not among those allowed."""
    if principal.role not in roles and not principal.is_official:
        allowed = ", ".join(sorted(r.value for r in roles | OFFICIALS))
        raise forbidden(f"role {principal.role.value!r} may not {what}; allowed: {allowed}")


def require_official(principal: Principal, what: str) -> None:
    """Refuse (403) anyone but officials and admins."""
    require_role(principal, frozenset(), what)


def require_admin(principal: Principal, what: str) -> None:
    """Refuse (403) anyone but admins."""
    if principal.role is not Role.ADMIN:
        raise forbidden(f"role {principal.role.value!r} may not {what}; allowed: admin")


def may_read_all(principal: Principal, access: Access) -> bool:
    """Whether the caller sees every unit's objects of this kind."""
    return principal.is_official or access.public_read


def check_read(principal: Principal, access: Access, owner_unit_id: int, missing: Problem) -> None:
    """Answer `missing` (the 404 of an absent object) for another unit's object the caller
    may not see: a 403 would tell that the code exists, naming other units' objects."""
    if not may_read_all(principal, access) and owner_unit_id != principal.unit_id:
        raise missing


def check_write(principal: Principal, access: Access, owner_unit_id: int, what: str) -> None:
    """Refuse (403) a write by a role that may not, or on another unit's object.

    Check `check_read` first where the object was named by its code, so that another unit's
    hidden object answers 404 as an absent one does.
    """
    if principal.is_official:
        return
    if principal.role not in access.writers:
        raise forbidden(f"role {principal.role.value!r} may not change {what}")
    if owner_unit_id != principal.unit_id:
        raise forbidden(
            f"{what} belongs to another unit; a {principal.role.value} token "
            "acts only on its own unit's objects"
        )
