"""Invoices refer only to units and uploads that exist, and those cannot go while referred to.

On SQLite these are foreign keys; on PostgreSQL statement triggers (0016_invoice_keys) that
check and lock the referenced rows once per statement, and guards on the referenced tables.
Both refuse the same things; PostgreSQL's concurrent cases are tested on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from registry.db import create_engine
from registry.migrate import downgrade, upgrade
from service.demo import MIGRATING_PACKAGES
from tests.conftest import load_registry
from tests.helpers import CREDIT, unit
from tests.invoices.conftest import REGISTRY

UPLOAD = (
    "INSERT INTO invoice_uploads (uploaded_by, sha256, row_count, stored_count, created_at) "
    "VALUES ('test', '', 0, 0, CURRENT_TIMESTAMP)"
)
INVOICE = (
    "INSERT INTO invoices (number, buyer_unit_id, seller_unit_id, issued_on, amount_fen, kind, "
    'upload_id, "row") VALUES '
)


def _row(number: str, buyer: int, seller: int, upload: int, row: int) -> str:
    return f"('{number}', {buyer}, {seller}, '2025-03-01', 100, 'blue', {upload}, {row})"


@contextlib.asynccontextmanager
async def _engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _ids(conn: AsyncConnection) -> dict[str, int]:
    rows = await conn.execute(text("SELECT code, id FROM units"))
    return {code: int(uid) for code, uid in rows.tuples()}


async def _upload(conn: AsyncConnection) -> int:
    await conn.execute(text(UPLOAD))
    return int((await conn.execute(text("SELECT max(id) FROM invoice_uploads"))).scalar_one())


async def _refused(engine: AsyncEngine, *statements: str) -> str:
    """The error of a transaction that must fail; nothing of it stays."""
    with pytest.raises((IntegrityError, DBAPIError)) as caught:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    return str(caught.value).lower()


@pytest.fixture
async def stored(database_url: str) -> dict[str, int]:
    """The invoice registry, one upload, and B1's invoice 25230000000000000001 from P1."""
    await load_registry(database_url, REGISTRY)
    async with _engine(database_url) as engine, engine.begin() as conn:
        ids = await _ids(conn)
        upload = await _upload(conn)
        await conn.execute(
            text(INVOICE + _row("25230000000000000001", ids["B1"], ids["P1"], upload, 2))
        )
    return {**ids, "upload": upload}


async def test_an_invoice_naming_a_missing_unit_or_upload_is_refused(
    database_url: str, stored: dict[str, int]
) -> None:
    b1, p1, upload = stored["B1"], stored["P1"], stored["upload"]
    async with _engine(database_url) as engine:
        good = _row("25230000000000000002", b1, p1, upload, 3)
        for bad in (
            _row("25230000000000000003", 999_999, p1, upload, 4),  # no such buyer
            _row("25230000000000000003", b1, 999_999, upload, 4),  # no such seller
            _row("25230000000000000003", b1, p1, 999_999, 4),  # no such upload
        ):
            # One statement of several rows, one of them bad: the whole statement is refused.
            message = await _refused(engine, INVOICE + good + ", " + bad)
            assert "foreign key" in message or "does not exist" in message
        message = await _refused(
            engine, f"UPDATE invoices SET seller_unit_id = 999999 WHERE buyer_unit_id = {b1}"
        )
        assert "foreign key" in message or "does not exist" in message
        async with engine.connect() as conn:
            count = await conn.scalar(text("SELECT count(*) FROM invoices"))
            assert count == 1  # only the fixture's invoice


async def test_a_unit_or_upload_that_invoices_refer_to_cannot_be_deleted(
    database_url: str, stored: dict[str, int]
) -> None:
    async with _engine(database_url) as engine:
        for statement in (
            f"DELETE FROM units WHERE id = {stored['P1']}",  # the seller
            f"DELETE FROM invoice_uploads WHERE id = {stored['upload']}",
            f"UPDATE invoice_uploads SET id = 999999 WHERE id = {stored['upload']}",
        ):
            message = await _refused(engine, statement)
            assert "foreign key" in message or "referred to" in message, message
        async with engine.connect() as conn:
            assert await conn.scalar(text(f"SELECT count(*) FROM units WHERE id = {stored['P1']}"))
        # An upload no invoice refers to goes, as a foreign key would let it.
        async with engine.begin() as conn:
            spare = await _upload(conn)
            await conn.execute(text(f"DELETE FROM invoice_uploads WHERE id = {spare}"))


