"""Invoice numbers: a digital invoice's 20 digits, or a legacy VAT invoice's code and number.

The stored number of a legacy invoice is its code (10 or 12 digits) followed by its 8-digit
number, as the scenario format writes it; the code is also kept apart to show the pair again.
"""

from __future__ import annotations

from typing import Any

from registry.digits import ascii_only

# ASCII digits only ([0-9], never \d, which takes any script's digits): one invoice, one number.
DIGITAL_PATTERN = r"[0-9]{20}"
LEGACY_NUMBER_PATTERN = r"[0-9]{8}"
CODE_PATTERN = r"[0-9]{10}|[0-9]{12}"
# A reversed invoice named in one cell: a digital number, or a legacy code and number joined.
REVERSES_PATTERN = r"[0-9]{18}|[0-9]{20}"
FULL_NUMBER_PATTERN = r"^(?:[0-9]{8}|[0-9]{20})$"


def ascii_number(value: Any) -> Any:
    """A number or code with full-width digits folded to 0-9; other non-ASCII is refused."""
    return ascii_only(value) if isinstance(value, str) else value


def canonical_number(number: str, code: str | None) -> str:
    """The stored form of an invoice number: the legacy code, if any, then the number."""
    return f"{code or ''}{number}"
