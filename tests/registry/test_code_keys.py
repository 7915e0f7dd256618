"""Codes that differ only in letter case or width are one code, and the database says so too.

The API refused "DC-1" beside "dc-1", but an import, a script or a concurrent request that
slipped past the check stored both. Each registry table keeps a unique `code_key`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from registry.db import Base, create_engine, session_factory
from registry.migrate import upgrade
from registry.models import (
    ComputingCenter,
    FiveGSite,
    IdentifierNode,
    KeyProviderListing,
    Unit,
)
from service.demo import MIGRATING_PACKAGES
from tests.conftest import load_registry
from tests.helpers import CREDIT, unit

# One maker per table: a row with this code, of the unit whose id is given.
MAKERS: dict[str, Callable[[str, int], Base]] = {
    "units": lambda code, _: Unit(
        code=code, name=code, credit_code="", kind="enterprise", in_province=True,
    ),
    "computing_centers": lambda code, unit_id: ComputingCenter(
        code=code, unit_id=unit_id, name=code, kind="intelligent", capacity_pflops={},
        status="operational", costs_fen={},
    ),
    "identifier_nodes": lambda code, unit_id: IdentifierNode(
        code=code, unit_id=unit_id, industry="装备制造", status="operational",
    ),
    "five_g_sites": lambda code, unit_id: FiveGSite(
        code=code, unit_id=unit_id, division="哈尔滨市", latitude=Decimal("45.8"),
        longitude=Decimal("126.5"), bands=["n41"], status="operational",
    ),
    "key_provider_listings": lambda code, unit_id: KeyProviderListing(
        code=code, unit_id=unit_id, listed_from=dt.date(2025, 1, 1),
    ),
}  # fmt: skip


async def _unit_id(url: str) -> int:
    await load_registry(url, {"units": [unit("U1", CREDIT["U1"])]})
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            found = await conn.scalar(select(Unit.id).where(Unit.code == "U1"))
    finally:
        await engine.dispose()
    assert found is not None
    return int(found)


def _credit(n: int) -> str:
    return f"91230100MA1KEY{n:03d}X"


@pytest.mark.parametrize("table", list(MAKERS))
@pytest.mark.parametrize("second", ["dc-7", "Dc-7", "ＤＣ－７"])
async def test_the_database_refuses_a_look_alike_code_written_through_the_orm(
    database_url: str, table: str, second: str
) -> None:
    unit_id = await _unit_id(database_url)
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            first = MAKERS[table]("DC-7", unit_id)
            if isinstance(first, Unit):
                first.credit_code = _credit(1)
            session.add(first)
        with pytest.raises(IntegrityError):
            async with session_factory(engine)() as session, session.begin():
                other = MAKERS[table](second, unit_id)
                if isinstance(other, Unit):
                    other.credit_code = _credit(2)
                session.add(other)
        async with engine.connect() as conn:
            columns = Base.metadata.tables[table].c
            stored = await conn.execute(
                select(columns.code, columns.code_key).where(columns.code_key == "dc-7")
            )
            assert [tuple(r) for r in stored] == [("DC-7", "dc-7")]
    finally:
        await engine.dispose()


async def test_a_core_insert_of_look_alikes_is_refused_whole(database_url: str) -> None:
    # The path imports take: an executemany without the ORM. The key comes from the default.
    unit_id = await _unit_id(database_url)
    row = {"unit_id": unit_id, "division": "哈尔滨市", "latitude": Decimal("45.8"),
           "longitude": Decimal("126.5"), "bands": [], "status": "operational"}  # fmt: skip
    engine = create_engine(database_url)
    try:
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                await conn.execute(insert(FiveGSite), [{**row, "code": c} for c in ("S-1", "s-1")])
        async with engine.begin() as conn:
            await conn.execute(insert(FiveGSite), [{**row, "code": "S-2"}])
            assert await conn.scalar(select(FiveGSite.code_key)) == "s-2"
        # Plain SQL that leaves the key out is refused rather than stored unkeyed.
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                await conn.execute(text(
                    "INSERT INTO five_g_sites (code, unit_id, division, latitude, longitude, "
                    "bands, status, created_at, updated_at) VALUES ('s-2x', :u, '哈尔滨市', 45.8, "
                    "126.5, '[]', 'operational', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ), {"u": unit_id})  # fmt: skip
    finally:
        await engine.dispose()


UNIT_SQL = text(
    "INSERT INTO units (code, name, credit_code, kind, in_province, dishonest, created_at, "
    "updated_at) VALUES (:code, :code, :credit, 'enterprise', true, false, :t, :t)"
)
CENTRE_SQL = text(
    "INSERT INTO computing_centers (code, unit_id, name, kind, capacity_pflops, status, "
    "costs_fen, created_at, updated_at) SELECT :code, id, :code, 'general', '{}', "
    "'operational', '{}', :t, :t FROM units WHERE code = 'M-1'"
)


async def _run(url: str, *statements: tuple[Any, dict[str, Any]]) -> list[Any]:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            out = [await conn.execute(sql, params) for sql, params in statements]
            return [r.all() if r.returns_rows else None for r in out]
    finally:
        await engine.dispose()


async def _columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda c: {col["name"] for col in sa.inspect(c).get_columns(table)}
            )
    finally:
        await engine.dispose()


async def test_the_migration_refuses_stored_look_alikes_naming_them(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    upgrade(url, MIGRATING_PACKAGES, "0001_registry")
    now = dt.datetime.now(dt.UTC)
    await _run(
        url,
        (UNIT_SQL, {"code": "M-1", "credit": _credit(1), "t": now}),
        (UNIT_SQL, {"code": "m-1", "credit": _credit(2), "t": now}),
        (CENTRE_SQL, {"code": "MC", "t": now}),
        (CENTRE_SQL, {"code": "mc", "t": now}),
        (CENTRE_SQL, {"code": "Other", "t": now}),
    )
    with pytest.raises(RuntimeError) as refused:
        upgrade(url, MIGRATING_PACKAGES, "0016_code_keys")
    message = str(refused.value)
    assert "units: 'M-1' = 'm-1'" in message
    assert "computing_centers: 'MC' = 'mc'" in message
    assert "Nothing was changed" in message
    assert "code_key" not in await _columns(url, "units")  # the revision rolled back whole

    await _run(
        url,
        (text("UPDATE units SET code = 'M-2' WHERE code = 'm-1'"), {}),
        (text("DELETE FROM computing_centers WHERE code = 'mc'"), {}),
    )
    upgrade(url, MIGRATING_PACKAGES, "0016_code_keys")
    (units, centres) = await _run(
        url,
        (text("SELECT code, code_key FROM units ORDER BY code"), {}),
        (text("SELECT code, code_key FROM computing_centers ORDER BY code"), {}),
    )
    assert [tuple(r) for r in units if r[0].startswith("M")] == [("M-1", "m-1"), ("M-2", "m-2")]
    assert all(key == code.lower() for code, key in units)  # the seeded GOV unit too
    assert [tuple(r) for r in centres] == [("MC", "mc"), ("Other", "other")]
    upgrade(url, MIGRATING_PACKAGES)
