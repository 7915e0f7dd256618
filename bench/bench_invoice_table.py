"""What each part of the invoices table costs a 100,000-row COPY on PostgreSQL (scratch tables).

Run: .venv/bin/python bench/bench_invoice_table.py [--rows 100000] [--repeat 3]
     [--database-url postgresql://postgres@127.0.0.1:5432/test] [--only NAME ...]

Each variant is a scratch table created (and committed) in its own schema, then timed from
BEGIN to COMMIT around one asyncpg COPY of the same records the service copies (the bench
CSV's 100,000 invoices as typed columns), best of --repeat rounds, rounds interleaved across
the variants. "plain" is the reference's table: seven text columns, no keys. Ids given
explicitly are reserved in one statement (`nextval` over `generate_series`), timed with the
COPY. Nothing is unlogged and synchronous_commit stays on.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

BUYER, SELLER, UPLOAD = 1, 2, 1
WAL: dict[str, float] = {}  # MB of WAL one COPY wrote, by variant
PLAIN_COLUMNS = ("number", "buyer", "seller", "issued_on", "amount", "kind", "reverses")
TYPED = ("number", "code", "buyer_unit_id", "seller_unit_id", "issued_on", "amount_fen", "kind",
         "reverses", "upload_id", "row")  # fmt: skip


@dataclass(frozen=True)
class Variant:
    """A scratch table: its DDL after CREATE TABLE, and whether ids are copied explicitly."""

    name: str
    columns: str  # the column list of CREATE TABLE
    extra: Sequence[str] = ()  # statements after it ({t} = the table)
    explicit_ids: bool = False
    shuffled: bool = False  # the rows in random order (numbers of many sellers), not by number


def typed(
    id_column: str = "id bigserial",
    number: str = "varchar(20)",
) -> str:
    """The service's invoices columns, with the id and number columns as given."""
    cols = [
        id_column,
        f"number {number} NOT NULL",
        "code varchar(12)",
        "buyer_unit_id integer NOT NULL",
        "seller_unit_id integer NOT NULL",
        "issued_on date NOT NULL",
        "amount_fen bigint NOT NULL",
        "kind varchar(8) NOT NULL",
        "reverses varchar(20)",
        "upload_id integer NOT NULL",
        '"row" integer NOT NULL',
    ]
    return ", ".join(c for c in cols if c)


