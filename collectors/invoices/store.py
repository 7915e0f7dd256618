"""Store an invoice upload in one transaction: all rows or none, a re-upload changes nothing.

The whole file is read, checked and compared with what its buyers already uploaded before
anything is written, so a bad or slow file never holds SQLite's write lock and a dry run
writes nothing. Then, in one transaction (queued behind the app's write lock on SQLite): the
upload row, the new rows in one bulk insert (COPY on PostgreSQL), and the count of numbers
another buyer claimed first, read from the invoices with ids below this upload's. A number
claimed by another buyer is stored all the same and shows as a duplicate claim.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
from collections.abc import AsyncGenerator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy import bindparam, exists, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from collectors.invoices.bulk import (
    DUPLICATE_KEY,
    copy_columns,
    day_value,
    dialect_of,
    insert_rows,
)
from collectors.invoices.claim_count import duplicate_claims
from collectors.invoices.models import Invoice, InvoiceUpload
from collectors.invoices.parsing import REQUIRED, Rows
from collectors.invoices.tables import MAX_ECHO_CHARS, out_of_memory
from collectors.invoices.validation import Buyers, CheckContext, Checked, check_chunk
from registry.audit import Actor, record
from registry.models import Unit
from registry.money import fen_text
from service.kit.problems import FieldError, Problem, conflict, invalid

# What a COPY of the streamed path meets when another upload stores some of the same keys:
# their rows, committed; or, when two files hold them in other orders, each waiting for the
# other's (PostgreSQL then aborts one). Either way the careful path settles it.
TAKEN = (*DUPLICATE_KEY, asyncpg.DeadlockDetectedError)
QUEUE_SPACE = 0x1F0  # pg_advisory_xact_lock's first key: the queue of one buyer's invoice uploads
WRITE_ATTEMPTS = 3  # of the careful path on PostgreSQL, when it deadlocks with another upload
LOOKUP_BATCH = 5000  # numbers per IN (...) list: far below SQLite's and PostgreSQL's limits
MAX_ERRORS = 1000  # errors listed in one answer; the detail gives the full count
MAX_MESSAGE_CHARS = 400  # of one listed error: with MAX_ERRORS, an answer stays under 1 MB
MAX_EXPECTED = 10_000  # rows whose expected status a dry run lists
NEW = "new"
UNCHANGED = "unchanged"  # already uploaded by the same buyer with the same values
COMPARED = ("seller_unit_id", "issued_on", "amount_fen", "kind", "reverses", "code")
INSERTED = (
    ("number", "varchar"), ("code", "varchar"), ("buyer_unit_id", "integer"),
    ("seller_unit_id", "integer"), ("issued_on", "date"), ("amount_fen", "bigint"),
    ("kind", "varchar"), ("reverses", "varchar"), ("upload_id", "integer"), ("row", "integer"),
)  # fmt: skip
INSERTED_FROM_FILE = ("number", "code", "buyer_unit_id", "seller_unit_id", "issued_on",
                      "amount_fen", "kind", "reverses", "row")  # fmt: skip
FILE_COLUMN = {"seller_unit_id": "seller", "issued_on": "issued_on", "amount_fen": "amount",
               "kind": "kind", "reverses": "reverses", "code": "code"}  # fmt: skip


@dataclass(frozen=True)
class UploadMeta:
    """Who uploads which file."""

    actor: Actor
    uploaded_by: str  # an API key id, or "cli"
    filename: str | None
    sha256: str


@dataclass
class UploadReport:
    """What an upload did (or, on a dry run, would do)."""

    rows: int = 0
    stored: int = 0
    unchanged: int = 0
    duplicate_claims: int = 0
    upload: int | None = None
    dry_run: bool = False
    would_store: int | None = None  # a dry run's count of what it would store
    expected: list[tuple[int, str, str]] = field(default_factory=list)  # (row, number, status)


async def registered_units(session: AsyncSession) -> tuple[dict[str, int], dict[int, str]]:
    """Credit code -> unit id, and back."""
    rows = (await session.execute(select(Unit.credit_code, Unit.id))).tuples().all()
    return {code: uid for code, uid in rows}, {uid: code for code, uid in rows}


def _found(rows: Rows) -> str:
    shown = [h[:MAX_ECHO_CHARS] for h in rows.headers[:40] if h]
    return ", ".join(shown) + (", …" if len(rows.headers) > 40 else "") if shown else "none"


def header_errors(rows: Rows, buyers: Buyers) -> list[FieldError]:
    """Columns that say the same thing twice, and required columns that are missing."""
    errors = list(rows.header_errors)
    needed = [*REQUIRED] + ([] if buyers.default is not None else ["buyer"])
    for name in needed:
        if name not in rows.labels:
            message = f"required column is missing (the file has: {_found(rows)})"
            if rows.names is not None and name == "number":
                message = "required column is missing: 数电发票号码, or 发票代码 and 发票号码"
                message += f" (the file has: {_found(rows)})"
            if name == "buyer":
                message += "; or name the buyer (?buyer=UNIT, or --buyer on the command line)"
            if rows.by_index:
                errors.append(FieldError(name, "required"))
            else:
                errors.append(FieldError(rows.label(name), message, row=1))
    return errors


class _Errors:
    """Every error of an upload, listing the first MAX_ERRORS."""

    def __init__(self) -> None:
        self.listed: list[FieldError] = []
        self.count = 0

    def extend(self, errors: Sequence[FieldError]) -> None:
        self.count += len(errors)
        for e in errors[: max(0, MAX_ERRORS - len(self.listed))]:
            message = e.message
            if len(message) > MAX_MESSAGE_CHARS:
                message = message[:MAX_MESSAGE_CHARS] + "…"
            self.listed.append(FieldError(e.field[:MAX_ECHO_CHARS], message, e.index, e.row))

    def problem(self) -> Problem:
        detail = None
        if self.count > len(self.listed):
            detail = (
                f"{self.count} errors in the input; the first {len(self.listed)} are listed; "
                "nothing was stored"
            )
        return invalid(self.listed, detail)


def _on_conflict_do_nothing(session: AsyncSession, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing()


_STORED = select(
    Invoice.number,
    Invoice.buyer_unit_id,
    Invoice.upload_id,
    Invoice.row,
    *(getattr(Invoice, name) for name in COMPARED),
).where(
    # Expanding parameters: the statement is built and compiled once, not per batch.
    Invoice.buyer_unit_id.in_(bindparam("buyers", expanding=True)),
    Invoice.number.in_(bindparam("numbers", expanding=True)),
)


async def _stored(
    session: AsyncSession, numbers: Sequence[str], buyers: set[int]
) -> dict[tuple[Any, Any], Any]:
    """The stored invoices of these buyers with these numbers, by (number, buyer)."""
    any_stored = await session.scalar(
        select(Invoice.id).where(Invoice.buyer_unit_id.in_(buyers)).limit(1)
    )
    if any_stored is None:  # a buyer's first upload: nothing to compare with
        return {}
    return await _lookup(session, numbers, buyers)


async def _lookup(
    session: AsyncSession, numbers: Sequence[str], buyers: set[int]
) -> dict[tuple[Any, Any], Any]:
    """The stored invoices of these buyers with these numbers, by (number, buyer), batched."""
    found: dict[tuple[Any, Any], Any] = {}
    unique = sorted(set(numbers))
    for start in range(0, len(unique), LOOKUP_BATCH):
        batch = unique[start : start + LOOKUP_BATCH]
        result = await session.execute(_STORED, {"buyers": sorted(buyers), "numbers": batch})
        for r in result:
            found[(r.number, r.buyer_unit_id)] = r
    return found


def _shown(name: str, value: Any, credit_codes: dict[int, str]) -> str:
    if value is None:
        return "empty"
    if name == "amount_fen":
        return fen_text(int(value))
    if name == "seller_unit_id":
        return credit_codes.get(int(value), str(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class _Upload:
    """The state of one upload while its chunks are stored."""

    def __init__(self, session: AsyncSession, rows: Rows, upload_id: int, report: UploadReport):
        self.session = session
        self.rows = rows
        self.upload_id = upload_id
        self.report = report
        self.errors = _Errors()
        self.credit_codes: dict[int, str] = {}
        self.buyers_seen: set[int] = set()
        self.day_value: Callable[[Any], Any] = lambda day: day

    def _error(self, row: int, name: str, message: str) -> FieldError:
        label = self.rows.label(name)
        if self.rows.by_index:
            return FieldError(label, message, index=row)
        return FieldError(label, message, row=row)

    def _compare(self, new: dict[str, Any], old: Any) -> list[FieldError]:
        row = int(new["row"])
        if old.upload_id == self.upload_id:
            word = "index" if self.rows.by_index else "row"
            return [self._error(row, "number", f"appears twice in this upload (first at {word} "
                                f"{old.row})")]  # fmt: skip
        out = []
        for name in COMPARED:
            if getattr(old, name) != new[name]:
                stored = _shown(name, getattr(old, name), self.credit_codes)
                message = f"already uploaded with other values: stored {stored}"
                out.append(self._error(row, FILE_COLUMN[name], message))
        return out

    async def add(self, checked: Checked) -> None:
        """Insert a checked chunk's invoices; settle the ones whose (number, buyer) is stored."""
        size = len(checked)
        if not size:
            return
        cols = checked.columns
        rows = list(
            zip(
                cols["number"], cols["code"], cols["buyer_unit_id"], cols["seller_unit_id"],
                [self.day_value(day) for day in cols["issued_on"]], cols["amount_fen"],
                cols["kind"], cols["reverses"], [self.upload_id] * size, cols["row"],
                strict=True,
            )
        )  # fmt: skip
        # Conflicts are skipped, not raised: a re-upload is the common case, and a concurrent
        # upload of the same invoice waits for the other transaction, then compares as stored.
        inserted = await insert_rows(self.session, "invoices", INSERTED, rows, skip_existing=True)
        kept = range(size) if inserted == size else await self._settle(cols)
        buyer_ids = cols["buyer_unit_id"]
        self.buyers_seen.update({int(str(buyer_ids[i])) for i in kept})
        self.report.stored += inserted

    async def _settle(self, cols: dict[str, list[object]]) -> list[int]:
        """Rows inserted now; the others are unchanged re-uploads or errors."""
        buyers = {int(str(b)) for b in cols["buyer_unit_id"]}
        stored = await _stored(self.session, [str(n) for n in cols["number"]], buyers)
        names = list(cols)
        kept: list[int] = []
        for i, values in enumerate(zip(*cols.values(), strict=True)):
            item = dict(zip(names, values, strict=True))
            old = stored[(item["number"], item["buyer_unit_id"])]
            if old.upload_id == self.upload_id and old.row == item["row"]:
                kept.append(i)
                continue
            problems = self._compare(item, old)
            if problems:
                self.errors.extend(problems)
            else:
                self.report.unchanged += 1
        return kept


