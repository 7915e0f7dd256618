"""Fixtures of the telemetry tests: two units, a centre each, and their tokens."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import bearer, load_registry, make_token
from tests.helpers import CREDIT, center, unit


@dataclass(frozen=True)
class Tokens:
    """Authorization headers of the parties of the telemetry tests."""

    admin: dict[str, str]
    center_u1: dict[str, str]
    center_u2: dict[str, str]
    buyer_u1: dict[str, str]


@pytest.fixture
async def centres(database_url: str) -> None:
    """Units U1 and U2 with centres C1 and C2 (and C1B of U1)."""
    await load_registry(
        database_url,
        {
            "units": [unit("U1", CREDIT["U1"]), unit("U2", CREDIT["U2"])],
            "computing_centers": [center("C1", "U1"), center("C1B", "U1"), center("C2", "U2")],
        },
    )


@pytest.fixture
async def tokens(database_url: str, centres: None) -> Tokens:
    """Tokens of an admin, each unit's centre operator and a buyer."""
    return Tokens(
        admin=bearer(await make_token(database_url, "GOV", "admin")),
        center_u1=bearer(await make_token(database_url, "U1", "center")),
        center_u2=bearer(await make_token(database_url, "U2", "center")),
        buyer_u1=bearer(await make_token(database_url, "U1", "buyer")),
    )
