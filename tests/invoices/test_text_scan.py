"""The scans before pandas reads a CSV: its encoding and its line limits, at block edges."""

from __future__ import annotations

from pathlib import Path

import pytest

from collectors.invoices.tables import BLOCK, MAX_LINE_BYTES, check_lines, text_encoding
from service.kit.problems import Problem


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    return path


def test_a_character_split_between_blocks_is_still_utf8(tmp_path: Path) -> None:
    text = "中".encode()
    data = b"a" * (BLOCK - 1) + text + b"b" * BLOCK  # 3 bytes across the edge, then ASCII
    assert text_encoding(_file(tmp_path, data)) == "utf-8-sig"


@pytest.mark.parametrize(
    "tail",
    [
        "中".encode()[:2],  # cut short at the end of the file
        "中".encode()[:2] + b"b" * 10,  # cut short, then ASCII in the same block
        "名称".encode("gb18030"),  # not UTF-8 at all
    ],
)
def test_bytes_that_are_not_utf8_after_ascii_blocks_mean_gb18030(
    tmp_path: Path, tail: bytes
) -> None:
    assert text_encoding(_file(tmp_path, b"a" * (2 * BLOCK) + tail)) == "gb18030"


def test_a_character_cut_at_a_block_edge_before_ascii_is_not_utf8(tmp_path: Path) -> None:
    data = b"a" * (BLOCK - 2) + "中".encode()[:2] + b"b" * BLOCK  # the next block is ASCII
    assert text_encoding(_file(tmp_path, data)) == "gb18030"


def test_lines_are_counted_across_blocks_as_before(tmp_path: Path) -> None:
    line = b"x" * 1000
    data = b"\r\n".join([line] * 1000) + b"\nlast"  # CRLF counts twice, as it always did
    assert check_lines(_file(tmp_path, data)) == 2 * 999 + 1 + 1


@pytest.mark.parametrize("start", [0, 10, MAX_LINE_BYTES - 3])
def test_a_line_at_the_limit_passes_and_one_byte_more_is_refused(
    tmp_path: Path, start: int
) -> None:
    head = b"h" * start + b"\n"  # the long line starts anywhere in a block
    assert check_lines(_file(tmp_path, head + b"y" * MAX_LINE_BYTES + b"\nz\n")) == 3
    with pytest.raises(Problem) as refused:
        check_lines(_file(tmp_path, head + b"y" * (MAX_LINE_BYTES + 1) + b"\nz\n"))
    assert f"near line 2 is longer than {MAX_LINE_BYTES} bytes" in str(refused.value.detail)