def _checked_chunk(rows: Rows, ctx: CheckContext) -> tuple[int, Checked] | None:
    """Read and check the next chunk (in a worker thread); None after the last."""
    frame = next(rows.chunks, None)
    if frame is None:
        return None
    return len(frame), check_chunk(frame, rows, ctx)


async def _checked_chunks(
    rows: Rows,
    ctx: CheckContext,
    report: UploadReport,
    errors: _Errors,
    progress: Callable[[int], object] | None,
) -> AsyncGenerator[Checked, None]:
    """Each chunk read and checked in a worker thread, the next one already under way; its
    rows counted and its errors kept. Close it (aclose) when done: a read still running is
    waited for, so nothing is left reading the file."""
    produce = functools.partial(_checked_chunk, rows, ctx)
    reading = asyncio.ensure_future(asyncio.to_thread(produce))
    try:
        while True:
            try:
                ready = await reading
            except MemoryError:
                raise out_of_memory() from None
            if ready is None:
                return
            reading = asyncio.ensure_future(asyncio.to_thread(produce))
            size, chunk = ready
            report.rows += size
            errors.extend(chunk.errors)
            if progress is not None:
                progress(size)
            yield chunk
    finally:
        await _quietly(reading)


async def check_file(
    rows: Rows,
    ctx: CheckContext,
    report: UploadReport,
    progress: Callable[[int], object] | None = None,
) -> list[Checked]:
    """Read and check every chunk, off the event loop; raise every error of the file at once."""
    errors = _Errors()
    errors.extend(rows.row_errors)
    chunks = _checked_chunks(rows, ctx, report, errors, progress)
    async with contextlib.aclosing(chunks):
        checked = [chunk async for chunk in chunks]
    if errors.count:
        raise errors.problem()
    return checked


