"""The scrape job: claim due targets, fetch them concurrently, record the outcome and attest."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, cast

import aiohttp
from aiohttp import web
from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from yarl import URL

from collectors.scraping.attestation import AttestationThresholds, refresh_attestation
from collectors.scraping.exporters import ExporterKind, ExporterOutputError, read_inventory
from collectors.scraping.metrics import ScrapeMetrics, ScrapeResult
from collectors.scraping.models import ExporterTarget
from collectors.scraping.networks import AddressPolicy, AddressRefused, connector_options
from registry.models import utcnow
from service.kit.keys import DB

log = logging.getLogger("infra_incentives.scraping")


@dataclass(frozen=True)
class ScrapeConfig:
    """How hard the scraper may push: per-scrape timeout, parallelism, backoff cap, sizes."""

    timeout_seconds: float = 10.0
    concurrency: int = 8
    batch: int = 200
    max_backoff_seconds: int = 3600
    max_body_bytes: int = 16 * 1024 * 1024
    dispatch_every_seconds: int = 5
    max_error_chars: int = 500
    # A target's host name is resolved when it is registered only if that is this quick.
    registration_resolve_seconds: float = 1.0
    addresses: AddressPolicy = field(default_factory=lambda: AddressPolicy(()))

    @property
    def lease(self) -> dt.timedelta:
        """How long a claim holds a target: a replica that dies mid-scrape frees it after this."""
        return dt.timedelta(seconds=self.timeout_seconds + 60)


@dataclass
class Scraping:
    """The scraping collector's state in one app: settings, metrics and the HTTP client."""

    config: ScrapeConfig
    metrics: ScrapeMetrics
    thresholds: AttestationThresholds
    client: aiohttp.ClientSession | None = field(default=None)

    async def client_context(self, app: web.Application) -> AsyncIterator[None]:
        """One client session for the app's life, limited to the allowed parallelism."""
        self.client = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=self.config.concurrency, **connector_options(self.config.addresses)
            ),
            timeout=aiohttp.ClientTimeout(total=self.config.timeout_seconds),
            headers={"Accept": "text/plain;version=0.0.4;q=1,*/*;q=0.1"},
            trust_env=False,
        )
        yield
        await self.client.close()
        self.client = None


SCRAPING = web.AppKey("scraping", Scraping)


class ScrapeError(Exception):
    """A scrape failed; the message is what the target's last_error shows."""


@dataclass(frozen=True)
class Claimed:
    """A target this replica claimed for one scrape."""

    id: int
    center_id: int
    url: str
    exporter: ExporterKind
    model: str | None
    interval_seconds: int
    consecutive_failures: int


@dataclass
class Round:
    """What one run of the job did."""

    claimed: int = 0
    succeeded: int = 0
    failed: int = 0


def backoff_seconds(interval: int, consecutive_failures: int, cap: int) -> int:
    """Wait after the n-th failure in a row: interval x 2^n, at most max(cap, interval)."""
    return int(min(interval * 2 ** min(consecutive_failures, 30), max(cap, interval)))


async def claim_due(
    session: AsyncSession, now: dt.datetime, config: ScrapeConfig
) -> tuple[list[Claimed], int]:
    """Claim due targets by moving their next attempt forward; a lost race updates no row."""
    lease_until = now + config.lease
    claimed: list[Claimed] = []
    lost = 0
    due = (
        await session.scalars(
            select(ExporterTarget)
            .where(ExporterTarget.enabled.is_(True), ExporterTarget.next_attempt_at <= now)
            .order_by(ExporterTarget.next_attempt_at, ExporterTarget.id)
            .limit(config.batch)
        )
    ).all()
    for target in due:
        result = await session.execute(
            update(ExporterTarget)
            .where(
                ExporterTarget.id == target.id,
                ExporterTarget.enabled.is_(True),
                ExporterTarget.next_attempt_at <= now,
            )
            .values(next_attempt_at=lease_until, last_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], result).rowcount != 1:
            lost += 1
            continue
        claimed.append(
            Claimed(
                id=target.id,
                center_id=target.center_id,
                url=target.url,
                exporter=ExporterKind(target.exporter),
                model=target.model,
                interval_seconds=target.interval_seconds,
                consecutive_failures=target.consecutive_failures,
            )
        )
    return claimed, lost


def unreachable(config: ScrapeConfig) -> str:
    """The one message for refused, reset and timed-out connections.

    A centre reads last_error back, so telling them apart would let it map which ports of
    which hosts the service can reach: a port scanner run from our network.
    """
    return f"could not connect (refused, reset or no answer within {config.timeout_seconds:g} s)"


