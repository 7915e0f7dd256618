"""Roles and who may do what: the one place that decides access to registry objects."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from registry.problems import forbidden


class Role(StrEnum):
    """What a token may do; every token belongs to one unit and one role."""

    ADMIN = "admin"
    OFFICIAL = "official"
    CENTER = "center"
    NODE = "node"
    OPERATOR = "operator"
    BUYER = "buyer"
    PROVIDER = "provider"


OFFICIALS = frozenset({Role.ADMIN, Role.OFFICIAL})


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of a request."""

    key_id: str
    unit_id: int
    unit_code: str
    role: Role
    key_name: str | None = None  # the holder's name the key was issued to

    @property
    def is_official(self) -> bool:
        """Officials and admins act on every unit's objects."""
        return self.role in OFFICIALS


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


def check_read(principal: Principal, access: Access, owner_unit_id: int, what: str) -> None:
    """Refuse (403) reading another unit's object."""
    if not may_read_all(principal, access) and owner_unit_id != principal.unit_id:
        raise forbidden(
            f"{what} belongs to another unit; a {principal.role.value} token "
            "acts only on its own unit's objects"
        )


def check_write(principal: Principal, access: Access, owner_unit_id: int, what: str) -> None:
    """Refuse (403) a write by a role that may not, or on another unit's object."""
    if principal.is_official:
        return
    if principal.role not in access.writers:
        raise forbidden(f"role {principal.role.value!r} may not change {what}")
    if owner_unit_id != principal.unit_id:
        raise forbidden(
            f"{what} belongs to another unit; a {principal.role.value} token "
            "acts only on its own unit's objects"
        )