def _differences(
    rows: Rows, new: dict[str, Any], old: Any, credit_codes: dict[int, str]
) -> list[FieldError]:
    """Errors for the values a row changes in an invoice its buyer already uploaded."""
    out = []
    for name in COMPARED:
        if getattr(old, name) != new[name]:
            stored = _shown(name, getattr(old, name), credit_codes)
            message = f"already uploaded with other values: stored {stored}"
            label = rows.label(FILE_COLUMN[name])
            if rows.by_index:
                out.append(FieldError(label, message, index=int(new["row"])))
            else:
                out.append(FieldError(label, message, row=int(new["row"])))
    return out


class _Comparer:
    """Each chunk's rows, in file order, against the invoices their buyers already uploaded.

    Only the buyer's own invoices are looked at: whether another buyer claimed a number is not
    the uploader's to learn from a check. Whether a buyer has any stored invoice is asked once,
    the first time the file names it, before any of its rows is written: so a chunk compared
    after earlier ones were copied (PostgreSQL) is not compared with this upload's own rows,
    except for a key the file repeats, which `seen` answers first.
    """

    def __init__(
        self,
        session: AsyncSession,
        rows: Rows,
        credit_codes: dict[int, str],
        report: UploadReport,
        one_buyer: bool,
    ) -> None:
        self.session = session
        self.rows = rows
        self.credit_codes = credit_codes
        self.report = report
        self.one_buyer = one_buyer  # keys are numbers alone when every row has one buyer
        self.errors = _Errors()
        self.seen: dict[Any, Any] = {}  # key -> row
        self.has_stored: dict[int, bool] = {}  # buyer -> whether it had invoices stored
        self.would_store = 0

    async def _stored(self, cols: dict[str, list[object]]) -> dict[tuple[Any, Any], Any]:
        buyers: set[int] = set(cols["buyer_unit_id"])  # type: ignore[arg-type]  # unit ids
        unknown = buyers - self.has_stored.keys()
        if unknown:
            found = await self.session.scalars(
                select(Unit.id).where(
                    Unit.id.in_(sorted(unknown)),
                    exists().where(Invoice.buyer_unit_id == Unit.id),
                )
            )
            held = set(found)
            self.has_stored.update((b, b in held) for b in unknown)
        with_stored = {b for b in buyers if self.has_stored[b]}
        if not with_stored:  # the buyers' first upload: nothing to compare with
            return {}
        return await _lookup(self.session, cols["number"], with_stored)  # type: ignore[arg-type]

    def needs_database(self, cols: dict[str, list[object]]) -> bool:
        """Whether comparing these rows asks the database (else only this file is looked at)."""
        buyers = set(cols["buyer_unit_id"])
        known = self.has_stored
        return not buyers <= known.keys() or any(known[b] for b in buyers)  # type: ignore[index]

    async def chunk(self, chunk: Checked) -> Sequence[int]:
        """The positions of the chunk's new rows (a range when all are new); errors noted."""
        rows, report, seen = self.rows, self.report, self.seen
        cols = chunk.columns
        stored = await self._stored(cols)
        numbers, row_numbers = cols["number"], cols["row"]
        one_buyer = self.one_buyer
        file_keys = numbers if one_buyer else zip(numbers, cols["buyer_unit_id"], strict=True)
        keys = dict(zip(file_keys, row_numbers, strict=True))
        if not stored and len(keys) == len(numbers) and seen.keys().isdisjoint(keys):
            # The usual chunk: nothing stored, no key twice; settled with set operations in C.
            seen.update(keys)
            # A range, not a list: a million new rows would hold a million ints (38 MB).
            everything = range(len(numbers))
            if report.dry_run:
                room = max(0, MAX_EXPECTED - len(report.expected))
                shown = zip(row_numbers[:room], numbers[:room], strict=True)
                report.expected += [(int(str(r)), str(n), NEW) for r, n in shown]
            self.would_store += len(everything)
            return everything
        new: list[int] = []
        word = "index" if rows.by_index else "row"
        # Per row only dictionary look-ups; a row dict is built for stored invoices alone.
        for i, key in enumerate(zip(numbers, cols["buyer_unit_id"], strict=True)):
            row = int(str(row_numbers[i]))
            file_key = key[0] if one_buyer else key
            if file_key in seen:
                message = f"appears twice in this upload (first at {word} {seen[file_key]})"
                where = {"index": row} if rows.by_index else {"row": row}
                self.errors.extend([FieldError(rows.label("number"), message, **where)])
                continue
            seen[file_key] = row
            old = stored.get(key) if stored else None
            if old is None:
                status = NEW
                new.append(i)
            else:
                item = {name: values[i] for name, values in cols.items()}
                self.errors.extend(_differences(rows, item, old, self.credit_codes))
                status = UNCHANGED
            if report.dry_run and len(report.expected) < MAX_EXPECTED:
                report.expected.append((row, str(numbers[i]), status))
        self.would_store += len(new)
        return new


