"""Scenario files take ASCII digits only in numbers, amounts and dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.policy.test_scenario_errors import GOOD_UNITS, invalid

ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize(
    ("field", "number", "amount", "day"),
    [
        ("number", "25230000000000000001".translate(ARABIC), '"100"', "2025-01-01"),
        ("amount", "25230000000000000001", '"١٠٠"', "2025-01-01"),
        ("issued_on", "25230000000000000001", '"100"', '"٢٠٢٥-٠١-٠١"'),
    ],
)
def test_other_scripts_digits_are_refused_in_a_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, number: str, amount: str,
    day: str,
) -> None:  # fmt: skip
    body = "name: x\nas_of: 2026-01-01\n" + GOOD_UNITS + "invoices:\n"
    body += (
        f'  - {{number: "{number}", buyer: U1, seller: P1, issued_on: {day}, amount: {amount}}}\n'
    )
    lines = invalid(tmp_path, body, capsys)
    assert any(f"invoices[0].{field}" in line for line in lines), lines