async def fetch(client: aiohttp.ClientSession, url: str, config: ScrapeConfig) -> str:
    """The exporter's text, or ScrapeError saying why not."""
    try:
        config.addresses.check_literal(URL(url).host or "")
    except AddressRefused as exc:
        raise ScrapeError(str(exc)) from None
    try:
        timeout = aiohttp.ClientTimeout(total=config.timeout_seconds)
        # No redirects: a target may only make the service fetch the URL its centre registered.
        async with client.get(url, allow_redirects=False, timeout=timeout) as response:
            if response.status != 200:
                raise ScrapeError(f"HTTP {response.status} {response.reason or ''}".strip())
            body = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                body += chunk
                if len(body) > config.max_body_bytes:
                    raise ScrapeError(f"response larger than {config.max_body_bytes} bytes")
    except TimeoutError:
        raise ScrapeError(unreachable(config)) from None
    except AddressRefused as exc:
        raise ScrapeError(str(exc)) from None
    except aiohttp.ClientConnectorDNSError as exc:
        if isinstance(exc.os_error, AddressRefused):
            raise ScrapeError(str(exc.os_error)) from None
        raise ScrapeError(f"could not resolve the host name {URL(url).host}") from None
    except aiohttp.ClientConnectorCertificateError:
        raise ScrapeError("the server's TLS certificate was not accepted") from None
    except aiohttp.ClientError:
        raise ScrapeError(unreachable(config)) from None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ScrapeError("the response is not UTF-8 text") from None


def _default_host(url: str) -> str:
    # npu-exporter names no host: one exporter per machine, so the target is the machine.
    parsed = URL(url)
    return f"{parsed.host}:{parsed.port}"


async def _record_success(
    session: AsyncSession, target: Claimed, now: dt.datetime, devices: dict[str, str], kind: str
) -> bool:
    result = await session.execute(
        update(ExporterTarget)
        .where(ExporterTarget.id == target.id)
        .values(
            success_count=ExporterTarget.success_count + 1,
            consecutive_failures=0,
            last_success_at=now,
            last_error=None,
            next_attempt_at=now + dt.timedelta(seconds=target.interval_seconds),
            devices=devices,
            detected_exporter=kind,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount == 1


async def _record_failure(
    session: AsyncSession, target: Claimed, now: dt.datetime, error: str, config: ScrapeConfig
) -> None:
    failures = target.consecutive_failures + 1
    wait = backoff_seconds(target.interval_seconds, failures, config.max_backoff_seconds)
    await session.execute(
        update(ExporterTarget)
        .where(ExporterTarget.id == target.id)
        .values(
            failure_count=ExporterTarget.failure_count + 1,
            consecutive_failures=failures,
            last_error=error[: config.max_error_chars],
            next_attempt_at=now + dt.timedelta(seconds=wait),
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


async def scrape_one(app: web.Application, target: Claimed, now: dt.datetime) -> bool:
    """Scrape one claimed target, store what it showed, and re-attest its centre."""
    scraping = app[SCRAPING]
    config, metrics = scraping.config, scraping.metrics
    if scraping.client is None:
        raise RuntimeError("the scraping client is not running; start the app first")
    started = time.perf_counter()
    error: str | None = None
    try:
        text = await fetch(scraping.client, target.url, config)
        # Parsing a large federated page takes CPU seconds: keep it off the event loop.
        inventory = await asyncio.to_thread(
            read_inventory, text, target.exporter, _default_host(target.url), target.model
        )
    except (ScrapeError, ExporterOutputError) as exc:
        error = str(exc)
    metrics.seconds.observe(time.perf_counter() - started)
    async with app[DB]() as session, session.begin():
        if error is None:
            stored = await _record_success(
                session, target, now, inventory.devices, inventory.exporter.value
            )
            if stored:
                await refresh_attestation(
                    session, target.center_id, now, target.id, scraping.thresholds
                )
        else:
            await _record_failure(session, target, now, error, config)
    if error is not None:
        metrics.scrapes.labels(ScrapeResult.FAILURE).inc()
        log.warning("scrape of target %s (%s) failed: %s", target.id, target.url, error)
        return False
    metrics.scrapes.labels(ScrapeResult.SUCCESS).inc()
    metrics.last_success.labels(str(target.id)).set(now.timestamp())
    return True


async def run_due_scrapes(app: web.Application, now: dt.datetime | None = None) -> Round:
    """The scheduled job: scrape every due target once, at most `concurrency` at a time."""
    scraping = app[SCRAPING]
    now = now or utcnow()
    async with app[DB]() as session, session.begin():
        claimed, lost = await claim_due(session, now, scraping.config)
    if lost:
        scraping.metrics.claims_lost.inc(lost)
    limit = asyncio.Semaphore(scraping.config.concurrency)
    outcome = Round(claimed=len(claimed))

    async def guarded(target: Claimed) -> None:
        async with limit:
            try:
                ok = await scrape_one(app, target, now)
            except Exception:
                # One broken target must not stop the others; its claim lapses after the lease.
                log.exception("scrape of target %s failed unexpectedly", target.id)
                ok = False
        if ok:
            outcome.succeeded += 1
        else:
            outcome.failed += 1

    await asyncio.gather(*(guarded(t) for t in claimed))
    return outcome
