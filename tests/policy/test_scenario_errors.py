"""A file that is not a valid scenario exits 2, names the file and the field, prints no result."""

from __future__ import annotations

from pathlib import Path

import pytest

from incentives.commands import simulate_main

GOOD_UNITS = """
units:
  - {code: P1, name: 服务商, credit_code: 91230100MA1PRN0057, kind: compute_provider}
  - {code: U1, name: 大学, credit_code: 12230100MB1TXT001M, kind: university}
key_providers:
  - {unit: P1, listed_from: 2024-01-01}
"""


def invalid(tmp_path: Path, body: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Run --check on a file holding body; assert exit 2 and no result; return stderr lines."""
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    assert simulate_main(["--check", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines and all(line.startswith(f"{path}: ") for line in lines)
    return lines


def test_wrong_credit_code_check_character_names_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "name: x\nas_of: 2026-01-01\nunits:\n"
    body += "  - {code: U1, name: 甲, credit_code: 91230100MA1HRB001X, kind: enterprise}\n"
    (line,) = invalid(tmp_path, body, capsys)
    assert "units[0].credit_code: wrong check character 'X', expected 'U'" in line


def test_money_with_three_decimals_names_the_invoice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "name: x\nas_of: 2026-01-01\n" + GOOD_UNITS + "invoices:\n"
    for n in range(4):
        amount = "100.005" if n == 3 else "100"
        body += (
            f'  - {{number: "2523000000000000000{n}", buyer: U1, seller: P1, '
            f"issued_on: 2025-01-01, amount: {amount}}}\n"
        )
    (line,) = invalid(tmp_path, body, capsys)
    assert ": invoices[3].amount: must have at most two decimals" in line


@pytest.mark.parametrize(
    ("fragment", "field", "words"),
    [
        ("amount: -5", "invoices[0].amount", "negative"),
        ("amount: 0", "invoices[0].amount", "more than 0"),
        ("amount: abc", "invoices[0].amount", "must be a number"),
        ("issued_on: 2025-02-30", "invoices[0].issued_on", "not a valid date"),
        ("kind: green", "invoices[0].kind", "'blue' or 'red'"),
        ("seller: P9", "invoices[0].seller", "not in units"),
        ("colour: red", "invoices[0].colour", "unknown field"),
        ("confirmed: maybe", "invoices[0].confirmed", "boolean"),
    ],
)
def test_bad_invoice_fields_are_named(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fragment: str,
    field: str,
    words: str,
) -> None:
    invoice = {
        "number": '"25230000000000000001"',
        "buyer": "U1",
        "seller": "P1",
        "issued_on": "2025-01-01",
        "amount": "100",
    }
    key, value = fragment.split(": ", 1)
    invoice[key] = value
    fields = ", ".join(f"{k}: {v}" for k, v in invoice.items())
    body = "name: x\nas_of: 2026-01-01\n" + GOOD_UNITS + f"invoices:\n  - {{{fields}}}\n"
    lines = invalid(tmp_path, body, capsys)
    assert any(f": {field}: " in line and words in line for line in lines), lines


def test_unquoted_invoice_number_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "name: x\nas_of: 2026-01-01\n" + GOOD_UNITS + "invoices:\n"
    body += "  - {number: 25230000000000000001, buyer: U1, seller: P1, issued_on: 2025-01-01, "
    body += "amount: 1}\n"
    (line,) = invalid(tmp_path, body, capsys)
    assert "invoices[0].number: must be a quoted string" in line


def test_bad_overrides_are_named_by_their_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = (
        "name: x\nas_of: 2026-01-01\npolicy_overrides:\n"
        "  clauses.compute_voucher.rate: 1.5\n  clauses.compute_vouchers.cap: 1\n"
    )
    lines = invalid(tmp_path, body, capsys)
    assert any(
        "policy_overrides.clauses.compute_voucher.rate: must be between 0" in x for x in lines
    )
    assert any(
        "policy_overrides.clauses.compute_vouchers.cap: is not a parameter" in x for x in lines
    )


def test_missing_required_fields_and_duplicate_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = invalid(tmp_path, "units: []\n", capsys)
    assert any(": name: Field required" in x for x in lines)
    assert any(": as_of: Field required" in x for x in lines)
    body = "name: x\nas_of: 2026-01-01\n" + GOOD_UNITS
    body += "  - {code: U1, name: 重复, credit_code: 12230100MB1TXT002Q, kind: university}\n"
    body = body.replace("key_providers:\n  - {unit: P1, listed_from: 2024-01-01}\n", "")
    (line,) = invalid(tmp_path, body, capsys)
    assert "units[2].code: 'U1' is defined twice" in line


def test_operational_centre_needs_a_commissioning_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "name: x\nas_of: 2026-01-01\n" + GOOD_UNITS + "computing_centers:\n"
    body += "  - {code: C1, unit: U1, name: c, kind: intelligent, status: operational}\n"
    (line,) = invalid(tmp_path, body, capsys)
    assert "computing_centers[0].commissioned_on: is required when operational" in line


def test_yaml_syntax_error_and_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (line,) = invalid(tmp_path, "name: [x\n", capsys)
    assert "(yaml): line" in line
    missing = tmp_path / "absent.yaml"
    assert simulate_main([str(missing)]) == 2
    assert f"{missing}: (file):" in capsys.readouterr().err


def test_one_invalid_file_stops_all_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = Path(__file__).resolve().parent.parent / "scenarios" / "voucher-basic.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n", encoding="utf-8")
    assert simulate_main([str(good), str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{bad}: as_of: Field required" in captured.err
