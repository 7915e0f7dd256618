"""Key-provider listing windows by unit id, and whether a unit was listed on a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

Listings = Mapping[int, Sequence[tuple[dt.date, dt.date | None]]]


def is_listed(listings: Listings, unit: int, day: dt.date) -> bool:
    """Whether a unit was listed as key compute provider on a day (until is exclusive)."""
    return any(
        start <= day and (until is None or day < until) for start, until in listings.get(unit, ())
    )
