"""What incentives/ needs to be told at start; the service's Settings provides it."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class IncentivesSettings(Protocol):
    """Settings the statements and their workflow read."""

    @property
    def timezone(self) -> str:
        """Calendar time zone of years, statement periods and the schedule (Asia/Shanghai)."""
        ...

    @property
    def notice_days(self) -> int:
        """Days of public notice (公示) after publication before a statement may be final."""
        ...

    @property
    def voucher_grace_days(self) -> int:
        """Days after a voucher year ends before its statement may be submitted."""
        ...

    @property
    def policy_paths(self) -> tuple[Path, ...]:
        """Policy files loaded beside the shipped one."""
        ...
