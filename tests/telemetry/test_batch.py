"""The quick path reads a batch exactly as the pydantic models do, or leaves it to them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.telemetry.batch import quick_readings, quick_samples, to_readings, validated_samples
from collectors.telemetry.facilities import Facility
from service.kit.problems import Problem

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
FACILITIES = {"C1": Facility(1, 10, "C1"), "C2": Facility(2, 20, "C2")}


def slow(data: Any) -> list[Any]:
    """The readings the pydantic path gives."""
    samples, errors = validated_samples(data)
    return to_readings(samples, FACILITIES, NOW, 90, errors)


WELL_FORMED = [
    {"facility": "C1", "metric": "gpu_util", "value": 0.5},
    {"facility": "C2", "metric": "a:b_c", "value": 3, "time": "2026-06-01T08:00:00+08:00"},
    {"facility": "C1", "metric": "m", "value": -1e-3, "time": "2026-05-31T23:59:59.123456Z"},
    {"facility": "C1", "metric": "m", "value": 1, "labels": {"b": "2", "a": '中文 "q"'}},
    {"facility": "C1", "metric": "m", "value": 1, "labels": {}, "time": None},
    {"facility": "C1", "metric": "m", "value": 1, "labels": None},
]


def test_a_well_formed_batch_reads_the_same_both_ways() -> None:
    data = {"samples": WELL_FORMED}
    quick = quick_samples(data, NOW, 90)
    assert quick is not None
    resolved = quick_readings(quick, FACILITIES, NOW)
    assert resolved is not None
    assert resolved[0] == slow(data)
    assert resolved[0][1].sampled_at == dt.datetime(2026, 6, 1, 0, 0, tzinfo=dt.UTC)
    assert resolved[0][3].labels == '{"a":"中文 \\"q\\"","b":"2"}'


@pytest.mark.parametrize(
    "item",
    [
        {"facility": "C1", "metric": "m", "value": True},
        {"facility": "C1", "metric": "m", "value": "1.5"},
        {"facility": "C1", "metric": "m\n", "value": 1},
        {"facility": "C1", "metric": "m", "value": 1, "labels": {"a": 1}},
        {"facility": "C1", "metric": "m", "value": 1, "labels": {"A": {}}},
        {"facility": "C1", "metric": {}, "value": 1},
        {"facility": ["C1"], "metric": "m", "value": 1},
        {"facility": "C1", "metric": "m", "value": 1, "time": {}},
        {"facility": "C1", "metric": "m", "value": 1, "labels": {"a-b": "x"}},
        {"facility": "C1", "metric": "m", "value": 1, "labels": ["a"]},
        {"facility": "C1", "metric": "m", "value": 1, "time": "2026-06-01T00:00:00"},
        {"facility": "C1", "metric": "m", "value": 1, "time": "2020-01-01T00:00:00Z"},
        {"facility": "C1", "metric": "m", "value": 2**60},
        {"facility": "", "metric": "m", "value": 1},
        {"facility": "C1", "metric": "m", "value": 1, "extra": 1},
        {"facility": "C1", "metric": "m"},
    ],
)
def test_anything_unusual_is_left_to_the_models(item: dict[str, Any]) -> None:
    data = {"samples": [WELL_FORMED[0], item]}
    assert quick_samples(data, NOW, 90) is None
    try:
        readings = slow(data)
    except Problem as problem:
        assert problem.status == 422
        assert {e.index for e in problem.errors} == {1}
    else:
        # What the models accept after all ("1.5" and 2**60 are numbers to pydantic).
        assert len(readings) == 2


def test_an_unknown_centre_is_left_to_the_models() -> None:
    quick = quick_samples({"samples": [{"facility": "C9", "metric": "m", "value": 1}]}, NOW, 90)
    assert quick is not None
    assert quick_readings(quick, FACILITIES, NOW) is None


@pytest.mark.parametrize("data", [[], {"samples": []}, {"samples": {}}, {"s": []}, None])
def test_a_wrong_envelope_is_left_to_the_models(data: Any) -> None:
    assert quick_samples(data, NOW, 90) is None
    with pytest.raises(Problem):
        slow(data)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


def mostly(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Valid values three times in four, any JSON otherwise."""
    return st.one_of(valid, valid, valid, JSON)


SAMPLE = st.fixed_dictionaries(
    {
        "facility": mostly(st.sampled_from(["C1", "C2", "C9", ""])),
        "metric": mostly(st.sampled_from(["m", "a:b_c", "1x", "m\n", "x" * 201])),
        "value": mostly(st.floats() | st.integers()),
    },
    optional={
        "time": mostly(
            st.sampled_from(
                ["2026-06-01T08:00:00+08:00", "2026-06-01T00:00:00", "2020-01-01T00:00:00Z", "x"]
            )
        ),
        "labels": mostly(
            st.dictionaries(
                st.sampled_from(["gpu", "a-b", "_x", "Z9"]), mostly(st.text(max_size=3)), max_size=3
            )
        ),
    },
)


@settings(max_examples=400, deadline=None)
@given(st.lists(SAMPLE, min_size=1, max_size=3))
def test_any_json_either_reads_the_same_or_is_left_to_the_models(items: list[Any]) -> None:
    data = {"samples": items}
    quick = quick_samples(data, NOW, 90)
    if quick is None:
        return
    resolved = quick_readings(quick, FACILITIES, NOW)
    try:
        expected = slow(data)
    except Problem:
        assert resolved is None  # only an unknown centre may pass the quick check
        return
    assert resolved is not None and resolved[0] == expected
