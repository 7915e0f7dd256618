"""What a telemetry sample is: its names, its canonical labels and the window it may fall in."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Annotated, NamedTuple

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from registry.fields import Instant

# Prometheus' rules, so a series pushed as text and one posted as JSON are the same series.
METRIC_NAME = r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"
LABEL_NAME = r"^[a-zA-Z_][a-zA-Z0-9_]*$"
METRIC_NAME_RE = re.compile(METRIC_NAME)
LABEL_NAME_RE = re.compile(LABEL_NAME)
MAX_METRIC_LENGTH = 200
# The labels are part of a unique index; PostgreSQL's b-tree entries must stay under ~2.7 kB.
MAX_LABELS_BYTES = 1500
# A sample may be up to this far ahead of the server's clock (clock skew of the exporter).
MAX_FUTURE = dt.timedelta(hours=1)

# Values are floats, but bounded: a day's roll-up sums them, and 1e300 leaves room for 1e8 of
# them before the sum overflows (PostgreSQL refuses an overflowing float8 sum; it is a 500).
MAX_VALUE = 1e300


def _bounded(value: float) -> float:
    if not -MAX_VALUE <= value <= MAX_VALUE:
        raise ValueError(f"{value!r} is out of range: at most ±{MAX_VALUE:g}")
    return value


MetricName = Annotated[str, Field(pattern=METRIC_NAME, min_length=1, max_length=MAX_METRIC_LENGTH)]
LabelName = Annotated[str, Field(pattern=LABEL_NAME, max_length=100)]
FacilityCode = Annotated[str, Field(min_length=1, max_length=64)]


class Reading(NamedTuple):
    """One sample ready to store: the centre's id, the series and the measurement."""

    center_id: int
    metric: str
    labels: str  # canonical JSON
    sampled_at: dt.datetime  # aware, UTC
    value: float | None  # None is NaN


class SampleIn(BaseModel):
    """One sample as posted."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    facility: FacilityCode = Field(description="code of a computing centre")
    metric: MetricName
    # A JSON number only: not true, not "5" (strict); finite and within ±1e300.
    value: Annotated[float, Field(strict=True), AfterValidator(_bounded)]
    time: Instant | None = Field(
        None, description="RFC 3339 with an offset, not a Unix number; default: when received"
    )
    labels: dict[LabelName, str] | None = None


class TelemetryBatch(BaseModel):
    """A batch of samples: stored all together or not at all."""

    model_config = ConfigDict(extra="forbid")

    samples: list[SampleIn] = Field(min_length=1, max_length=10_000)


class Ingested(BaseModel):
    """What a push stored: new samples, and repeats of samples already stored."""

    accepted: int
    duplicates: int


def canonical_labels(labels: Mapping[str, str] | None) -> str:
    """The labels as sorted, compact JSON: equal label sets give equal strings."""
    if not labels:
        return "{}"
    return json.dumps(labels, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def labels_error(canonical: str) -> str | None:
    """Why a canonical label set cannot be stored, if it cannot."""
    size = len(canonical.encode())
    if size > MAX_LABELS_BYTES:
        return f"the labels take {size} bytes as JSON; at most {MAX_LABELS_BYTES}"
    return None


def time_error(at: dt.datetime, now: dt.datetime, retention_days: int) -> str | None:
    """Why a sample's time falls outside what is kept, if it does."""
    if at > now + MAX_FUTURE:
        return f"{at.isoformat()} is more than {MAX_FUTURE} ahead of the server's clock"
    if at < now - dt.timedelta(days=retention_days):
        # Older samples would be pruned at once, and a retry after pruning would count twice.
        return f"{at.isoformat()} is older than the retention of {retention_days} days"
    return None