async def compare_stored(
    session: AsyncSession,
    rows: Rows,
    checked: list[Checked],
    credit_codes: dict[int, str],
    report: UploadReport,
) -> list[Sequence[int]]:
    """Each row against the invoice its buyer already uploaded: new, unchanged, or an error.

    Returns the positions of each chunk's new rows (a range when all are new).
    """
    one_buyer = len(set().union(*(c.columns["buyer_unit_id"] for c in checked))) == 1
    comparer = _Comparer(session, rows, credit_codes, report, one_buyer)
    fresh = [await comparer.chunk(chunk) for chunk in checked]
    if comparer.errors.count:
        raise comparer.errors.problem()
    report.would_store = comparer.would_store
    return fresh


async def store_invoices(
    session: AsyncSession,
    rows: Rows,
    buyers: Buyers,
    meta: UploadMeta,
    today: dt.date,
    dry_run: bool = False,
    progress: Callable[[int], object] | None = None,
    write_lock: asyncio.Lock | None = None,
) -> UploadReport:
    """Check and store every row of an upload, or nothing; the caller commits.

    On SQLite the file is checked whole before the first write; `write_lock` queues the write
    transactions of concurrent uploads so none waits on the database's lock. On PostgreSQL
    (not a dry run) each chunk is copied while the next one is checked (`_stream_new`).
    """
    errors = header_errors(rows, buyers)
    if errors:
        raise invalid(errors)
    report = UploadReport(dry_run=dry_run)
    try:
        units, credit_codes = await registered_units(session)
        ctx = CheckContext(units, buyers, today)
        dialect = await dialect_of(session)
        if dialect == "postgresql" and not dry_run:
            leftover = await _stream_new(session, rows, ctx, meta, credit_codes, report, progress)
            if leftover is not None:
                # Another upload stored some of these invoices while this one was copied:
                # start again, skipping stored keys and comparing them row by row.
                await _write_again(session, rows, meta, leftover, credit_codes, buyers, report)
            report.would_store = None
            return report
        checked = await check_file(rows, ctx, report, progress)
        fresh = await compare_stored(session, rows, checked, credit_codes, report)
        # End the read: on SQLite a read transaction that later writes fails at once when
        # another writer committed meanwhile, instead of waiting.
        await session.rollback()
        if dry_run:
            return report
        lock = write_lock if dialect == "sqlite" and write_lock is not None else None
        async with lock or contextlib.nullcontext():
            try:
                await _write_new(session, meta, checked, fresh, credit_codes, dialect, report)
            except DUPLICATE_KEY:
                # Another upload stored some of these invoices after this one was compared:
                # start again, skipping stored keys and comparing them row by row.
                await session.rollback()
                report.stored = report.unchanged = report.duplicate_claims = 0
                await _write(session, rows, meta, checked, credit_codes, dialect, report)
    except (IntegrityError, asyncpg.DeadlockDetectedError):
        await session.rollback()
        raise conflict(
            "another upload stored some of these invoices at the same moment; send the file again"
        ) from None
    except BaseException:
        await session.rollback()
        raise
    report.would_store = None
    report.expected = []
    return report


