"""collectors/ may not import the policy, so it mirrors a few of its values; they must agree."""

from __future__ import annotations

import datetime as dt

from collectors.invoices.status import VALID_FROM, VALID_UNTIL
from incentives.policy import load_policy


def test_the_invoice_status_window_is_the_shipped_policys() -> None:
    policy = load_policy()
    assert (policy.valid_from, policy.valid_until) == (VALID_FROM, VALID_UNTIL)


def test_invoice_status_requires_confirmation_as_the_policy_does_every_year() -> None:
    policy = load_policy()
    for year in range(policy.valid_from.year, policy.valid_until.year + 1):
        assert policy.voucher_params(dt.date(year, 1, 1)).require_provider_confirmation
