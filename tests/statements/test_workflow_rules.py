"""The workflow table: every allowed move, every refused one, and the time rules."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from incentives.statements.workflow import (
    TRANSITIONS,
    Action,
    Status,
    TransitionRefused,
    allowed_actions,
    may_submit_voucher_on,
    next_status,
    notice_ends_at,
    notice_running,
    voucher_submittable_from,
    voucher_year,
)

S = Status
A = Action


def test_the_happy_path_runs_draft_to_disbursed() -> None:
    status = S.DRAFT
    for action in (A.SUBMIT, A.APPROVE, A.PUBLISH, A.FINALISE, A.DISBURSE):
        status = next_status(status, action)
    assert status is S.DISBURSED


@pytest.mark.parametrize("status", [S.SUBMITTED, S.APPROVED])
def test_reject_returns_submitted_and_approved_to_draft(status: Status) -> None:
    assert next_status(status, A.REJECT) is S.DRAFT


def test_an_upheld_objection_returns_a_published_statement_to_draft() -> None:
    assert next_status(S.PUBLISHED, A.UPHOLD) is S.DRAFT


def test_every_pair_outside_the_table_is_refused_naming_both_statuses() -> None:
    refused = 0
    for status, action in itertools.product(Status, Action):
        if (status, action) in TRANSITIONS:
            continue
        with pytest.raises(TransitionRefused) as caught:
            next_status(status, action)
        message = str(caught.value)
        assert status.value in message and action.value in message
        refused += 1
    assert refused == len(Status) * len(Action) - len(TRANSITIONS)


def test_approve_from_draft_names_draft_and_submitted() -> None:
    with pytest.raises(TransitionRefused, match=r"cannot approve a draft.*only from submitted"):
        next_status(S.DRAFT, A.APPROVE)


def test_final_and_disbursed_statements_never_go_back() -> None:
    for status in (S.FINAL, S.DISBURSED):
        assert all(next_status(status, a) is S.DISBURSED for a in allowed_actions(status))
    assert allowed_actions(S.DISBURSED) == []


def test_notice_is_days_times_24_hours_and_zero_ends_at_once() -> None:
    at = dt.datetime(2026, 3, 8, 1, 30, tzinfo=dt.UTC)
    assert notice_ends_at(at, 5) == at + dt.timedelta(hours=120)
    assert notice_ends_at(at, 0) == at
    assert notice_running(notice_ends_at(at, 5), at + dt.timedelta(hours=119, minutes=59))
    assert not notice_running(notice_ends_at(at, 5), at + dt.timedelta(hours=120))
    assert not notice_running(notice_ends_at(at, 0), at)


def test_only_voucher_statements_of_a_year_wait_for_the_year() -> None:
    assert voucher_year("compute_voucher", "2025") == 2025
    assert voucher_year("computing_center_build", "2023-12-01/2026-12-01") is None
    assert voucher_year("identifier_node", "2025") is None


def test_a_2025_voucher_statement_is_submittable_from_the_91st_day_of_2026() -> None:
    assert voucher_submittable_from(2025, 90) == dt.date(2026, 4, 1)
    assert voucher_submittable_from(2025, 0) == dt.date(2026, 1, 1)


def test_the_voucher_year_ends_on_the_shanghai_calendar() -> None:
    # 2025-12-31 16:00 UTC is already 2026-01-01 00:00 in Shanghai.
    assert may_submit_voucher_on(
        2025, 0, dt.datetime(2025, 12, 31, 16, tzinfo=dt.UTC), "Asia/Shanghai"
    )
    assert not may_submit_voucher_on(
        2025, 0, dt.datetime(2025, 12, 31, 15, 59, tzinfo=dt.UTC), "Asia/Shanghai"
    )
    assert not may_submit_voucher_on(
        2025, 90, dt.datetime(2026, 3, 31, 15, 59, tzinfo=dt.UTC), "Asia/Shanghai"
    )
    assert may_submit_voucher_on(
        2025, 90, dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC), "Asia/Shanghai"
    )