async def _stream_new(
    session: AsyncSession,
    rows: Rows,
    ctx: CheckContext,
    meta: UploadMeta,
    credit_codes: dict[int, str],
    report: UploadReport,
    progress: Callable[[int], object] | None,
) -> list[Checked] | None:
    """PostgreSQL: copy each chunk's new rows while the next chunk is read and checked.

    The database's share of an upload (its b-trees and WAL, about 0.25 s of 100,000 rows) runs
    in the server's process while this one checks the next chunk, instead of after the whole
    file. All or nothing still: it is one transaction, and the first error of the file (a bad
    cell, or a row that differs from its stored invoice) stops the copying; the rest of the
    file is still checked and compared, so every error is answered at once, then the caller
    rolls back.
    The file's own errors are answered alone, as check_file does. None when done; every
    checked chunk when a COPY met a key another upload stored meanwhile, or deadlocked with one
    (the caller then takes the careful path with them).
    """
    problems = _Errors()
    problems.extend(rows.row_errors)
    one_buyer = ctx.buyers.only is not None  # then every good row names that buyer
    comparer = _Comparer(session, rows, credit_codes, report, one_buyer)
    await _queue(session, ctx.buyers)
    upload_id = await _begin(session, meta)
    floor = await _id_floor(session, "postgresql")
    buyers_seen: set[int] = set()
    checked: list[Checked] = []
    copier = _Copier(session, report)
    # Three at once: the next chunk is read and checked in a thread, this one is compared
    # and laid out here, and the one before is copied by the database.
    chunks = _checked_chunks(rows, ctx, report, problems, progress)
    try:
        async for chunk in chunks:
            checked.append(chunk)
            if copier.taken or problems.count:
                continue  # nothing more is copied; the file is still checked to its end
            if comparer.errors.count or comparer.needs_database(chunk.columns):
                # One statement at a time on the connection; after an error nothing is
                # copied, but every row is still compared, so every error is answered.
                await copier.wait()
                if copier.taken:
                    continue  # the transaction is spoilt: the careful path compares again
            new = await comparer.chunk(chunk)
            if not comparer.errors.count:
                report.unchanged += len(chunk) - len(new)
                buyers = chunk.columns["buyer_unit_id"]
                kept = buyers if len(new) == len(chunk) else [buyers[i] for i in new]
                buyers_seen.update(kept)  # type: ignore[arg-type]  # unit ids, as checked
                await copier.start(list(_new_parts([chunk], [new], "postgresql", upload_id)))
        await copier.wait()
    finally:
        # Leave nothing running on the connection or the file (the caller rolls back).
        await chunks.aclose()
        await _quietly(copier.running)
    if problems.count:
        raise problems.problem()
    if comparer.errors.count:
        raise comparer.errors.problem()
    if copier.taken:
        return checked
    if not report.stored:
        # Nothing new: leave no upload row and no audit entry.
        await session.rollback()
        return None
    upload = _Upload(session, Rows({}, iter(())), upload_id, report)
    upload.credit_codes = credit_codes
    upload.buyers_seen = buyers_seen
    report.duplicate_claims = await duplicate_claims(
        session, "postgresql", upload_id, floor, buyers_seen, report.stored
    )
    await _finish(session, meta, upload, report)
    report.upload = upload_id
    return None


