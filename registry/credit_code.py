"""Unified social credit codes (统一社会信用代码, GB 32100-2015)."""

from __future__ import annotations

from registry.digits import non_ascii_problem

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
HEILONGJIANG_PREFIX = "23"


def check_character(first17: str) -> str:
    """Return the check character for the first 17 characters of a credit code."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """Say what is wrong with a credit code, or None when it is valid."""
    if problem := non_ascii_problem(code):
        return problem
    if len(code) != 18:
        return f"must be 18 characters, got {len(code)}"
    bad = sorted({ch for ch in code if ch not in ALPHABET})
    if bad:
        return f"contains characters outside GB 32100: {''.join(bad)}"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"wrong check character {code[17]!r}, expected {expected!r}"
    return None


def in_province(code: str) -> bool:
    """A unit is registered in Heilongjiang when its area code (chars 3-8) starts with 23."""
    return code[2:4] == HEILONGJIANG_PREFIX
