"""What collectors/ needs to be told at start; the service's Settings provides it."""

from __future__ import annotations

from typing import Protocol

from collectors.scraping.networks import Network


class CollectorSettings(Protocol):
    """Settings the collectors read."""

    @property
    def telemetry_retention_days(self) -> int:
        """How long raw telemetry samples are kept; daily roll-ups are kept for ever."""
        ...

    @property
    def timezone(self) -> str:
        """Calendar time zone of days and schedules (Asia/Shanghai)."""
        ...

    @property
    def max_body_bytes(self) -> int:
        """The largest request body the service accepts (uploads stream up to it)."""
        ...

    @property
    def scrape_denied_networks(self) -> tuple[Network, ...]:
        """Networks the scraper never connects to, whatever a target's URL says."""
        ...
