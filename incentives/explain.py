"""Explanation steps, each in Chinese and English, that a reviewer reads without the code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from incentives.money import yuan_text
from incentives.policy import ClauseText


@dataclass(frozen=True, slots=True)
class Step:
    """One readable step of an explanation."""

    zh: str
    en: str

    def text(self, lang: str) -> str:
        """The step in one language."""
        return self.zh if lang == "zh" else self.en


Explanation = tuple[Step, ...]


@cache
def clause_step(clause: ClauseText) -> Step:
    """Which clause applies, quoted; one shared step per clause, not one copy per subject."""
    return Step(
        f"依据 {clause.reference}（{clause.title_zh}）：「{clause.text}」",
        f"Clause {clause.reference} ({clause.title_en}), quoted: 「{clause.text}」",
    )


def subject_step(zh: str, en: str) -> Step:
    """What is being assessed and who would receive the award."""
    return Step(f"评审对象：{zh}。", f"Subject: {en}.")


def inputs_step(zh: Iterable[str], en: Iterable[str]) -> Step:
    """The inputs the rule read."""
    return Step("输入：" + "；".join(zh) + "。", "Inputs: " + "; ".join(en) + ".")


def check_step(passed: bool, zh: str, en: str) -> Step:
    """One condition and its outcome."""
    return Step(
        f"条件{'满足' if passed else '不满足'}：{zh}。",
        f"Condition {'met' if passed else 'NOT met'}: {en}.",
    )


def note_step(zh: str, en: str) -> Step:
    """A computation or a note."""
    return Step(zh, en)


def result_award(fen: int) -> Step:
    """The final award."""
    return Step(f"结论：奖励 {yuan_text(fen)} 元。", f"Result: award CNY {yuan_text(fen)}.")


def result_rejection(reason: str, zh: str, en: str) -> Step:
    """The final rejection and its reason code."""
    return Step(f"结论：不予奖励（{reason}）：{zh}。", f"Result: no award ({reason}): {en}.")


def yuan(fen: int) -> str:
    """Fen as readable yuan."""
    return yuan_text(fen)


def listing(values: Iterable[object]) -> str:
    """A list as [a, b]."""
    return "[" + ", ".join(str(v) for v in values) + "]"


def mapping(values: Mapping[str, Decimal]) -> str:
    """A mapping as {k: v}."""
    return "{" + ", ".join(f"{k}: {v}" for k, v in values.items()) + "}"


def percent(rate: Decimal) -> str:
    """0.30 as 30%."""
    return f"{(rate * 100).normalize():f}%"
