"""Scenario YAML never turns money or capacities into floats."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import yaml

from registry.exact_yaml import load_text


def test_decimal_numbers_load_as_decimal() -> None:
    data = load_text("a: 49.9\nb: 0.2\nc: 300000.05\nd: 1_000.50\n")
    assert data == {
        "a": Decimal("49.9"),
        "b": Decimal("0.2"),
        "c": Decimal("300000.05"),
        "d": Decimal("1000.50"),
    }
    assert all(type(v) is Decimal for v in data.values())


def test_dates_stay_dates_and_impossible_dates_stay_text() -> None:
    assert load_text("d: 2024-06-30") == {"d": date(2024, 6, 30)}
    assert load_text("d: 2025-13-01") == {"d": "2025-13-01"}


def test_a_repeated_key_is_an_error() -> None:
    with pytest.raises(yaml.YAMLError, match="duplicate key"):
        load_text("a: 1\na: 2\n")
