"""collectors/ may not import the policy, so it mirrors a few of its values; they must agree."""

from __future__ import annotations

import datetime as dt

from collectors.scraping.attestation import REQUIRED_PRECISION, THRESHOLD_PFLOPS
from incentives.policy import load_policy


def test_the_attestation_threshold_and_precisions_are_the_shipped_policys() -> None:
    policy = load_policy()
    day = policy.valid_from
    while day < policy.valid_until:
        params = policy.center_params(day)
        assert params.min_capacity_pflops == THRESHOLD_PFLOPS
        assert {str(k): str(v) for k, v in REQUIRED_PRECISION.items()} == dict(params.precision)
        day += dt.timedelta(days=30)
