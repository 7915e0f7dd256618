"""What-if: the same facts under a changed rate, cap or threshold, from a day or throughout."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from incentives.parameters import PolicyError
from incentives.scenario import load_scenario
from incentives.what_if import Proposal, compare, overrides_of

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def test_a_lower_voucher_rate_costs_less_for_every_buyer() -> None:
    loaded = load_scenario(SCENARIOS / "voucher-basic.yaml")
    result = compare(
        loaded.facts, loaded.policy, [Proposal("clauses.compute_voucher.rate", "0.20")]
    )
    vouchers = [d for d in result.differences if d.clause == "compute_voucher"]
    assert vouchers and all(d.proposed < d.current for d in vouchers)
    for d in vouchers:  # 20% instead of 30% of the same spend, when no cap binds
        assert d.proposed == (d.current * 2 / 3).quantize(Decimal("0.01"))
    current, proposed = result.totals()["compute_voucher"]
    assert proposed < current


def test_unchanged_parameters_change_nothing() -> None:
    loaded = load_scenario(SCENARIOS / "center-cap-per-unit.yaml")
    same = loaded.policy.parameters["clauses.computing_center_build.rate"].values.values[0]
    result = compare(
        loaded.facts, loaded.policy, [Proposal("clauses.computing_center_build.rate", same)]
    )
    assert result.differences and all(d.change == 0 for d in result.differences)


def test_a_change_from_a_day_keeps_the_old_value_before_it() -> None:
    loaded = load_scenario(SCENARIOS / "center-above-threshold.yaml")
    policy = loaded.policy
    overrides = overrides_of(
        policy, [Proposal("clauses.computing_center_build.rate", "0.25", date(2030, 1, 1))]
    )
    dated = overrides["clauses.computing_center_build.rate"]
    assert dated == {policy.valid_from: Decimal("0.30"), date(2030, 1, 1): "0.25"}
    # The centre was commissioned before 2030: its award is as it stands.
    result = compare(
        loaded.facts,
        policy,
        [Proposal("clauses.computing_center_build.rate", "0.25", date(2030, 1, 1))],
    )
    assert all(d.change == 0 for d in result.differences)


def test_an_unknown_parameter_or_bad_value_is_refused() -> None:
    loaded = load_scenario(SCENARIOS / "voucher-basic.yaml")
    with pytest.raises(PolicyError):
        compare(loaded.facts, loaded.policy, [Proposal("clauses.compute_voucher.rat", "0.2")])
    with pytest.raises(PolicyError):
        compare(loaded.facts, loaded.policy, [Proposal("clauses.compute_voucher.rate", "-1")])
