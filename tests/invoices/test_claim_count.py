"""An upload's count of numbers another buyer claimed first is the same whichever way it is read:
probed row by row, or (PostgreSQL, when the upload is most of the table) hashed in one pass."""

from __future__ import annotations

from sqlalchemy import text

from collectors.invoices.claim_count import HASHED, PROBED, duplicate_claims
from registry.db import create_engine, session_factory
from tests.conftest import load_registry
from tests.helpers import CREDIT, unit

REGISTRY = {
    "units": [
        unit("B1", CREDIT["B4"]),
        unit("B2", CREDIT["B1"], "university"),
        unit("B3", CREDIT["B2"], "university"),
        unit("P1", CREDIT["P1"], "compute_provider"),
    ]
}
UPLOAD = (
    "INSERT INTO invoice_uploads (uploaded_by, sha256, row_count, stored_count, created_at) "
    "VALUES ('test', '', 0, 0, CURRENT_TIMESTAMP)"
)


def _rows(upload: int, claims: list[tuple[str, int]], ids: dict[str, int]) -> str:
    """One INSERT of these (buyer, number) claims, in order: ids follow it."""
    values = ", ".join(
        f"('2523000000000000000{number}', {ids[buyer]}, {ids['P1']}, '2025-03-01', 100, "
        f"'blue', {upload}, {row})"
        for row, (buyer, number) in enumerate(claims, start=2)
    )
    return (
        "INSERT INTO invoices (number, buyer_unit_id, seller_unit_id, issued_on, amount_fen, "
        f'kind, upload_id, "row") VALUES {values}'
    )


async def test_both_ways_count_the_same_claims(database_url: str) -> None:
    await load_registry(database_url, REGISTRY)
    engine = create_engine(database_url)
    postgresql = database_url.startswith("postgresql")
    try:
        async with engine.begin() as conn:
            ids = dict((await conn.execute(text("SELECT code, id FROM units"))).tuples().all())
            await conn.execute(text(UPLOAD))
            earlier = int(await conn.scalar(text("SELECT max(id) FROM invoice_uploads")) or 0)
            await conn.execute(text(_rows(earlier, [("B1", 1), ("B1", 2), ("B2", 3)], ids)))
            await conn.execute(text(UPLOAD))
            upload = int(await conn.scalar(text("SELECT max(id) FROM invoice_uploads")) or 0)
            floor = int(await conn.scalar(text("SELECT max(id) FROM invoices")) or 0) + 1
            # Claimed first by another buyer: B2's and B3's 1 (B1, earlier upload), B1's 3
            # (B2, earlier upload) and B2's 4 (B1, earlier in this upload). Not: B1's 4, B3's 5.
            claims = [("B2", 1), ("B3", 1), ("B1", 3), ("B1", 4), ("B2", 4), ("B3", 5)]
            await conn.execute(text(_rows(upload, claims, ids)))
            if postgresql:
                await conn.execute(text("ANALYZE invoices"))  # reltuples: the 9 rows
        buyers = {ids["B1"], ids["B2"], ids["B3"]}
        params = {"floor": floor, "upload": upload, "buyers": sorted(buyers)}
        async with session_factory(engine)() as session:
            assert await session.scalar(PROBED, params) == 4
            if postgresql:
                assert await session.scalar(HASHED, params) == 4
            dialect = "postgresql" if postgresql else "sqlite"
            # 6 rows inserted against 9 in the table: probed; 9 or more: hashed.
            for inserted in (6, 9):
                assert (
                    await duplicate_claims(session, dialect, upload, floor, buyers, inserted) == 4
                )
            # The upload's rows of one buyer only: B2's 1 and 4.
            assert await duplicate_claims(session, dialect, upload, floor, {ids["B2"]}, 6) == 2
            assert await duplicate_claims(session, dialect, upload, floor, set(), 6) == 0
    finally:
        await engine.dispose()