async def _copy_new(
    session: AsyncSession, parts: list[list[Sequence[Any]]], report: UploadReport
) -> None:
    """COPY one chunk's new rows (given as INSERTED's columns), if any."""
    if parts:
        report.stored += await copy_columns(session, "invoices", INSERTED, parts)


class _Copier:
    """One COPY at a time on the session's connection, running while the upload goes on."""

    def __init__(self, session: AsyncSession, report: UploadReport) -> None:
        self.session = session
        self.report = report
        self.running: asyncio.Future[None] | None = None
        self.taken = False  # a COPY met a key another upload stored (or is storing) meanwhile

    async def wait(self) -> None:
        """Until the running COPY is done."""
        running, self.running = self.running, None
        if running is None:
            return
        try:
            await running
        except TAKEN:
            self.taken = True

    async def start(self, parts: list[list[Sequence[Any]]]) -> None:
        """COPY these rows once the one before is done (none after a key was taken)."""
        await self.wait()
        if not self.taken:
            self.running = asyncio.ensure_future(_copy_new(self.session, parts, self.report))


async def _quietly(running: asyncio.Future[Any] | None) -> None:
    """Wait for a read or a COPY that an error left running; its own outcome is moot."""
    if running is not None:
        await asyncio.wait([running])  # raises nothing of the read's or the COPY's own
        if not running.cancelled():
            running.exception()  # retrieved: asyncio would log it as never retrieved


