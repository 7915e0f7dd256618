"""What changed in the facts that decide money since a statement run, and what it moves."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from incentives.engine import evaluate
from incentives.facts import Facts, InvoiceFacts
from incentives.policy import Policy
from incentives.scenario import Scenario, to_facts
from incentives.what_if import Difference, differences

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class FactChange:
    """One subject added or removed, or one of its fields changed."""

    kind: str  # unit | center | node | key_provider | other_support
    subject: str
    change: str  # added | removed | changed
    field: str | None = None
    before: str | None = None
    after: str | None = None


@dataclass(frozen=True, slots=True)
class InvoiceChanges:
    """A buyer's invoices that came, went or changed since the run."""

    buyer: str
    added: int = 0
    added_amount: Decimal = ZERO
    removed: int = 0
    removed_amount: Decimal = ZERO
    changed: int = 0


@dataclass(frozen=True, slots=True)
class SinceStatement:
    """The facts' changes and the awards each clause and unit would get now against then."""

    facts: tuple[FactChange, ...]
    invoices: tuple[InvoiceChanges, ...]
    awards: tuple[Difference, ...]

    @property
    def moved(self) -> tuple[Difference, ...]:
        """Only the awards that would change."""
        return tuple(d for d in self.awards if d.change != 0)


def kept_facts(text: str) -> Facts:
    """The facts a run kept (its scenario JSON), as the rules read them."""
    return to_facts(Scenario.model_validate(json.loads(text)))


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def _flat(item: object) -> dict[str, str | None]:
    """A fact's fields as text; a map such as costs becomes `costs.equipment`."""
    out: dict[str, str | None] = {}
    for f in fields(item):  # type: ignore[arg-type]
        value = getattr(item, f.name)
        if isinstance(value, Mapping):
            out.update({f"{f.name}.{k}": _text(v) for k, v in value.items()})
        else:
            out[f.name] = _text(value)
    return out


def _subjects(
    kind: str, before: Iterable[Any], after: Iterable[Any], key: Callable[[Any], str]
) -> list[FactChange]:
    then = {key(x): _flat(x) for x in before}
    now = {key(x): _flat(x) for x in after}
    out: list[FactChange] = []
    for subject in sorted(then.keys() | now.keys()):
        old, new = then.get(subject), now.get(subject)
        if old is None:
            out.append(FactChange(kind, subject, "added"))
        elif new is None:
            out.append(FactChange(kind, subject, "removed"))
        else:
            out.extend(
                FactChange(kind, subject, "changed", name, old.get(name), new.get(name))
                for name in sorted(old.keys() | new.keys())
                if old.get(name) != new.get(name)
            )
    return out


def _invoice_key(i: InvoiceFacts) -> tuple[str, str, str, str]:
    return (i.buyer, i.seller, i.number, i.kind)


def _invoices(
    before: Iterable[InvoiceFacts], after: Iterable[InvoiceFacts]
) -> list[InvoiceChanges]:
    then = {_invoice_key(i): i for i in before}
    now = {_invoice_key(i): i for i in after}
    tally: dict[str, list[Any]] = defaultdict(lambda: [0, ZERO, 0, ZERO, 0])
    for key in now.keys() - then.keys():
        row = tally[key[0]]
        row[0] += 1
        row[1] += now[key].amount
    for key in then.keys() - now.keys():
        row = tally[key[0]]
        row[2] += 1
        row[3] += then[key].amount
    for key in then.keys() & now.keys():
        if then[key] != now[key]:
            tally[key[0]][4] += 1
    return [InvoiceChanges(buyer, *row) for buyer, row in sorted(tally.items())]


def compare_facts(then: Facts, now: Facts, policy: Policy) -> SinceStatement:
    """Every change between two fact sets, and each clause's awards per unit under both."""
    changes = [
        *_subjects("unit", then.units, now.units, lambda u: u.code),
        *_subjects("center", then.centers, now.centers, lambda c: c.code),
        *_subjects("node", then.nodes, now.nodes, lambda n: n.code),
        *_subjects(
            "key_provider",
            then.key_providers,
            now.key_providers,
            lambda k: f"{k.unit}@{k.listed_from.isoformat()}",
        ),
        *_subjects(
            "other_support",
            then.other_support,
            now.other_support,
            lambda o: f"{o.clause}/{o.unit}/{o.subject}",
        ),
    ]
    awards = differences(evaluate(then, policy), evaluate(now, policy))
    return SinceStatement(tuple(changes), tuple(_invoices(then.invoices, now.invoices)), awards)