async def test_postgresql_truncate_of_a_referenced_table_is_refused(
    database_url: str, stored: dict[str, int]
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("TRUNCATE is PostgreSQL's")
    async with _engine(database_url) as engine:
        for table in ("units", "invoice_uploads"):
            message = await _refused(engine, f"TRUNCATE {table} CASCADE")
            assert "invoices refer to it" in message


async def _waits_for_a_lock(engine: AsyncEngine, pid: int) -> None:
    """Return once the backend `pid` waits for a lock (what the test is about, not a timing)."""
    query = text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid")
    for _ in range(600):
        async with engine.connect() as conn:
            if await conn.scalar(query, {"pid": pid}) == "Lock":
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the second transaction never waited for the first")


async def _pid(conn: AsyncConnection) -> int:
    return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_postgresql_a_delete_racing_an_insert_waits_and_is_refused(
    database_url: str, stored: dict[str, int]
) -> None:
    """The inserted invoice locks its unit as a foreign key would: the delete waits, then fails."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time")
    await load_registry(database_url, {"units": [unit("N1", CREDIT["D1"], "compute_provider")]})
    async with _engine(database_url) as engine:
        async with engine.connect() as conn:
            new = (await _ids(conn))["N1"]
        inserter = await engine.connect()
        deleter = await engine.connect()
        try:
            await inserter.begin()
            await inserter.execute(
                text(INVOICE + _row("25230000000000000009", stored["B1"], new, stored["upload"], 9))
            )
            await deleter.begin()
            pid = await _pid(deleter)
            delete = asyncio.create_task(
                deleter.execute(text(f"DELETE FROM units WHERE id = {new}"))
            )
            await _waits_for_a_lock(engine, pid)
            await inserter.commit()
            with pytest.raises(IntegrityError, match="referred to"):
                await delete
        finally:
            await inserter.close()
            await deleter.close()
        async with engine.connect() as conn:
            query = f"SELECT count(*) FROM invoices WHERE seller_unit_id = {new}"
            assert await conn.scalar(text(query)) == 1


async def test_postgresql_an_insert_racing_a_delete_waits_and_is_refused(
    database_url: str, stored: dict[str, int]
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time")
    async with _engine(database_url) as engine:
        async with engine.begin() as conn:
            spare = await _upload(conn)
        deleter = await engine.connect()
        inserter = await engine.connect()
        try:
            await deleter.begin()
            await deleter.execute(text(f"DELETE FROM invoice_uploads WHERE id = {spare}"))
            await inserter.begin()
            pid = await _pid(inserter)
            row = _row("25230000000000000008", stored["B1"], stored["P1"], spare, 8)
            insert = asyncio.create_task(inserter.execute(text(INVOICE + row)))
            await _waits_for_a_lock(engine, pid)
            await deleter.commit()
            with pytest.raises(IntegrityError, match="does not exist"):
                await insert
        finally:
            await inserter.close()
            await deleter.close()


async def _claims(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT number, buyer_unit_id FROM invoice_first_claims ORDER BY number")
        )
        return list(rows.tuples())


async def test_the_migration_goes_down_and_up_with_invoices_stored(
    database_url: str, stored: dict[str, int]
) -> None:
    """Down: the first claims are rebuilt from the invoices; up again: the checks hold."""
    b1, b2, p1, upload = stored["B1"], stored["B2"], stored["P1"], stored["upload"]
    async with _engine(database_url) as engine, engine.begin() as conn:
        # B2 claims B1's number later, and a number of its own.
        await conn.execute(
            text(
                INVOICE
                + _row("25230000000000000001", b2, p1, upload, 3)
                + ", "
                + _row("25230000000000000002", b2, p1, upload, 4)
            )
        )
    await asyncio.to_thread(downgrade, database_url, MIGRATING_PACKAGES, "0012_claims")
    async with _engine(database_url) as engine:
        assert await _claims(engine) == [
            ("25230000000000000001", b1),
            ("25230000000000000002", b2),
        ]
        message = await _refused(engine, INVOICE + _row("25230000000000000003", b1, p1, 999_999, 5))
        assert "foreign key" in message  # the foreign keys are back
    await asyncio.to_thread(upgrade, database_url, MIGRATING_PACKAGES)
    async with _engine(database_url) as engine:
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT count(*) FROM invoices")) == 3
        message = await _refused(engine, INVOICE + _row("25230000000000000003", b1, p1, 999_999, 5))
        assert "foreign key" in message or "does not exist" in message
        message = await _refused(engine, f"DELETE FROM units WHERE id = {b2}")
        assert "foreign key" in message or "referred to" in message
