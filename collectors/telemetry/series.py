"""Series ids: each (centre, metric, labels) stored once, its id remembered once committed."""

from __future__ import annotations

import weakref
from collections.abc import Collection, Sequence
from itertools import chain
from typing import Any, cast

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

SeriesKey = tuple[int, str, str]  # centre id, metric, canonical labels
# Ids known to be committed, per database; series are never deleted, so they stay right.
_committed: weakref.WeakKeyDictionary[Engine, dict[SeriesKey, int]] = weakref.WeakKeyDictionary()
# A bound on what is remembered (about 200 bytes a series); beyond it, start again.
MAX_REMEMBERED = 500_000
PENDING = "telemetry_series_pending"
LISTENING = "telemetry_series_listening"
SQLITE_ROWS_PER_STATEMENT = 10_000  # three parameters a row, under SQLite's 32,766

INSERT_POSTGRESQL = text(
    "INSERT INTO telemetry_series (center_id, metric, labels) "
    "SELECT * FROM unnest(CAST(:center_id AS INTEGER[]), CAST(:metric AS VARCHAR[]), "
    "CAST(:labels AS TEXT[])) ON CONFLICT DO NOTHING"
)
SELECT_POSTGRESQL = text(
    "SELECT s.id, s.center_id, s.metric, s.labels FROM telemetry_series s JOIN unnest("
    "CAST(:center_id AS INTEGER[]), CAST(:metric AS VARCHAR[]), CAST(:labels AS TEXT[])) "
    "AS k(center_id, metric, labels) ON s.center_id = k.center_id AND s.metric = k.metric "
    "AND s.labels = k.labels"
)


async def series_ids(
    session: AsyncSession, conn: AsyncConnection, keys: Collection[SeriesKey]
) -> dict[SeriesKey, int]:
    """The id of each series, creating those not stored yet, in the caller's transaction."""
    known = _committed.setdefault(conn.sync_engine, {})
    pending = _pending(session)
    found: dict[SeriesKey, int] = {}
    missing: list[SeriesKey] = []
    for key in keys:
        sid = known.get(key)
        if sid is None:
            sid = pending.get(key)
        if sid is None:
            missing.append(key)
        else:
            found[key] = sid
    if missing:
        # Sorted: concurrent writers take the unique index's locks in one order.
        missing.sort()
        if conn.dialect.name == "postgresql":
            new = await _create_postgresql(conn, missing)
        else:
            new = await _create_sqlite(conn, missing)
        found.update(new)
        # Not remembered for good until the transaction commits: a rollback takes them back.
        pending.update(new)
    return found


async def series_id_lists(
    session: AsyncSession, conn: AsyncConnection, lists: Sequence[Sequence[SeriesKey]]
) -> list[list[int]]:
    """The ids of each list's series in its order, creating those not stored yet."""
    known = _committed.setdefault(conn.sync_engine, {})
    # One lookup a series in C; only what is not known yet goes the careful way.
    out: list[list[int | None]] = [list(map(known.get, keys)) for keys in lists]
    if any(None in ids for ids in out):
        missing = {
            k
            for keys, ids in zip(lists, out, strict=True)
            for k, i in zip(keys, ids, strict=True)
            if i is None
        }
        found = await series_ids(session, conn, missing)
        out = [
            [found[k] if i is None else i for k, i in zip(keys, ids, strict=True)]
            for keys, ids in zip(lists, out, strict=True)
        ]
    return cast(list[list[int]], out)


async def _create_postgresql(conn: AsyncConnection, keys: Sequence[SeriesKey]) -> dict[Any, int]:
    columns = list(zip(*keys, strict=True))
    params = {"center_id": list(columns[0]), "metric": list(columns[1]), "labels": list(columns[2])}
    await conn.execute(INSERT_POSTGRESQL, params)
    rows = await conn.execute(SELECT_POSTGRESQL, params)
    return {(c, m, lab): sid for sid, c, m, lab in rows.tuples()}


async def _create_sqlite(conn: AsyncConnection, keys: Sequence[SeriesKey]) -> dict[Any, int]:
    # The insert comes first, so the transaction holds the write lock before it reads.
    out: dict[Any, int] = {}
    for start in range(0, len(keys), SQLITE_ROWS_PER_STATEMENT):
        chunk = keys[start : start + SQLITE_ROWS_PER_STATEMENT]
        values = ",".join(["(?,?,?)"] * len(chunk))
        params = tuple(chain.from_iterable(chunk))
        await conn.exec_driver_sql(
            f"INSERT INTO telemetry_series (center_id, metric, labels) VALUES {values} "
            "ON CONFLICT DO NOTHING",
            params,
        )
        rows = await conn.exec_driver_sql(
            "SELECT id, center_id, metric, labels FROM telemetry_series "
            f"WHERE (center_id, metric, labels) IN (VALUES {values})",
            params,
        )
        out.update(((c, m, lab), sid) for sid, c, m, lab in rows.tuples())
    return out


def _pending(session: AsyncSession) -> dict[SeriesKey, int]:
    sync = session.sync_session
    if LISTENING not in sync.info:
        sync.info[LISTENING] = True
        event.listen(sync, "after_commit", _promote)
        event.listen(sync, "after_transaction_end", _forget)
    pending: dict[SeriesKey, int] = sync.info.setdefault(PENDING, {})
    return pending


def _promote(session: Session) -> None:
    pending: dict[SeriesKey, int] | None = session.info.pop(PENDING, None)
    bind = session.bind
    if not pending or bind is None:
        return
    engine = bind if isinstance(bind, Engine) else bind.engine
    known = _committed.setdefault(engine, {})
    if len(known) + len(pending) > MAX_REMEMBERED:
        known.clear()
    known.update(pending)


def _forget(session: Session, transaction: SessionTransaction) -> None:
    # Whatever ends the outermost transaction without a commit (rollback, close) drops them.
    if transaction.parent is None:
        session.info.pop(PENDING, None)
