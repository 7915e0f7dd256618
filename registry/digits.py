"""ASCII digits only: numbers, codes, dates and amounts never take look-alike characters.

Python's `\\d`, `str.isdigit`, `int()` and `Decimal()` accept full-width, Arabic-Indic,
Devanagari and other digits, so one invoice number could be written three ways. Input is
brought to NFKC form first (full-width ０-９ and Ａ-Ｚ become 0-9 and A-Z, which is kind to
users of Chinese input methods); whatever is still outside ASCII is refused by name.
"""

from __future__ import annotations

import unicodedata


def folded(text: str) -> str:
    """The text in NFKC form; ASCII text (the usual case) is returned as it is, quickly."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def non_ascii_problem(text: str) -> str | None:
    """What is outside ASCII in (NFKC-folded) text, said so a user can find it; None if nothing."""
    if text.isascii():
        return None
    char = next(ch for ch in text if not ch.isascii())
    name = unicodedata.name(char, f"U+{ord(char):04X}")
    return f"{text!r} holds {char!r} ({name}); write digits and letters as ASCII 0-9 and A-Z"


def ascii_only(text: str) -> str:
    """The NFKC form of the text, or ValueError when something is still not ASCII."""
    text = folded(text)
    problem = non_ascii_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text
