"""The statement workflow as data: which action moves which status where, and its time rules."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo


class Status(StrEnum):
    """Where a statement stands: draft → submitted → approved → published → final → disbursed."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PUBLISHED = "published"
    FINAL = "final"
    DISBURSED = "disbursed"


class Action(StrEnum):
    """What an official does to a statement (uphold: an objection was upheld)."""

    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    PUBLISH = "publish"
    FINALISE = "finalise"
    DISBURSE = "disburse"
    UPHOLD = "uphold"


# The whole workflow: (status now, action) -> status after. Nothing else is allowed.
TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.DRAFT, Action.SUBMIT): Status.SUBMITTED,
    (Status.SUBMITTED, Action.APPROVE): Status.APPROVED,
    (Status.SUBMITTED, Action.REJECT): Status.DRAFT,
    (Status.APPROVED, Action.REJECT): Status.DRAFT,
    (Status.APPROVED, Action.PUBLISH): Status.PUBLISHED,
    (Status.PUBLISHED, Action.UPHOLD): Status.DRAFT,
    (Status.PUBLISHED, Action.FINALISE): Status.FINAL,
    (Status.FINAL, Action.DISBURSE): Status.DISBURSED,
}

# Actions an official calls by name on /api/v1/statements/{id}/{action}.
OFFICIAL_ACTIONS = (
    Action.SUBMIT,
    Action.APPROVE,
    Action.REJECT,
    Action.PUBLISH,
    Action.FINALISE,
    Action.DISBURSE,
)
# Statuses whose lines the public and the units may see.
NOTICED = frozenset({Status.PUBLISHED, Status.FINAL, Status.DISBURSED})
# Statuses after which a statement, its lines and its files never change.
SETTLED = frozenset({Status.FINAL, Status.DISBURSED})
VOUCHER_CLAUSE = "compute_voucher"
_YEAR = re.compile(r"^[0-9]{4}$")


class TransitionRefused(Exception):
    """An action not allowed from the statement's current status (HTTP 409)."""

    def __init__(self, action: Action, current: Status) -> None:
        self.action = action
        self.current = current
        allowed = sorted(s.value for (s, a) in TRANSITIONS if a is action)
        super().__init__(
            f"cannot {action.value} a {current.value} statement: {action.value} is allowed "
            f"only from {' or '.join(allowed)}"
        )


def next_status(current: Status, action: Action) -> Status:
    """The status after an action, or TransitionRefused naming both statuses."""
    after = TRANSITIONS.get((current, action))
    if after is None:
        raise TransitionRefused(action, current)
    return after


def allowed_actions(current: Status) -> list[Action]:
    """The official actions possible from a status, in workflow order."""
    return [a for a in OFFICIAL_ACTIONS if (current, a) in TRANSITIONS]


def notice_ends_at(published_at: dt.datetime, notice_days: int) -> dt.datetime:
    """The end of the public notice: notice_days × 24 hours after publication (0: at once)."""
    return published_at + dt.timedelta(hours=24 * notice_days)


def notice_running(ends_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether the notice period of a published statement is still running."""
    return ends_at is not None and now < ends_at


def voucher_year(clause: str, period: str) -> int | None:
    """The year of a voucher statement, or None for other clauses."""
    if clause != VOUCHER_CLAUSE or not _YEAR.match(period):
        return None
    return int(period)


def voucher_submittable_from(year: int, grace_days: int) -> dt.date:
    """The first Asia/Shanghai day a voucher statement for a year may be submitted."""
    return dt.date(year + 1, 1, 1) + dt.timedelta(days=grace_days)


def may_submit_voucher_on(year: int, grace_days: int, now: dt.datetime, timezone: str) -> bool:
    """Whether the year has ended and its grace period passed, on the local calendar."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    return today >= voucher_submittable_from(year, grace_days)


@dataclass(frozen=True)
class WorkflowRules:
    """The settings the workflow reads: notice days, voucher grace days, calendar zone."""

    notice_days: int = 5
    voucher_grace_days: int = 90
    timezone: str = "Asia/Shanghai"
