"""Money as integer fen inside the rules, Decimal yuan at the edges."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

FEN = Decimal("0.01")
# Wide enough that fen × rate never loses a digit before the one rounding step.
_EXACT = Context(prec=60)


def round_to_fen(amount: Decimal) -> int:
    """Yuan to fen; an amount finer than a fen is rounded half up."""
    scaled = amount.scaleb(2)
    whole = int(scaled)
    if whole == scaled:
        return whole
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP, context=_EXACT))


def to_yuan(fen: int) -> Decimal:
    """Fen to a Decimal with exactly two decimals."""
    return Decimal(fen).scaleb(-2)


def apply_rate(fen: int, rate: Decimal) -> int:
    """Fen × rate, rounded half up to the fen: the computation's one rounding step."""
    product = _EXACT.multiply(Decimal(fen), rate)
    return int(product.quantize(Decimal(1), rounding=ROUND_HALF_UP, context=_EXACT))


def yuan_text(fen: int) -> str:
    """Fen as readable yuan with thousands separators, e.g. 18,000,000.00."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def is_fen_exact(amount: Decimal) -> bool:
    """True when the amount has no part finer than a fen."""
    return amount == amount.quantize(FEN, context=_EXACT)
