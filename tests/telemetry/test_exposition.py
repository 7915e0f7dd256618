"""The exposition parser reads what prometheus_client reads, and names the line of bad input."""

from __future__ import annotations

import math

import pytest
from prometheus_client.parser import text_string_to_metric_families

from collectors.telemetry.exposition import ExpositionError, SeriesCache, parse

TRICKY = r"""
# A comment that is neither HELP nor TYPE
# HELP dcgm_gpu_util GPU utilisation, with a \\ backslash and a \n newline in the help
# TYPE dcgm_gpu_util gauge
dcgm_gpu_util{gpu="0",UUID="GPU-1",modelName="NVIDIA H100 80GB HBM3"} 97
dcgm_gpu_util{gpu="1",UUID="GPU-2",modelName="quote \" backslash \\ newline \n end"} 3.5e-1
dcgm_gpu_util{ gpu = "2" , UUID="GPU-3", } -0.0
dcgm_gpu_util{gpu="3",path="C:\\dir\\file",note="{braces} and, commas = here"} +12
dcgm_gpu_util{gpu="4",hostname="节点-哈尔滨-01"} 1e3
# TYPE special gauge
special{kind="nan"} NaN
special{kind="pinf"} +Inf
special{kind="ninf"} -Inf
special{kind="stamped"} 42 1700000000123
special{kind="negative-stamp"} 1 -5
	special{kind="tabs"}	7	1700000000000
# TYPE requests_total counter
requests_total{method="GET"} 1027
# HELP latency_seconds Request latency.
# TYPE latency_seconds histogram
latency_seconds_bucket{le="0.1"} 3
latency_seconds_bucket{le="+Inf"} 5
latency_seconds_sum 1.25
latency_seconds_count 5
# TYPE rpc summary
rpc{quantile="0.5"} 0.01
rpc{quantile="0.99"} NaN
rpc_sum 7
rpc_count 700
untyped_metric 1
"""


def _ours(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], tuple[float, float | None]]:
    out = {}
    for family in parse(text):
        for s in family.samples:
            stamp = None if s.timestamp_ms is None else s.timestamp_ms / 1000
            out[(s.name, s.labels)] = (s.value, stamp)
    return out


def _theirs(
    text: str,
) -> dict[tuple[str, tuple[tuple[str, str], ...]], tuple[float, float | None]]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            stamp = None if s.timestamp is None else float(s.timestamp)
            out[(s.name, tuple(sorted(s.labels.items())))] = (float(s.value), stamp)
    return out


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_tricky_input_reads_the_same_as_prometheus_client() -> None:
    ours, theirs = _ours(TRICKY), _theirs(TRICKY)
    assert ours.keys() == theirs.keys()
    for key, (value, stamp) in ours.items():
        assert _same(value, theirs[key][0]), key
        assert stamp == theirs[key][1], key
    assert len(ours) == 21


def test_escapes_types_and_help_are_decoded() -> None:
    families = {f.name: f for f in parse(TRICKY)}
    assert families["dcgm_gpu_util"].help == (
        "GPU utilisation, with a \\ backslash and a \n newline in the help"
    )
    assert families["dcgm_gpu_util"].type == "gauge"
    labels = dict(families["dcgm_gpu_util"].samples[1].labels)
    assert labels["modelName"] == 'quote " backslash \\ newline \n end'
    assert dict(families["dcgm_gpu_util"].samples[3].labels)["path"] == "C:\\dir\\file"
    assert [s.name for s in families["latency_seconds"].samples] == [
        "latency_seconds_bucket",
        "latency_seconds_bucket",
        "latency_seconds_sum",
        "latency_seconds_count",
    ]
    assert families["rpc"].type == "summary" and len(families["rpc"].samples) == 4
    assert families["untyped_metric"].type == "untyped"
    assert families["special"].samples[3].timestamp_ms == 1700000000123


def test_output_of_prometheus_client_parses_identically() -> None:
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Summary
    from prometheus_client.exposition import generate_latest

    registry = CollectorRegistry()
    g = Gauge("g", "a gauge", ["a", "b"], registry=registry)
    g.labels('x"y', "back\\slash\nnewline").set(1.5)
    g.labels("inf", "").set(float("inf"))
    Counter("c", "a counter", registry=registry).inc(3)
    Histogram("h", "a histogram", registry=registry).observe(0.3)
    Summary("s", "a summary", registry=registry).observe(2)
    text = generate_latest(registry).decode()
    assert _ours(text).keys() == _theirs(text).keys()
    for key, (value, _) in _ours(text).items():
        assert _same(value, _theirs(text)[key][0])


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("ok 1\nbad-name 1\n", 2, "unexpected '-' after the metric name"),
        ("ok 1\n1bad 1\n", 2, "invalid metric name"),
        ('ok 1\n\nx{a="1"} one\n', 3, "invalid value"),
        ('x{a="1} 1\n', 1, "malformed label set"),
        ('x{a="\\t"} 1\n', 1, "invalid escape sequence"),
        ('x{a="1",a="2"} 1\n', 1, "appears twice"),
        ('x{a="1"} 1\nx{a="1"} 2\n', 2, "second sample of the same series"),
        ("x 1 2 3\n", 1, "unexpected text after the timestamp"),
        ("x 1 1.5\n", 1, "invalid timestamp"),
        ("x 1_000\n", 1, "invalid value"),
        ("x\n", 1, "no value"),
        ("# TYPE x gauge\n# TYPE x counter\n", 2, "second TYPE"),
        ("x 1\n# TYPE x gauge\n", 2, "TYPE after samples"),
        ("# TYPE x sometimes\n", 1, "unknown type"),
        ("# HELP x one\n# HELP x two\n", 2, "second HELP"),
        ("# TYPE h histogram\nh_bucket 1\n", 2, "without an 'le' label"),
        ('x{__name__="y"} 1\n', 1, "reserved"),
        ('x{a="1"}} 1\n', 1, "expected ',' or '}'"),
        ("x -nan\n", 1, "invalid value"),
    ],
)
def test_a_malformed_line_is_named(text: str, line: int, message: str) -> None:
    with pytest.raises(ExpositionError) as caught:
        parse(text)
    assert caught.value.line == line
    assert message in caught.value.message


def test_the_series_cache_gives_the_same_result_and_stays_strict() -> None:
    cache: SeriesCache = {}
    first = parse(TRICKY, cache)
    again = parse(TRICKY, cache)
    # repr, because NaN is not equal to itself
    assert repr(first) == repr(again)
    assert cache  # the second parse was served from it
    with pytest.raises(ExpositionError):
        parse('dcgm_gpu_util{gpu="0",UUID="GPU-1",modelName="NVIDIA H100 80GB HBM3"} x\n', cache)
