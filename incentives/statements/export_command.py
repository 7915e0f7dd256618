"""`statements export ID --format xlsx|csv [--lang en] [-o FILE]`: a statement's file on disk."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path

from incentives.install import load_policies
from incentives.models import Statement
from incentives.statements.export import FileFormat, Lang, filename
from incentives.statements.files import statement_file
from registry.db import create_engine, session_factory

EXIT_OK, EXIT_INVALID = 0, 2


@dataclass(frozen=True)
class _PolicyFiles:
    """What load_policies reads of the settings."""

    policy_paths: tuple[Path, ...]
    timezone: str = "Asia/Shanghai"
    notice_days: int = 0
    voucher_grace_days: int = 0


def statements_export_main(
    database_url: str,
    policy_paths: tuple[Path, ...],
    statement_id: int,
    file_format: str,
    lang: str,
    output: str | None,
) -> int:
    """Write a statement's file (the kept bytes once final); `-o -` writes to standard output."""
    policies = load_policies(_PolicyFiles(policy_paths))
    fmt, language = FileFormat(file_format), Lang(lang)

    async def fetch() -> tuple[bytes, str] | None:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as session:
                statement = await session.get(Statement, statement_id)
                if statement is None:
                    return None
                content, document = await statement_file(
                    session, statement, policies.get(statement.policy), fmt, language
                )
                return content, filename(document, fmt, language)
        finally:
            await engine.dispose()

    found = asyncio.run(fetch())
    if found is None:
        print(f"没有结算单 #{statement_id} / no statement {statement_id}", file=sys.stderr)
        return EXIT_INVALID
    content, suggested = found
    if output == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return EXIT_OK
    target = Path(output or suggested)
    target.write_bytes(content)
    print(f"已导出结算单 #{statement_id}：{target} / exported statement {statement_id} to {target}")
    return EXIT_OK