async def _queue(session: AsyncSession, buyers: Buyers) -> None:
    """PostgreSQL: one write transaction at a time for the uploads of one buyer.

    Two uploads of one buyer may hold the same keys; copied chunk by chunk in other orders,
    each would wait for a key the other holds. Queued, the later one finds the earlier one's
    rows stored (as SQLite's write lock does for every upload). Uploads of other buyers never
    share a key and do not wait; an official's file of several buyers is not queued (a
    deadlock there takes the careful path again, see _write_again).
    """
    if buyers.only is not None:
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :buyer)"),
            {"space": QUEUE_SPACE, "buyer": buyers.only},
        )


async def _write_again(
    session: AsyncSession,
    rows: Rows,
    meta: UploadMeta,
    checked: list[Checked],
    credit_codes: dict[int, str],
    buyers: Buyers,
    report: UploadReport,
) -> None:
    """The careful path on PostgreSQL, tried again when it deadlocks with another upload.

    Two uploads that insert the same keys in other orders can each wait for the other; the
    one PostgreSQL aborts starts again and then finds the other's rows stored. After
    WRITE_ATTEMPTS the caller answers 409 (send again), never 500.
    """
    for attempt in range(WRITE_ATTEMPTS):
        await session.rollback()
        report.stored = report.unchanged = report.duplicate_claims = 0
        try:
            await _queue(session, buyers)
            await _write(session, rows, meta, checked, credit_codes, "postgresql", report)
            return
        except asyncpg.DeadlockDetectedError:
            if attempt == WRITE_ATTEMPTS - 1:
                raise


async def _write_new(
    session: AsyncSession,
    meta: UploadMeta,
    checked: list[Checked],
    fresh: list[Sequence[int]],
    credit_codes: dict[int, str],
    dialect: str,
    report: UploadReport,
) -> None:
    """The write transaction when the rows found new are still new: one bulk insert.

    No `ON CONFLICT` and no per-chunk count: the (buyer, number) key still refuses a row
    that another upload stored meanwhile, and the caller then takes the careful path.
    """
    if not any(fresh):
        # Nothing new: leave no upload row and no audit entry.
        report.unchanged += sum(map(len, checked))
        return
    upload_id = await _begin(session, meta)
    floor = await _id_floor(session, dialect)
    buyers_seen: set[int] = set()
    for chunk, new in zip(checked, fresh, strict=True):
        report.unchanged += len(chunk) - len(new)
        buyers = chunk.columns["buyer_unit_id"]
        kept = buyers if len(new) == len(chunk) else [buyers[i] for i in new]
        buyers_seen.update(kept)  # type: ignore[arg-type]  # unit ids, as checked
    parts = _new_parts(checked, fresh, dialect, upload_id)
    report.stored = await copy_columns(session, "invoices", INSERTED, parts)
    upload = _Upload(session, Rows({}, iter(())), upload_id, report)
    upload.credit_codes = credit_codes
    upload.buyers_seen = buyers_seen
    report.duplicate_claims = await duplicate_claims(
        session, dialect, upload_id, floor, buyers_seen, report.stored
    )
    await _finish(session, meta, upload, report)
    report.upload = upload_id


