"""Money: Decimal yuan in Python, integer fen in the database, two-decimal strings on the wire."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")


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


def parse_yuan(value: object) -> Decimal:
    """Parse a yuan amount from a string or integer, never through a float."""
    if isinstance(value, bool | float):
        raise ValueError("money must be a string or an integer, not a float")
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"not an amount: {value!r}") from None
    else:
        raise ValueError(f"not an amount: {value!r}")
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    if amount != amount.quantize(FEN, rounding=ROUND_HALF_UP):
        raise ValueError("at most two decimals (whole fen)")
    return amount
