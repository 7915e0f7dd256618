"""The fast path (msgspec, columns, numpy) reads and folds exactly as the models and Python do."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.telemetry.columns import Columns, columns_of, fast_batch, resolve
from collectors.telemetry.group import Group
from collectors.telemetry.rollup import aggregate
from collectors.telemetry.samples import Reading
from service.kit.problems import Problem
from tests.telemetry.test_batch import FACILITIES, NOW, SAMPLE, WELL_FORMED, slow

ZONE = ZoneInfo("Asia/Shanghai")


def fast(raw: bytes) -> list[Reading] | None:
    """The readings the fast path gives, or None where it leaves the batch to the others."""
    parsed = fast_batch(raw, NOW, 90)
    if parsed is None:
        return None
    columns = resolve(parsed, FACILITIES)
    return None if columns is None else columns.readings()


def test_a_well_formed_batch_reads_as_the_models_read_it() -> None:
    data = {"samples": WELL_FORMED}
    assert fast(json.dumps(data).encode()) == slow(data)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"samples":[{"facility":"C1","metric":"m","value":1}],"samples":[]}',
        b'{"samples":[{"facility":"C1","metric":"m","value":1,"value":true}]}',
        b'{"samples":[{"facility":"C1","metric":"m","value":1e400}]}',
        b'{"samples":[{"facility":"C1","metric":"m","value":NaN}]}',
        b'{"samples":[{"facility":"\\ud800","metric":"m","value":1}]}',
        b'{"samples":[{"facility":"C1","metric":"m","value":1}]} x',
        b'\xef\xbb\xbf{"samples":[{"facility":"C1","metric":"m","value":1}]}',
        b'{"samples":[{"facility":"C1","metric":"m","value":1,"labels":{"a":"1","a":2}}]}',
        b'{"samples":[{"facility":"C1","metric":"m","value":1,"labels":[]}]}',
        b'{"samples":[{"facility":"C1","metric":"m","value":1,"labels":"x"}]}',
        b'{"samples":[{"facility":"C1","metric":"m","value":1,"time":1700000000}]}',
        b'{"samples":[{"facility":"C9","metric":"m","value":1}]}',
    ],
)
def test_anything_doubtful_is_left_to_the_others(raw: bytes) -> None:
    assert fast(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        # The last of repeated keys counts, as for orjson and the standard parser.
        b'{"samples":[{"facility":"C9","facility":"C1","metric":"m","value":1}]}',
        b'{"samples":[{"facility":"C1","metric":"m","value":1,"labels":{"a":"1","a":"2"}}]}',
        # Integers too large for a double's 53 bits read as pydantic reads them.
        b'{"samples":[{"facility":"C1","metric":"m","value":9007199254740993}]}',
        b'{"samples":[{"facility":"C1","metric":"m","value":123456789012345678901234567890}]}',
        b'{"samples":[{"facility":"C1","metric":"m","value":-0.0,"time":null,"labels":null}]}',
        b'{"samples":[{"facility":"C1","metric":"m","value":1,"labels":{ "b" : "2","a":"1"}},'
        b'{"facility":"C1","metric":"m","value":2,"labels":{"a":"1","b":"2"}}]}',
    ],
)
def test_what_it_takes_it_reads_as_the_models_do(raw: bytes) -> None:
    assert fast(raw) == slow(json.loads(raw))


@settings(max_examples=400, deadline=None)
@given(st.lists(SAMPLE, min_size=1, max_size=3))
def test_any_json_either_reads_the_same_or_is_left_to_the_others(items: list[Any]) -> None:
    data = {"samples": items}
    try:
        raw = orjson.dumps(data)
    except (TypeError, orjson.JSONEncodeError):
        return  # not JSON at all (NaN, huge integers): never a body
    readings = fast(raw)
    try:
        expected = slow(orjson.loads(raw))
    except Problem:
        assert readings is None
        return
    assert readings is None or readings == expected


VALUES = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
    st.sampled_from([None, math.inf, -math.inf, 0.0, -0.0, 1.5]),
)
READING = st.builds(
    Reading,
    st.sampled_from([1, 2]),
    st.sampled_from(["m", "n"]),
    st.sampled_from(["{}", '{"gpu":"0"}', '{"gpu":"1"}']),
    st.sampled_from([NOW - dt.timedelta(hours=h) for h in (0, 5, 16, 17, 40)]),
    VALUES,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(READING, min_size=1, max_size=8), min_size=1, max_size=3))
def test_the_group_folds_roll_ups_as_the_python_fold_does(batches: list[list[Reading]]) -> None:
    columns = [columns_of(batch) for batch in batches]
    ids = {key: n for n, key in enumerate(sorted({k for c in columns for k in c.series}))}
    group = Group.of(columns, [[ids[key] for key in c.series] for c in columns])
    arrays = group.rollups(ZONE)
    folded = aggregate((r for batch in batches for r in batch), ZONE)
    if arrays is None:
        assert folded == {}
        return
    rows = list(zip(*(a.strip("{}").split(",") for a in arrays), strict=True))
    assert [(int(c), m.strip('"'), dt.date.fromordinal(int(d))) for c, m, d, *_ in rows] == sorted(
        folded
    )
    for row, (key, (low, high, total, count, last_at, last)) in zip(
        rows, sorted(folded.items()), strict=True
    ):
        assert (float(row[3]), float(row[4]), int(row[6])) == (low, high, count), key
        assert float(row[5]) == pytest.approx(total, rel=1e-12, abs=1e-9)
        assert (int(row[7]), float(row[8])) == ((last_at - EPOCH) // MICRO, last), key


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICRO = dt.timedelta(microseconds=1)


def test_the_binary_copy_rows_are_the_samples_in_key_order() -> None:
    batch = Columns([(1, "m", "{}"), (2, "m", "{}")], [1, 0, 1], [30, 20, 10], [1.5, -2.0, 3.25])
    group = Group.of([batch], [[7, 5]])
    assert not group.repeats()
    data = group.binary_copy()
    assert data is not None
    raw = bytes(data)
    assert raw.startswith(b"PGCOPY\n\xff\r\n\x00") and raw.endswith(b"\xff\xff")
    rows = np.frombuffer(raw[19:-2], dtype=np.dtype(">i2,>i4,>i8,>i4,>i8,>i4,>f8"))
    expected = [(5, 10, 3.25), (5, 30, 1.5), (7, 20, -2.0)]
    assert [(int(r[2]), int(r[4]), float(r[6])) for r in rows] == expected
    assert group.records() == expected


def test_a_null_value_goes_as_records_and_a_repeat_is_seen() -> None:
    batch = Columns([(1, "m", "{}")], [0, 0], [10, 10], [None, 1.0])
    group = Group.of([batch], [[3]])
    assert group.binary_copy() is None
    assert group.repeats()
    assert group.records()[0][2] in (None, 1.0)


def test_the_first_of_each_key_is_kept_in_the_order_given() -> None:
    first = Columns([(1, "m", "{}")], [0, 0, 0], [20, 10, 20], [1.0, 2.0, 3.0])
    second = Columns([(1, "m", "{}")], [0, 0], [10, 30], [4.0, 5.0])
    group = Group.of([first, second], [[7], [7]])
    assert group.first_keys().tolist() == [True, True, False, False, True]
    fresh = group.subset(group.first_keys())
    assert fresh.records() == [(7, 10, 2.0), (7, 20, 1.0), (7, 30, 5.0)]
    assert fresh.number.tolist() == [0, 0, 1]
