"""Command-line entry points of collectors/: `infra-incentives import invoices FILE`."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from tqdm import tqdm

from collectors.invoices.parsing import Format, format_of_name, read_file
from collectors.invoices.store import UploadMeta, UploadReport, store_invoices
from collectors.invoices.validation import Buyers
from registry.audit import Actor
from registry.db import create_engine, session_factory
from registry.models import Unit
from service.kit.problems import Problem

TIMEZONE = "Asia/Shanghai"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _line_count(path: Path) -> int:
    # A good-enough total for the progress bar; quoted newlines only make it generous.
    with path.open("rb") as f:
        return max(0, sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b"")) - 1)


async def _import(
    database_url: str, path: Path, file_format: Format, buyer: str | None
) -> UploadReport:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            buyers = Buyers()
            if buyer is not None:
                unit_id = await session.scalar(select(Unit.id).where(Unit.code == buyer))
                await session.rollback()  # end the read so the upload starts with its write
                if unit_id is None:
                    raise Problem(404, "Not found", f"no unit with code {buyer!r}")
                reason = f"must be the credit code of unit {buyer} (--buyer)"
                buyers = Buyers(default=unit_id, only=unit_id, only_reason=reason)
            rows = read_file(path, file_format)
            meta = UploadMeta(
                actor=Actor.cli(f"import invoices {path.name}"),
                uploaded_by="cli",
                filename=path.name,
                sha256=_sha256(path),
            )
            total = _line_count(path) if file_format == "csv" else None
            with tqdm(total=total, unit="row", desc="invoices", file=sys.stderr) as bar:
                report = await store_invoices(
                    session,
                    rows,
                    buyers,
                    meta,
                    dt.datetime.now(ZoneInfo(TIMEZONE)).date(),
                    progress=bar.update,
                )
                await session.commit()
            for word, notices in (("skipped", rows.skipped), ("warning", rows.warnings)):
                for n in notices:
                    print(f"  row {n.row}, {n.number}: {word}: {n.message}", file=sys.stderr)
            return report
    finally:
        await engine.dispose()


def import_invoices_main(database_url: str, path: Path, buyer: str | None) -> int:
    """Import an invoice file as an official would upload it; 2 and nothing stored on errors."""
    file_format = format_of_name(path.name)
    if file_format is None:
        print(f"{path}: name a .csv, .xlsx or .json file", file=sys.stderr)
        return 2
    try:
        report = asyncio.run(_import(database_url, path, file_format, buyer))
    except Problem as problem:
        print(f"{path}: {problem.detail}", file=sys.stderr)
        for e in problem.errors:
            where = f"row {e.row}, " if e.row is not None else ""
            where += f"index {e.index}, " if e.index is not None else ""
            print(f"  {where}column {e.field}: {e.message}", file=sys.stderr)
        return 2
    print(
        f"{path}: {report.rows} rows, {report.stored} stored, {report.unchanged} already stored, "
        f"{report.duplicate_claims} claimed first by another buyer"
    )
    return 0
