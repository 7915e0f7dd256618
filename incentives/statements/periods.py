"""Statement periods: a voucher year, or the policy's whole window for once-paid subjects."""

from __future__ import annotations

import datetime as dt

from incentives.parameters import CLAUSES
from incentives.policy import Policy

VOUCHER = "compute_voucher"


def window_period(policy: Policy) -> str:
    """The one period of computing_center_build and identifier_node: "2023-12-01/2026-12-01"."""
    return f"{policy.valid_from.isoformat()}/{policy.valid_until.isoformat()}"


def open_periods(policy: Policy, as_of: dt.date) -> list[tuple[str, str]]:
    """Every (clause, period) a run as of a day may settle; none after the window, none before.

    Vouchers: each calendar year of spend inside the window up to as_of's year. The others:
    the window, once it has begun.
    """
    if as_of < policy.valid_from:
        return []
    last_year = min(as_of.year, (policy.valid_until - dt.timedelta(days=1)).year)
    out: list[tuple[str, str]] = []
    for clause in CLAUSES:
        if clause == VOUCHER:
            out += [(clause, str(y)) for y in range(policy.valid_from.year, last_year + 1)]
        else:
            out.append((clause, window_period(policy)))
    return out


def period_of(clause: str, subject: str, policy: Policy) -> str:
    """The period a verdict's subject settles in."""
    return subject if clause == VOUCHER else window_period(policy)
