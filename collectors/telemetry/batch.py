"""Reading a JSON batch: a quick path for well-formed batches, pydantic for everything else.

The quick path accepts only what the pydantic models accept and yields the same readings; at
the first thing it is unsure of it gives up, and the models decide and name every error.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, cast

import orjson
from aiohttp import web
from pydantic import TypeAdapter, ValidationError

from collectors.telemetry.body import read_bounded
from collectors.telemetry.facilities import Facility
from collectors.telemetry.samples import (
    LABEL_NAME_RE,
    MAX_METRIC_LENGTH,
    MAX_VALUE,
    METRIC_NAME_RE,
    Reading,
    SampleIn,
    TelemetryBatch,
    canonical_labels,
    labels_error,
    time_error,
)
from registry.fields import parse_instant
from service.kit.problems import FieldError, Problem, bad_request, invalid
from service.kit.web import OFF_LOOP_BYTES

# 10,000 samples with generous labels fit in a few MiB; the bound keeps memory per request small.
MAX_BATCH_BYTES = 8 * 1024 * 1024
MAX_SAMPLES = 10_000
BATCH = TypeAdapter(TelemetryBatch)
FIELDS = frozenset(SampleIn.model_fields)
# (facility code, metric, canonical labels, time or None for "when received", value)
Quick = tuple[str, str, str, dt.datetime | None, float]
# Names already checked, shared by all requests: a small set, as metric names are few.
_good_metrics: dict[str, str] = {}
_good_label_names: set[str] = set()
NAMES_LIMIT = 100_000


def metric_ok(name: Any) -> bool:
    """Whether a metric name is one the models take as it is (remembered once it is)."""
    if type(name) is not str:
        return False
    if name in _good_metrics:
        return True
    if len(name) > MAX_METRIC_LENGTH or not METRIC_NAME_RE.match(name):
        return False
    if "\n" in name or len(_good_metrics) >= NAMES_LIMIT:
        return False  # '$' in the pattern also matches before a final newline; pydantic decides
    _good_metrics[name] = name
    return True


def labels_ok(labels: dict[Any, Any]) -> bool:
    """Whether label names and values are ones the models take as they are."""
    for name, value in labels.items():
        if type(value) is not str or type(name) is not str:
            return False
        if name in _good_label_names:
            continue
        if len(name) > 100 or not LABEL_NAME_RE.match(name):
            return False
        if "\n" in name or len(_good_label_names) >= NAMES_LIMIT:
            return False
        _good_label_names.add(name)
    return True


def quick_samples(data: Any, now: dt.datetime, retention_days: int) -> list[Quick] | None:
    """The samples of a well-formed batch, or None to leave the judgement to pydantic."""
    if type(data) is not dict or data.keys() != {"samples"}:
        return None
    items = data["samples"]
    if type(items) is not list or not 0 < len(items) <= MAX_SAMPLES:
        return None
    times: dict[str, dt.datetime | None] = {}
    label_sets: dict[tuple[tuple[Any, Any], ...], str | None] = {}
    out: list[Quick] = []
    append = out.append
    for item in items:
        if type(item) is not dict or not item.keys() <= FIELDS:
            return None
        code, metric, value = item.get("facility"), item.get("metric"), item.get("value")
        if type(code) is not str or not 0 < len(code) <= 64 or not metric_ok(metric):
            return None
        if type(value) is int:
            value = float(value) if abs(value) < 2**53 else None
        if type(value) is not float or not -MAX_VALUE <= value <= MAX_VALUE:
            return None
        at = None
        stamp = item.get("time")
        if stamp is not None:
            if type(stamp) is not str:
                return None
            if stamp in times:
                at = times[stamp]
            else:
                try:
                    at = parse_instant(stamp).astimezone(dt.UTC)
                except ValueError:
                    at = None
                if at is not None and time_error(at, now, retention_days):
                    at = None
                times[stamp] = at
            if at is None:
                return None
        labels = item.get("labels")
        text = "{}"
        if labels:
            if type(labels) is not dict:
                return None
            try:
                # Equal items were checked already: their names and values are strings.
                key = tuple(labels.items())
                found = label_sets[key]
            except TypeError:
                return None  # a value that is a list or an object: pydantic names it
            except KeyError:
                if not labels_ok(labels):
                    return None
                found = canonical_labels(labels)
                if labels_error(found):
                    found = None
                label_sets[key] = found
            if found is None:
                return None
            text = found
        elif labels is not None and type(labels) is not dict:
            return None
        # The checked name's own object: its hash is computed once, not once a sample.
        append((code, _good_metrics[cast(str, metric)], text, at, value))
    return out


def quick_readings(
    quick: Sequence[Quick], facilities: dict[str, Facility], now: dt.datetime
) -> tuple[list[Reading], list[Facility]] | None:
    """Readings and each sample's centre, or None when a centre is unknown."""
    readings: list[Reading] = []
    named: list[Facility] = []
    # tuple.__new__ skips the named tuple's Python-level constructor: this runs per sample.
    new = tuple.__new__
    for code, metric, labels, at, value in quick:
        facility = facilities.get(code)
        if facility is None:
            return None
        named.append(facility)
        readings.append(
            new(Reading, (facility.id, metric, labels, now if at is None else at, value))
        )
    return readings, named


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON; send finite numbers")


