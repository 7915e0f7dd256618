"""The caller of a request: its role, its unit and the key it came with."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from aiohttp import web

from service.kit.problems import Problem


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


PRINCIPAL = web.RequestKey("principal", Principal)


def principal_of(request: web.Request) -> Principal:
    """The authenticated caller; the auth middleware guarantees one on /api/v1."""
    if PRINCIPAL not in request:
        raise Problem(401, "Unauthorized", "a valid bearer token is required")
    return request[PRINCIPAL]