TRIGGER = """
CREATE FUNCTION {t}_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE units_wanted bigint[]; uploads_wanted bigint[]; held bigint;
BEGIN
    WITH used AS (SELECT buyer_unit_id AS b, seller_unit_id AS s, upload_id AS u
                  FROM new_invoices GROUP BY 1, 2, 3)
    SELECT ARRAY(SELECT b FROM used UNION SELECT s FROM used), ARRAY(SELECT DISTINCT u FROM used)
        INTO units_wanted, uploads_wanted;
    SELECT count(*) INTO held FROM (SELECT 1 FROM scratch_units WHERE id = ANY (units_wanted)
        FOR KEY SHARE) AS locked;
    IF held < cardinality(units_wanted) THEN RAISE EXCEPTION 'missing unit'; END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER {t}_check AFTER INSERT ON {t} REFERENCING NEW TABLE AS new_invoices
    FOR EACH STATEMENT EXECUTE FUNCTION {t}_check()
"""
PK = "ALTER TABLE {t} ADD PRIMARY KEY (id)"
UNIQUE = "ALTER TABLE {t} ADD UNIQUE (number, buyer_unit_id)"
BY_BUYER = "CREATE INDEX ON {t} (buyer_unit_id)"
BY_BUYER_ID = "CREATE INDEX ON {t} (buyer_unit_id, id)"
PK_BUYER = "ALTER TABLE {t} ADD PRIMARY KEY (buyer_unit_id, id)"
PK_FF = "ALTER TABLE {t} ADD PRIMARY KEY (id) WITH (fillfactor = 100)"
UNIQUE_FF = "ALTER TABLE {t} ADD UNIQUE (number, buyer_unit_id) WITH (fillfactor = 100)"
BY_BUYER_FF = "CREATE INDEX ON {t} (buyer_unit_id) WITH (fillfactor = 100)"
BY_BUYER_NODEDUP = "CREATE INDEX ON {t} (buyer_unit_id) WITH (deduplicate_items = off)"
C = 'varchar(20) COLLATE "C"'
ID = "id bigint NOT NULL"
VARIANTS = (
    Variant("plain", ", ".join(f"{c} text" for c in PLAIN_COLUMNS)),
    Variant("typed, no keys, id bigserial (nextval per row)", typed()),
    Variant("typed, no keys, ids given", typed(ID), explicit_ids=True),
    Variant("PK, bigserial", typed(), [PK]),
    Variant("PK, ids given", typed(ID), [PK], explicit_ids=True),
    Variant("UNIQUE(number, buyer) only, default collation", typed(ID), [UNIQUE], True),
    Variant('UNIQUE(number, buyer) only, number COLLATE "C"', typed(ID, C), [UNIQUE], True),
    Variant("INDEX(buyer) only", typed(ID), [BY_BUYER], True),
    Variant("PK + UNIQUE, bigserial, default collation", typed(), [PK, UNIQUE]),
    Variant("PK + UNIQUE, ids given, default collation", typed(ID), [PK, UNIQUE], True),
    Variant('PK + UNIQUE, ids given, "C"', typed(ID, C), [PK, UNIQUE], True),
    Variant(
        "ours today: PK + UNIQUE + INDEX(buyer) + trigger, bigserial, default",
        typed(),
        [PK, UNIQUE, BY_BUYER, TRIGGER],
    ),
    Variant(
        'PK + UNIQUE + INDEX(buyer) + trigger, ids given, "C"',
        typed(ID, C),
        [PK, UNIQUE, BY_BUYER, TRIGGER],
        True,
    ),
    Variant(
        'PK + UNIQUE + trigger, ids given, "C" (no INDEX(buyer))',
        typed(ID, C),
        [PK, UNIQUE, TRIGGER],
        True,
    ),
    Variant(
        'PK + UNIQUE + INDEX(buyer) + trigger, bigserial, "C"',
        typed(number=C),
        [PK, UNIQUE, BY_BUYER, TRIGGER],
    ),
    Variant(
        "PK + UNIQUE + INDEX(buyer) + trigger, ids given, default",
        typed(ID),
        [PK, UNIQUE, BY_BUYER, TRIGGER],
        True,
    ),
    Variant("typed, no keys, bigserial + trigger", typed(), [TRIGGER]),
    Variant("PK + UNIQUE + INDEX(buyer), bigserial, no trigger", typed(), [PK, UNIQUE, BY_BUYER]),
    Variant(
        "PK + UNIQUE + INDEX(buyer) + trigger, bigserial, indexes fillfactor 100",
        typed(),
        [PK_FF, UNIQUE_FF, BY_BUYER_FF, TRIGGER],
    ),
    Variant(
        "PK + UNIQUE + INDEX(buyer) + trigger, bigserial, INDEX(buyer) no dedup",
        typed(),
        [PK, UNIQUE, BY_BUYER_NODEDUP, TRIGGER],
    ),
    Variant(
        'PK(buyer, id) + UNIQUE + trigger, bigserial, "C" (no INDEX(buyer))',
        typed(number=C),
        [PK_BUYER, UNIQUE, TRIGGER],
    ),
    Variant(
        'PK + UNIQUE + trigger, bigserial, "C" (no INDEX(buyer))',
        typed(number=C),
        [PK, UNIQUE, TRIGGER],
    ),
    Variant("PK + UNIQUE + trigger, bigserial (no INDEX(buyer))", typed(), [PK, UNIQUE, TRIGGER]),
    Variant(
        "shuffled: UNIQUE only, database default (C.UTF-8 here)",
        typed(ID),
        [UNIQUE],
        True,
        shuffled=True,
    ),
    Variant(
        'shuffled: UNIQUE only, number COLLATE "C"', typed(ID, C), [UNIQUE], True, shuffled=True
    ),
    Variant(
        'shuffled: UNIQUE only, number COLLATE "en-US-x-icu" (as en_US.UTF-8)',
        typed(ID, 'varchar(20) COLLATE "en-US-x-icu"'),
        [UNIQUE],
        True,
        shuffled=True,
    ),
    Variant(
        "shuffled: ours today, database default",
        typed(),
        [PK, UNIQUE, BY_BUYER, TRIGGER],
        shuffled=True,
    ),
    Variant(
        'shuffled: ours today, number COLLATE "C"',
        typed(number=C),
        [PK, UNIQUE, BY_BUYER, TRIGGER],
        shuffled=True,
    ),
    Variant(
        'shuffled: ours today, number COLLATE "en-US-x-icu"',
        typed(number='varchar(20) COLLATE "en-US-x-icu"'),
        [PK, UNIQUE, BY_BUYER, TRIGGER],
        shuffled=True,
    ),
)


