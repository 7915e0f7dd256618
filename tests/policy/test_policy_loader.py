"""The shipped policy file and the strict loader."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from incentives.commands import policy_main
from incentives.parameters import PREFIXES, SPECS, PolicyError, group_paths
from incentives.policy import POLICY_DIR, load_policy

SHIPPED = POLICY_DIR / "heilongjiang-digital-2023.yaml"

# DESIGN.md, "Policy interpretation": the parameter table, as written there.
DESIGN_TABLE = {
    "valid_from": date(2023, 12, 1),
    "valid_until": date(2026, 12, 1),
    "overlap": "top_up",
    "clauses.computing_center_build.center_kinds": ("intelligent", "supercomputing"),
    "clauses.computing_center_build.min_capacity_pflops": Decimal(50),
    "clauses.computing_center_build.precision": {"intelligent": "FP16", "supercomputing": "FP64"},
    "clauses.computing_center_build.cost_categories": ("equipment", "software"),
    "clauses.computing_center_build.rate": Decimal("0.30"),
    "clauses.computing_center_build.cap_per_unit": Decimal(20000000),
    "clauses.compute_voucher.buyer_kinds": ("university", "research_institute", "enterprise"),
    "clauses.compute_voucher.spend_threshold": Decimal(300000),
    "clauses.compute_voucher.rate": Decimal("0.30"),
    "clauses.compute_voucher.cap_per_unit_per_year": Decimal(4000000),
    "clauses.compute_voucher.require_provider_confirmation": True,
    "clauses.identifier_node.amount": Decimal(5000000),
    "clauses.identifier_node.per": "unit",
}


def variant(tmp_path: Path, old: str, new: str) -> Path:
    """The shipped policy file with one piece of text replaced."""
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "variant.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def errors_of(path: Path) -> list[tuple[str, str]]:
    with pytest.raises(PolicyError) as caught:
        load_policy(str(path))
    return caught.value.errors


def test_shipped_policy_holds_every_parameter_of_the_design_table() -> None:
    policy = load_policy()
    assert set(policy.parameters) == set(DESIGN_TABLE) == set(SPECS)
    for path, expected in DESIGN_TABLE.items():
        assert policy.value(path, date(2024, 1, 1)) == expected, path


def test_each_clause_carries_its_reference_and_quoted_text() -> None:
    clauses = load_policy().clauses
    assert clauses["computing_center_build"].reference == "五(十九)"
    assert clauses["compute_voucher"].reference == "五(十九)"
    assert clauses["identifier_node"].reference == "四(十六)"
    assert "50P" in clauses["computing_center_build"].text
    assert "2000 万元" in clauses["computing_center_build"].text
    assert "30 万元" in clauses["compute_voucher"].text
    assert "500 万元" in clauses["identifier_node"].text


def test_shipped_rates_are_exact_decimals_not_floats() -> None:
    policy = load_policy()
    rate = policy.value("clauses.compute_voucher.rate", date(2024, 1, 1))
    assert type(rate) is Decimal


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    path = variant(tmp_path, "    cap_per_unit:\n", "    cap_per_units:\n")
    paths = [p for p, _ in errors_of(path)]
    assert "clauses.computing_center_build.cap_per_units" in paths
    assert "clauses.computing_center_build.cap_per_unit" in paths  # and it is now missing


def test_wrong_type_is_an_error(tmp_path: Path) -> None:
    path = variant(tmp_path, "      value: true", "      value: yes please")
    errors = errors_of(path)
    assert errors[0][0] == "clauses.compute_voucher.require_provider_confirmation.value"
    assert "true or false" in errors[0][1]


def test_a_rate_above_one_is_an_error(tmp_path: Path) -> None:
    path = variant(tmp_path, "      value: 0.30", "      value: 30")
    assert any("between 0 and 1" in m for _, m in errors_of(path))


def test_clause_without_reference_is_an_error(tmp_path: Path) -> None:
    path = variant(tmp_path, "    reference: 四(十六)\n", "")
    assert ("clauses.identifier_node.reference", "is required") in errors_of(path)


def test_dated_parameter_without_a_value_on_valid_from_is_an_error(tmp_path: Path) -> None:
    path = variant(tmp_path, "      value: 5000000", "      value: {2024-01-01: 5000000}")
    (path_, message), *_ = errors_of(path)
    assert path_ == "clauses.identifier_node.amount"
    assert "2023-12-01" in message


def test_dated_values_apply_from_their_start(tmp_path: Path) -> None:
    path = variant(
        tmp_path, "      value: 5000000", "      value: {2023-12-01: 5000000, 2025-01-01: 4000000}"
    )
    policy = load_policy(str(path))
    assert policy.node_params(date(2024, 12, 31)).amount == Decimal(5000000)
    assert policy.node_params(date(2025, 1, 1)).amount == Decimal(4000000)


def test_validity_dates_cannot_be_dated(tmp_path: Path) -> None:
    path = variant(tmp_path, "  value: 2026-12-01", "  value: {2023-12-01: 2026-12-01}")
    assert any(p == "valid_until.value" for p, _ in errors_of(path))


def test_overrides_by_dotted_path_replace_one_parameter() -> None:
    policy = load_policy().with_overrides({"clauses.compute_voucher.rate": "0.2"})
    assert policy.voucher_params(date(2025, 1, 1)).rate == Decimal("0.2")
    assert policy.center_params(date(2025, 1, 1)).rate == Decimal("0.30")


def test_overrides_report_every_bad_path_before_changing_anything() -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy().with_overrides(
            {"clauses.compute_voucher.rat": 1, "clauses.identifier_node.per": "site"}
        )
    paths = [p for p, _ in caught.value.errors]
    assert paths == ["clauses.compute_voucher.rat", "clauses.identifier_node.per"]
    assert "did you mean clauses.compute_voucher.rate" in caught.value.errors[0][1]


def test_an_override_ending_validity_before_it_starts_is_an_error() -> None:
    with pytest.raises(PolicyError, match="valid_until"):
        load_policy().with_overrides({"valid_until": date(2023, 1, 1)})


def test_policy_show_prints_every_parameter_with_its_reference(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert policy_main(["show"]) == 0
    out = capsys.readouterr().out
    for path in SPECS:
        assert path.rsplit(".", 1)[-1] in out
    assert "五(十九)" in out and "四(十六)" in out and "末段" in out
    assert policy_main(["show", "--lang", "en"]) == 0
    assert "compute voucher" in capsys.readouterr().out


def test_policy_show_of_an_unknown_policy_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert policy_main(["show", "no-such-policy"]) == 2
    assert "no such policy" in capsys.readouterr().err


def test_the_typed_views_hold_every_parameter_of_the_design_table() -> None:
    # One declaration: each field of a typed group is a parameter, read from the policy file.
    policy = load_policy()
    day = date(2024, 1, 1)
    seen: dict[str, object] = {}
    for group in PREFIXES:
        view = policy.params(group, day)
        for name, path in group_paths(group).items():
            seen[path] = getattr(view, name)
    assert seen == DESIGN_TABLE
    assert policy.center_params(day).rate == Decimal("0.30")
    assert policy.voucher_params(day).require_provider_confirmation is True
