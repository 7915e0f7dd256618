"""Invoice numbers: a digital invoice's 20 digits, or a legacy VAT invoice's code and number.

The stored number of a legacy invoice is its code (10 or 12 digits) followed by its 8-digit
number, as the scenario format writes it; the code is also kept apart to show the pair again.
"""

from __future__ import annotations

DIGITAL_PATTERN = r"\d{20}"
LEGACY_NUMBER_PATTERN = r"\d{8}"
CODE_PATTERN = r"\d{10}|\d{12}"
# A reversed invoice named in one cell: a digital number, or a legacy code and number joined.
REVERSES_PATTERN = r"\d{18}|\d{20}"
FULL_NUMBER_PATTERN = r"^(?:\d{8}|\d{20})$"


def canonical_number(number: str, code: str | None) -> str:
    """The stored form of an invoice number: the legacy code, if any, then the number."""
    return f"{code or ''}{number}"