def records(rows: int) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The bench CSV's invoices: as the reference copies them (text) and as the service does."""
    plain, typed_rows = [], []
    for n in range(rows):
        day = dt.date(2025, 1 + n % 12, 1 + n % 28)
        number = f"2523{n:016d}"
        fen = (100 + n % 99991) * 100 + n % 100
        plain.append((number, "91230100MA1HRB0032", "91230100MA1PRN0057", day.isoformat(),
                      f"{100 + n % 99991}.{n % 100:02d}", "blue", ""))  # fmt: skip
        typed_rows.append((number, None, BUYER, SELLER, day, fen, "blue", None, UPLOAD, n + 2))
    return plain, typed_rows


async def once(url: str, variant: Variant, index: int, data: tuple[list, list]) -> float:  # type: ignore[type-arg]
    """Seconds of BEGIN, (ids), COPY, COMMIT into a fresh table of this variant."""
    table = f"scratch_inv_{index}"
    con = await asyncpg.connect(url)
    try:
        await con.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
        await con.execute(f"DROP FUNCTION IF EXISTS {table}_check() CASCADE")
        await con.execute(f"DROP SEQUENCE IF EXISTS {table}_ids")
        await con.execute(
            "CREATE TABLE IF NOT EXISTS scratch_units (id bigint PRIMARY KEY);"
            "INSERT INTO scratch_units VALUES (1), (2) ON CONFLICT DO NOTHING"
        )
        await con.execute(f"CREATE TABLE {table} ({variant.columns})")
        for statement in variant.extra:
            await con.execute(statement.format(t=table))
        if variant.explicit_ids:
            await con.execute(f"CREATE SEQUENCE {table}_ids")
        await con.execute("CHECKPOINT")  # each variant starts from the same WAL state
        rows = data[0] if variant.name == "plain" else data[1]
        if variant.shuffled:
            rows = random.Random(8).sample(rows, len(rows))
        columns = PLAIN_COLUMNS if variant.name == "plain" else TYPED
        lsn = await con.fetchval("SELECT pg_current_wal_lsn()")
        start = time.perf_counter()
        async with con.transaction():
            if variant.explicit_ids:
                ids = await con.fetch(
                    f"SELECT nextval('{table}_ids') FROM generate_series(1, $1)", len(rows)
                )
                rows = [(i[0], *r) for i, r in zip(ids, rows, strict=True)]
                columns = ("id", *columns)
            await con.copy_records_to_table(table, records=rows, columns=columns)
        seconds = time.perf_counter() - start
        wal = await con.fetchval("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)", lsn)
        WAL[variant.name] = float(wal) / 1e6
        await con.execute(f"DROP TABLE {table} CASCADE")
        await con.execute(f"DROP FUNCTION IF EXISTS {table}_check() CASCADE")
        await con.execute(f"DROP SEQUENCE IF EXISTS {table}_ids")
        return seconds
    finally:
        await con.close()


async def run(url: str, rows: int, repeat: int, only: Sequence[str]) -> None:
    """Every variant, rounds interleaved; print the best of each."""
    data = records(rows)
    chosen = [(i, v) for i, v in enumerate(VARIANTS) if not only or any(o in v.name for o in only)]
    best: dict[int, float] = {}
    for _ in range(repeat):
        for i, variant in chosen:
            seconds = await once(url, variant, i, data)
            best[i] = min(best.get(i, seconds), seconds)
    plain = best.get(0)
    for i, variant in chosen:
        ratio = f"  ({best[i] / plain:4.1f}x plain)" if plain else ""
        print(f"  {best[i]:6.3f} s{ratio}  WAL {WAL[variant.name]:5.1f} MB  {variant.name}")


def main() -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best is shown")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--only", nargs="*", default=(), help="variants whose name has one")
    args = parser.parse_args()
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    print(f"COPY of {args.rows:,} invoices into scratch tables, BEGIN to COMMIT, best of "
          f"{args.repeat} interleaved rounds")  # fmt: skip
    asyncio.run(run(args.database_url, args.rows, args.repeat, args.only))
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
