"""Simulate scenario files: evaluate, print, and compare with `expect`."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from typing import Any

from incentives.engine import evaluate
from incentives.explain import Explanation
from incentives.money import FEN
from incentives.outcome import Outcome
from incentives.scenario import LoadedScenario

Key = tuple[str, str, str]
AwardKey = tuple[str, str, str, Decimal]


def as_document(loaded: LoadedScenario, outcome: Outcome) -> dict[str, Any]:
    """The `simulate --json` document of FORMAT.md (explanations in Chinese and English)."""

    def steps(explanation: Explanation) -> dict[str, list[str]]:
        return {
            "explanation": [s.zh for s in explanation],
            "explanation_en": [s.en for s in explanation],
        }

    return {
        "scenario": loaded.scenario.name,
        "policy": loaded.policy.name,
        "as_of": loaded.scenario.as_of.isoformat(),
        "awards": [
            {"clause": a.clause, "unit": a.unit, "subject": a.subject, "amount": f"{a.amount:.2f}"}
            | steps(a.explanation)
            for a in outcome.awards
        ],
        "rejections": [
            {"clause": r.clause, "unit": r.unit, "subject": r.subject, "reason": r.reason.value}
            | steps(r.explanation)
            for r in outcome.rejections
        ],
        "excluded_invoices": [
            {"number": x.number, "buyer": x.buyer, "reason": x.reason.value} | steps(x.explanation)
            for x in outcome.excluded_invoices
        ],
        "total": f"{outcome.total:.2f}",
    }


def as_json(loaded: LoadedScenario, outcome: Outcome) -> str:
    """One JSON document on one line."""
    return json.dumps(as_document(loaded, outcome), ensure_ascii=False)


def as_text(loaded: LoadedScenario, outcome: Outcome, lang: str = "both") -> str:
    """A readable report of one scenario's result."""
    langs = ("zh", "en") if lang == "both" else (lang,)
    lines = [
        f"== {loaded.file}: {loaded.scenario.name}",
        f"   policy {loaded.policy.name}, as of {loaded.scenario.as_of}",
    ]

    def explain(explanation: Explanation) -> None:
        for code in langs:
            lines.extend(f"      {step.text(code)}" for step in explanation)

    for a in outcome.awards:
        lines.append(f"  AWARD  {a.clause} {a.unit} {a.subject}: {a.amount:.2f}")
        explain(a.explanation)
    for r in outcome.rejections:
        lines.append(f"  REJECT {r.clause} {r.unit} {r.subject}: {r.reason.value}")
        explain(r.explanation)
    for x in outcome.excluded_invoices:
        lines.append(f"  EXCLUDED invoice {x.number} (buyer {x.buyer}): {x.reason.value}")
        explain(x.explanation)
    lines.append(f"  TOTAL  {outcome.total:.2f}")
    return "\n".join(lines)


def differences(loaded: LoadedScenario, outcome: Outcome) -> list[str]:
    """What differs between the outcome and the scenario's `expect`; empty when it matches."""
    expect = loaded.scenario.expect
    if expect is None:
        return ["the scenario has no expect section to check against"]
    found: list[str] = []
    if expect.awards is not None:
        want: Counter[AwardKey] = Counter(
            (a.clause, a.unit, a.subject, a.amount.quantize(FEN)) for a in expect.awards
        )
        got: Counter[AwardKey] = Counter(
            (a.clause, a.unit, a.subject, a.amount) for a in outcome.awards
        )
        found += [f"missing award {_award(k)}" for k in sorted(want - got)]
        found += [f"unexpected award {_award(k)}" for k in sorted(got - want)]
    rejections = {(r.clause, r.unit, r.subject): r.reason.value for r in outcome.rejections}
    for r in expect.rejections:
        key = (r.clause, r.unit, r.subject)
        actual = rejections.get(key)
        if actual != r.reason.value:
            have = f"got {actual}" if actual else _status(key, outcome)
            found.append(f"expected rejection {_key(key)} {r.reason.value}, {have}")
    excluded = {(x.number, x.reason.value, x.buyer) for x in outcome.excluded_invoices}
    for x in expect.excluded_invoices:
        if not any(
            n == x.number and reason == x.reason.value and (x.buyer is None or b == x.buyer)
            for n, reason, b in excluded
        ):
            seen = sorted(reason for n, reason, _ in excluded if n == x.number)
            found.append(
                f"expected invoice {x.number} excluded as {x.reason.value}, "
                f"got {', '.join(seen) if seen else 'counted or absent'}"
            )
    return found


def _award(k: tuple[str, str, str, Decimal]) -> str:
    return f"{k[0]} {k[1]} {k[2]} {k[3]:.2f}"


def _key(k: Key) -> str:
    return f"{k[0]} {k[1]} {k[2]}"


def _status(key: Key, outcome: Outcome) -> str:
    for a in outcome.awards:
        if (a.clause, a.unit, a.subject) == key:
            return f"got an award of {a.amount:.2f}"
    return "got no result for that subject"


def run(loaded: LoadedScenario) -> Outcome:
    """Evaluate one loaded scenario."""
    return evaluate(loaded.facts, loaded.policy)
