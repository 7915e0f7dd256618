"""Fixtures of the invoice tests: a registry with buyers and providers, and their tokens."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import load_registry, make_token
from tests.helpers import CREDIT, unit

# B1 and B2 buy compute; P1 is a listed key provider from 2024-01-01, P2 is not listed.
REGISTRY = {
    "units": [
        unit("B1", CREDIT["B4"], "enterprise"),
        unit("B2", CREDIT["B1"], "university"),
        unit("P1", CREDIT["P1"], "compute_provider"),
        unit("P2", CREDIT["P2"], "compute_provider"),
    ],
    "key_providers": [{"unit": "P1", "listed_from": "2024-01-01"}],
}
B1, B2, P1, P2 = CREDIT["B4"], CREDIT["B1"], CREDIT["P1"], CREDIT["P2"]


@dataclass(frozen=True)
class Tokens:
    """One token per actor of the invoice stories."""

    admin: str
    b1: str
    b2: str
    p1: str
    p2: str


@pytest.fixture
async def tokens(database_url: str, admin_token: str) -> Tokens:
    """The registry above, stored, and a token for each of its actors."""
    await load_registry(database_url, REGISTRY)
    return Tokens(
        admin=admin_token,
        b1=await make_token(database_url, "B1", "buyer"),
        b2=await make_token(database_url, "B2", "buyer"),
        p1=await make_token(database_url, "P1", "provider"),
        p2=await make_token(database_url, "P2", "provider"),
    )