def _new_parts(
    checked: list[Checked], fresh: list[Sequence[int]], dialect: str, upload_id: int
) -> Iterator[list[Sequence[Any]]]:
    """The new rows of each chunk as the table's columns (INSERTED), a chunk at a time.

    Made as they are inserted, not joined into whole columns first: a million rows would
    hold a second set of column lists (84 MB) beside the checked chunks.
    """
    days: dict[Any, Any] = {}
    for chunk, new in zip(checked, fresh, strict=True):
        if not new:
            continue
        c = chunk.columns
        for day in set(c["issued_on"]):
            if day not in days:
                days[day] = day_value(dialect, day)  # type: ignore[arg-type]
        columns: list[Sequence[Any]] = [c[name] for name in INSERTED_FROM_FILE]
        if len(new) < len(chunk):  # some rows are stored already: keep the new ones
            columns = [[column[i] for i in new] for column in columns]
        number, code, buyer, seller, issued, fen, kind, reverses, row = columns
        # Whole columns mapped in C: no per-row Python.
        yield [
            number, code, buyer, seller, list(map(days.__getitem__, issued)), fen, kind,
            reverses, [upload_id] * len(row), row,
        ]  # fmt: skip


async def _write(
    session: AsyncSession,
    rows: Rows,
    meta: UploadMeta,
    checked: list[Checked],
    credit_codes: dict[int, str],
    dialect: str,
    report: UploadReport,
) -> None:
    """The upload's writes: upload row, invoices, audit; the caller commits."""
    upload_id = await _begin(session, meta)
    floor = await _id_floor(session, dialect)
    upload = _Upload(session, rows, upload_id, report)
    upload.credit_codes = credit_codes
    upload.day_value = lambda day: day_value(dialect, day)
    for chunk in checked:
        await upload.add(chunk)
    if upload.errors.count:  # only when another upload changed the same invoices meanwhile
        raise upload.errors.problem()
    report.duplicate_claims = await duplicate_claims(
        session, dialect, upload_id, floor, upload.buyers_seen, report.stored
    )
    if report.stored == 0:
        # Nothing new: leave no upload row and no audit entry.
        await session.rollback()
        return
    await _finish(session, meta, upload, report)
    report.upload = upload_id


async def _begin(session: AsyncSession, meta: UploadMeta) -> int:
    result = await session.execute(
        insert(InvoiceUpload)
        .values(
            uploaded_by=meta.uploaded_by,
            # The client names the file: keep what fits the column (String(255)).
            filename=None if meta.filename is None else meta.filename[:255],
            sha256=meta.sha256,
            row_count=0,
            stored_count=0,
        )
        .returning(InvoiceUpload.id)
    )
    return int(result.scalar_one())


async def _id_floor(session: AsyncSession, dialect: str) -> int:
    """An id below every invoice this transaction will insert, and at or above the ones before.

    SQLite hands out max(id) + 1, and this transaction holds the only write lock; PostgreSQL's
    sequence only goes up, and its next value here is below every later one.
    """
    if dialect == "postgresql":
        sql = "SELECT nextval(pg_get_serial_sequence('invoices', 'id'))"
    else:
        sql = "SELECT coalesce(max(id), 0) FROM invoices"
    return int((await session.execute(text(sql))).scalar_one())


async def _finish(
    session: AsyncSession, meta: UploadMeta, upload: _Upload, report: UploadReport
) -> None:
    buyer = next(iter(upload.buyers_seen)) if len(upload.buyers_seen) == 1 else None
    await session.execute(
        update(InvoiceUpload)
        .where(InvoiceUpload.id == upload.upload_id)
        .values(row_count=report.rows, stored_count=report.stored, buyer_unit_id=buyer)
    )
    after = {
        "buyer": upload.credit_codes.get(buyer) if buyer is not None else None,
        "filename": meta.filename,
        "sha256": meta.sha256,
        "rows": report.rows,
        "stored": report.stored,
        "unchanged": report.unchanged,
        "duplicate_claims": report.duplicate_claims,
    }
    await record(
        session, meta.actor, "upload", "invoice_upload", str(upload.upload_id), None, after
    )
    await session.flush()