def _batch_errors(exc: ValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors(include_url=False):
        loc = list(err["loc"])
        index = None
        if len(loc) >= 2 and loc[0] == "samples" and isinstance(loc[1], int):
            index, loc = loc[1], loc[2:]
        path = ".".join(str(p) for p in loc) or "samples"
        errors.append(FieldError(path, err["msg"].removeprefix("Value error, "), index))
    return errors


async def read_raw_body(request: web.Request) -> bytes:
    """The body as sent, if it says it is JSON and is not too large (415, 413)."""
    if request.content_type not in ("application/json", ""):
        raise Problem(415, "Unsupported media type", "send application/json")
    return await read_bounded(request, MAX_BATCH_BYTES)


async def decode_json(raw: bytes) -> Any:
    """The body as JSON with float numbers, or 400."""
    with contextlib.suppress(orjson.JSONDecodeError):
        # In C; whatever it refuses, the standard parser judges below. A large body is parsed
        # in a worker thread, so the event loop keeps serving other requests.
        if len(raw) > OFF_LOOP_BYTES:
            return await asyncio.to_thread(orjson.loads, raw)
        return orjson.loads(raw)
    try:
        # Telemetry values are measurements, not money: floats are right here. A large body is
        # parsed in a worker thread, so the event loop keeps serving other requests.
        if len(raw) > OFF_LOOP_BYTES:
            data = await asyncio.to_thread(json.loads, raw, parse_constant=_reject_constant)
        else:
            data = json.loads(raw, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise bad_request("the body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        detail = f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        raise bad_request(detail) from None
    except ValueError as exc:
        raise bad_request(str(exc)) from None
    except RecursionError:
        raise bad_request("malformed JSON: nested too deeply") from None
    return data


def validated_samples(data: Any) -> tuple[list[SampleIn | None], list[FieldError]]:
    """The samples as pydantic reads them (None where malformed) and every error by index."""
    try:
        return list(BATCH.validate_python(data).samples), []
    except ValidationError as exc:
        errors = _batch_errors(exc)
        items = data.get("samples") if isinstance(data, dict) else None
        if not isinstance(items, list) or any(e.index is None for e in errors):
            raise invalid(errors) from None  # the envelope itself is wrong
    # Keep the well-formed samples, so their references and times are checked too.
    bad = {e.index for e in errors}
    good = [None if i in bad else SampleIn.model_validate(item) for i, item in enumerate(items)]
    return good, errors


def to_readings(
    samples: list[SampleIn | None],
    facilities: dict[str, Facility],
    now: dt.datetime,
    retention_days: int,
    errors: list[FieldError],
) -> list[Reading]:
    """Resolve centres, times and labels, or 422 with every bad sample by index."""
    readings: list[Reading] = []
    append = readings.append
    # Samples of a batch share few times and label sets: each is checked once.
    times: dict[dt.datetime, tuple[dt.datetime, str | None]] = {}
    label_sets: dict[tuple[tuple[str, str], ...], tuple[str, str | None]] = {}
    for index, sample in enumerate(samples):
        if sample is None:
            continue
        facility = facilities.get(sample.facility)
        if facility is None:
            errors.append(FieldError("facility", f"unknown centre {sample.facility!r}", index))
            continue
        at = now
        if sample.time is not None:
            checked = times.get(sample.time)
            if checked is None:
                utc = sample.time.astimezone(dt.UTC)
                checked = times[sample.time] = (utc, time_error(utc, now, retention_days))
            at, problem = checked
            if problem:
                errors.append(FieldError("time", problem, index))
        labels = "{}"
        if sample.labels:
            key = tuple(sample.labels.items())
            canonical = label_sets.get(key)
            if canonical is None:
                text = canonical_labels(sample.labels)
                canonical = label_sets[key] = (text, labels_error(text))
            labels, problem = canonical
            if problem:
                errors.append(FieldError("labels", problem, index))
        append(Reading(facility.id, sample.metric, labels, at, sample.value))
    if errors:
        raise invalid(errors)
    return readings
