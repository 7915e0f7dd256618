"""The fast reading of a well-formed JSON batch: decoded and checked in C, kept as columns.

A batch that msgspec decodes into the structs below, and whose few distinct names, label sets
and times pass the same checks as the quick path, is read here without a Python step per
sample. At the first thing it is unsure of it gives up (None), and the orjson quick path and
then the pydantic models decide and name every error, exactly as without it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import count
from typing import Annotated, NamedTuple, cast

import msgspec
import orjson

from collectors.telemetry.batch import MAX_SAMPLES, labels_ok, metric_ok
from collectors.telemetry.facilities import Facility
from collectors.telemetry.samples import (
    MAX_VALUE,
    Reading,
    canonical_labels,
    labels_error,
    time_error,
)
from collectors.telemetry.series import SeriesKey
from registry.fields import parse_instant

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)
# The labels are kept as their JSON text: equal texts are checked once, not once a sample.
_NO_LABELS = msgspec.Raw(b"")
_NULL = b"null"


class _Sample(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """SampleIn's shape; the metric name is checked once per distinct name, in Python."""

    facility: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    metric: str
    # A JSON number only (msgspec refuses true and "5"); an integer reads as pydantic reads it.
    value: Annotated[float, msgspec.Meta(ge=-MAX_VALUE, le=MAX_VALUE)]
    time: str | None = None
    labels: msgspec.Raw = _NO_LABELS


class _Batch(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    samples: Annotated[list[_Sample], msgspec.Meta(min_length=1, max_length=MAX_SAMPLES)]


_DECODE = msgspec.json.Decoder(_Batch).decode


class Parsed(NamedTuple):
    """A well-formed batch whose centres are still codes: each series once, then per sample."""

    keys: list[tuple[str, str, str]]  # centre code, metric, canonical labels
    slot: list[int]  # each sample's index into keys
    micros: list[int]  # each sample's time, microseconds since the epoch (UTC)
    value: list[float]


@dataclass(frozen=True, slots=True)
class Columns:
    """A batch ready to store, in columns: each series once, then per sample."""

    series: list[SeriesKey]  # centre id, metric, canonical labels
    slot: list[int]  # each sample's index into series
    micros: list[int]  # each sample's time, microseconds since the epoch (UTC)
    value: list[float | None]  # None is NaN

    def __len__(self) -> int:
        return len(self.slot)

    def readings(self) -> list[Reading]:
        """The same samples one by one, as the readings path stores them."""
        times = {us: EPOCH + us * MICROSECOND for us in set(self.micros)}
        new = tuple.__new__  # the named tuple's Python-level constructor is slow per sample
        series = self.series
        return [
            new(Reading, (*series[s], times[us], v))
            for s, us, v in zip(self.slot, self.micros, self.value, strict=True)
        ]


def columns_of(readings: Sequence[Reading]) -> Columns:
    """Readings as columns (the slow path and the Pushgateway: a Python step per sample)."""
    index: dict[SeriesKey, int] = {}
    micros: dict[dt.datetime, int] = {}
    slot: list[int] = []
    times: list[int] = []
    for center_id, metric, labels, at, _value in readings:
        key = (center_id, metric, labels)
        n = index.get(key)
        if n is None:
            n = index[key] = len(index)
        slot.append(n)
        us = micros.get(at)
        if us is None:
            us = micros[at] = (at - EPOCH) // MICROSECOND
        times.append(us)
    return Columns(list(index), slot, times, [r[4] for r in readings])


def fast_batch(raw: bytes, now: dt.datetime, retention_days: int) -> Parsed | None:
    """The batch in columns if it is well formed beyond doubt, else None."""
    try:
        samples = _DECODE(raw).samples
    except msgspec.DecodeError:  # a ValidationError too: the models name what is wrong
        return None
    # Each distinct metric, label text and time is checked once; the steps per sample are
    # map(), zip() and dict lookups, which run in C.
    metrics = [s.metric for s in samples]
    if not all(map(metric_ok, set(metrics))):
        return None
    texts = [bytes(s.labels) for s in samples]
    canonical = {text: _canonical(text) for text in set(texts)}
    if None in canonical.values():
        return None
    stamps = [s.time for s in samples]
    times = {stamp: _micros(stamp, now, retention_days) for stamp in set(stamps)}
    if None in times.values():
        return None
    facilities = [s.facility for s in samples]
    labels = cast(dict[bytes, str], canonical)  # no None, as checked
    keys = list(zip(facilities, metrics, map(labels.__getitem__, texts), strict=True))
    # The series in order of first appearance, numbered.
    slots = dict(zip(dict.fromkeys(keys), count()))
    return Parsed(
        list(slots),
        list(map(slots.__getitem__, keys)),
        cast(list[int], list(map(times.__getitem__, stamps))),
        [s.value for s in samples],
    )


def resolve(parsed: Parsed, facilities: Mapping[str, Facility]) -> Columns | None:
    """The batch with its centres' ids, or None when a centre is unknown (the models name it)."""
    series: list[SeriesKey] = []
    append = series.append
    for code, metric, labels in parsed.keys:
        facility = facilities.get(code)
        if facility is None:
            return None
        append((facility.id, metric, labels))
    return Columns(series, parsed.slot, parsed.micros, cast(list[float | None], parsed.value))


def _canonical(text: bytes) -> str | None:
    """A label set's canonical JSON, if the quick path would take it as it is."""
    if text in (b"", _NULL):
        return "{}"
    try:
        labels = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if type(labels) is not dict or not labels_ok(labels):
        return None
    canonical = canonical_labels(labels)
    return None if labels_error(canonical) else canonical


def _micros(stamp: str | None, now: dt.datetime, retention_days: int) -> int | None:
    """A sample's time in microseconds, if it is a good one; no time means now."""
    if stamp is None:
        return (now - EPOCH) // MICROSECOND
    try:
        at = parse_instant(stamp).astimezone(dt.UTC)
    except ValueError:
        return None
    if time_error(at, now, retention_days):
        return None
    return (at - EPOCH) // MICROSECOND
