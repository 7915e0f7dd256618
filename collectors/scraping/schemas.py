"""Input and output models of the scraping API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field
from yarl import URL

from collectors.scraping.exporters import ExporterKind
from collectors.scraping.networks import ipv4_spelling
from registry.fields import CenterKind, Code, PFlops, Precision
from service.kit.paging import PageQuery
from service.kit.web import Strict

MIN_INTERVAL_SECONDS = 15
MAX_INTERVAL_SECONDS = 86_400


def _exporter_url(value: str) -> str:
    try:
        url = URL(value)
    except ValueError:
        raise ValueError("not a URL") from None
    if url.scheme not in ("http", "https"):
        raise ValueError("give an http:// or https:// URL")
    if not url.host:
        raise ValueError("the URL has no host")
    spelled = ipv4_spelling(url.host)
    if spelled is not None and url.host != str(spelled):
        # 2130706433, 0177.0.0.1 and 127.1 are all 127.0.0.1 to a resolver: say what is meant.
        raise ValueError(f"write the IPv4 address {url.host} as {spelled}")
    if url.user or url.password:
        raise ValueError("credentials in the URL would be stored in clear; leave them out")
    return value


ExporterUrl = Annotated[str, Field(min_length=8, max_length=2000), AfterValidator(_exporter_url)]
IntervalSeconds = Annotated[
    int,
    Field(
        ge=MIN_INTERVAL_SECONDS,
        le=MAX_INTERVAL_SECONDS,
        description="seconds between scrapes; failures back off from this, doubling up to 1 h",
    ),
]
ModelCode = Annotated[
    Code,
    Field(description="catalogue code assumed when the output names no model (npu-exporter)"),
]


class TargetIn(Strict):
    """An exporter endpoint to scrape."""

    url: ExporterUrl
    interval_seconds: IntervalSeconds = 300
    exporter: ExporterKind = ExporterKind.AUTO
    model: ModelCode | None = None
    enabled: bool = True


class TargetPatch(Strict):
    """Fields of a target that may change."""

    url: ExporterUrl | None = None
    interval_seconds: IntervalSeconds | None = None
    exporter: ExporterKind | None = None
    model: ModelCode | None = None
    enabled: bool | None = None


class TargetOut(BaseModel):
    """A target with its scrape record."""

    id: int
    center: str
    url: str
    interval_seconds: int
    exporter: ExporterKind
    model: str | None
    enabled: bool
    success_count: int
    failure_count: int
    consecutive_failures: int
    last_attempt_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_error: str | None
    next_attempt_at: dt.datetime
    detected_exporter: ExporterKind | None
    devices_found: int = Field(description="devices the last successful scrape showed")
    models_found: dict[str, int] = Field(description="those devices per reported model name")


class AttestationOut(BaseModel):
    """A centre's attested capacity beside its declared capacity, and whether it is flagged."""

    center: str
    center_kind: CenterKind
    attested_at: dt.datetime = Field(description="when this inventory was first seen")
    confirmed_at: dt.datetime = Field(description="when a scrape last found it unchanged")
    inventory: dict[str, int] = Field(description="devices per catalogue model")
    unknown_models: dict[str, int] = Field(
        description="devices whose reported model is not in the catalogue: no PFLOPS"
    )
    devices_total: int = Field(description="devices counted")
    devices_elsewhere: int = Field(
        description="devices seen but not counted: another centre's current attestation counts "
        "the same GPUs (by UUID)"
    )
    attested_pflops: dict[Precision, PFlops]
    declared_pflops: dict[Precision, PFlops]
    required_precision: Precision | None
    threshold_pflops: PFlops | None
    flagged: bool
    reasons: list[str]
    source_target_id: int | None = Field(description="the target whose scrape produced this")
    target_ids: list[int] = Field(description="the targets whose devices were counted")


class AttestationQuery(PageQuery):
    """Filters of the attestation list."""

    flagged: bool | None = None
    kind: CenterKind | None = None


def decimal_map(data: dict[str, str]) -> dict[Precision, Decimal]:
    """Stored {precision: decimal string} as typed values."""
    return {Precision(k): Decimal(v) for k, v in data.items()}
