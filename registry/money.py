"""Money: Decimal yuan in Python, integer fen in the database, two-decimal strings on the wire."""

from __future__ import annotations

import re
from decimal import Decimal

from registry.digits import ascii_only

FEN = Decimal("0.01")
# Yuan as people write it: ASCII digits, thousands commas only in groups of three, at most two
# decimals. No exponents, underscores, spaces, signs other than a leading minus, NaN or Infinity.
YUAN_TEXT = re.compile(r"(-?)((?:[0-9]{1,3}(?:,[0-9]{3})+)|[0-9]+)(?:\.([0-9]{1,2}))?")
# Integer fen must fit a BIGINT column (9.2e18); a yuan amount of up to 16 digits is plenty.
MAX_YUAN_DIGITS = 16


def to_fen(yuan: Decimal) -> int:
    """Convert yuan to integer fen, refusing fractions of a fen."""
    fen = yuan * 100
    if fen != fen.to_integral_value():
        raise ValueError("at most two decimals (whole fen)")
    return int(fen)


def from_fen(fen: int) -> Decimal:
    """Convert integer fen to Decimal yuan with two decimals."""
    return (Decimal(fen) / 100).quantize(FEN)


def fen_text(fen: int) -> str:
    """Render integer fen as a yuan string with exactly two decimals."""
    return str(from_fen(fen))


def parse_yuan(value: object, *, negative: bool = False) -> Decimal:
    """Parse a yuan amount from a string or integer, never through a float.

    Strings are strict (see YUAN_TEXT); a minus sign only when `negative` is allowed.
    """
    if isinstance(value, bool | float):
        raise ValueError("money must be a string or an integer, not a float")
    if isinstance(value, Decimal):
        # A JSON number read exactly: 1E+2 was written with an exponent, which money never is.
        if not value.is_finite() or "E" in str(value):
            raise ValueError(f'not an amount: {value}; write yuan like "100.00"')
        value = str(value)
    elif isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"not an amount: {value!r}")
    text = ascii_only(value)
    match = YUAN_TEXT.fullmatch(text)
    if match is None:
        if re.fullmatch(r"-?[0-9,]*\.[0-9]{3,}", text):
            raise ValueError("at most two decimals (whole fen)")
        raise ValueError(
            f'not an amount: {value!r}; write yuan like "1234.50" '
            "(thousands commas in groups of three allowed)"
        )
    sign, whole, cents = match.groups()
    whole = whole.replace(",", "").lstrip("0") or "0"
    if len(whole) > MAX_YUAN_DIGITS:
        raise ValueError(f"{value!r} is too large for an amount in yuan")
    amount = Decimal(f"{sign}{whole}.{cents or '0'}")
    if sign:
        if not negative:
            raise ValueError("must not be negative")
        if amount == 0:
            raise ValueError(f"{value!r}: zero has no sign; write 0")
    return amount
