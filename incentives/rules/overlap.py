"""从优、就高、不重复: support already received for a subject is topped up, never added to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from incentives.explain import Step, yuan
from incentives.facts import OtherSupport
from incentives.money import round_to_fen

OtherKey = tuple[str, str, str]
OtherIndex = Mapping[OtherKey, Sequence[OtherSupport]]


def index_other_support(items: Iterable[OtherSupport]) -> dict[OtherKey, list[OtherSupport]]:
    """Other support grouped by (clause, unit, subject)."""
    index: dict[OtherKey, list[OtherSupport]] = {}
    for item in items:
        index.setdefault((item.clause, item.unit, item.subject), []).append(item)
    return index


def other_support_fen(key: OtherKey, index: OtherIndex) -> int:
    """Support already received from other policies for one subject, in fen."""
    return sum(round_to_fen(s.amount) for s in index.get(key, ()))


def topped_up(capped_fen: int, key: OtherKey, index: OtherIndex, mode: str) -> int:
    """Only the part of the capped amount that exceeds other support for the same subject."""
    if mode != "top_up":  # the loader admits no other mode; fail loudly if that changes
        raise ValueError(f"unknown overlap mode {mode!r}")
    return max(0, capped_fen - other_support_fen(key, index))


def top_up_step(capped_fen: int, key: OtherKey, index: OtherIndex, reference: str) -> Step:
    """How the overlap rule decided what is paid."""
    supports = index.get(key, ())
    if not supports:
        return Step(
            f"从优、就高、不重复（{reference}）：未记录其他政策对同一对象的支持，按本政策金额支付。",
            f"Overlap rule ({reference}, top-up): no support from other policies is recorded "
            "for this subject, so this policy's amount is paid in full.",
        )
    other = other_support_fen(key, index)
    sources = "、".join(s.source or "未注明来源" for s in supports)
    sources_en = ", ".join(s.source or "source not given" for s in supports)
    paid = max(0, capped_fen - other)
    return Step(
        f"从优、就高、不重复（{reference}）：其他政策已就同一对象支持 {yuan(other)} 元"
        f"（{sources}）；本政策只补足差额 max(0, {yuan(capped_fen)} − {yuan(other)}) "
        f"= {yuan(paid)} 元。",
        f"Overlap rule ({reference}, top-up): other policies already gave CNY {yuan(other)} "
        f"for this subject ({sources_en}); this policy pays only the difference "
        f"max(0, {yuan(capped_fen)} − {yuan(other)}) = CNY {yuan(paid)}.",
    )
