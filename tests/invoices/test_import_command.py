"""`infra-incentives import invoices FILE`: the same checks as the API, with a progress bar."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.invoices.conftest import B1, P1, Tokens
from tests.invoices.test_invoice_upload import HEADER_ZH, csv


async def run_import(database_url: str, path: Path, *extra: str) -> tuple[int, str, str]:
    """Run the command in a child process, as an operator would."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.cli", "import", "invoices", str(path),
        "--database-url", database_url, *extra,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_errors_are_printed_by_row_and_column_and_nothing_is_stored(
    database_url: str, tokens: Tokens, tmp_path: Path
) -> None:
    path = tmp_path / "发票.csv"
    path.write_bytes(
        csv(
            HEADER_ZH,
            f"25230000000000000001,{B1},{P1},2025-03-01,10.00,蓝字,",
            f"25230000000000000002,{B1},{P1},2025-03-01,10.5.0,蓝字,",
            f"25230000000000000003,{B1},{P1},2025-3-1x,10.00,蓝字,",
        )
    )
    code, out, err = await run_import(database_url, path)
    assert code == 2
    assert "row 3, column 价税合计: '10.5.0' is not an amount in yuan" in err
    assert "row 4, column 开票日期:" in err
    path.write_bytes(
        csv(HEADER_ZH, f"25230000000000000001,{B1},{P1},2025-03-01,10.00,蓝字,").replace(
            f"{B1}".encode(), b""
        )
    )
    code, out, err = await run_import(database_url, path, "--buyer", "B1")
    assert code == 0, err
    assert "1 rows, 1 stored" in out
    assert "invoices" in err  # the progress bar goes to stderr
    code, out, err = await run_import(database_url, path, "--buyer", "B1")
    assert code == 0, err
    assert "1 rows, 0 stored, 1 already stored" in out


async def test_a_platform_export_names_its_skipped_and_flagged_invoices(
    database_url: str, tokens: Tokens, tmp_path: Path
) -> None:
    sample = Path(__file__).parent / "files" / "platform_export.csv"
    code, out, err = await run_import(database_url, sample)
    assert code == 0, err
    assert "4 rows, 4 stored" in out
    assert "row 6, 25232000000000000104: skipped: 作废" in err
    assert "row 7, 25232000000000000105: warning: 已红冲" in err
