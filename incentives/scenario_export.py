"""The live facts written as a scenario (FORMAT.md) that `simulate` reproduces exactly."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import yaml

from incentives.evidence import LiveFacts


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def scenario_document(
    live: LiveFacts, policy: str, name: str | None = None, with_invoices: bool = True
) -> dict[str, Any]:
    """A scenario mapping of the live facts; centres carry the capacity the rules used."""
    facts = live.facts
    centers = {c.code: c for c in facts.centers}
    nodes = {n.code: n for n in facts.nodes}
    owners = {c.code: c.unit for c in facts.centers} | {
        f"node:{n.code}": n.unit for n in facts.nodes
    }
    doc: dict[str, Any] = {
        "name": name or f"live facts as of {facts.as_of.isoformat()}",
        "policy": policy,
        "as_of": facts.as_of.isoformat(),
        "units": [
            {
                "code": u.code,
                "name": u.name,
                "credit_code": u.credit_code,
                "kind": u.kind,
                **({"region": u.region} if u.region else {}),
                "in_province": u.in_province,
                "dishonest": u.dishonest,
            }
            for u in live.units.values()
        ],
        "key_providers": [
            {
                "unit": k.unit,
                "listed_from": k.listed_from.isoformat(),
                "listed_until": None if k.listed_until is None else k.listed_until.isoformat(),
            }
            for k in facts.key_providers
        ],
        "computing_centers": [
            {
                "code": code,
                "unit": c.unit,
                "name": live.centers[code].name,
                "kind": c.kind,
                "capacity_pflops": {k: _number(v) for k, v in c.capacity_pflops.items()},
                "status": c.status,
                "commissioned_on": None
                if c.commissioned_on is None
                else c.commissioned_on.isoformat(),
                "costs": {k: _money(v) for k, v in c.costs.items()},
            }
            for code, c in centers.items()
        ],
        "identifier_nodes": [
            {
                "code": code,
                "unit": n.unit,
                "industry": live.nodes[code].industry,
                "status": n.status,
                "connected_on": None if n.connected_on is None else n.connected_on.isoformat(),
            }
            for code, n in nodes.items()
        ],
        "invoices": list(_invoices(live)) if with_invoices else [],
        "other_support": [
            {
                "clause": o.clause,
                "unit": o.unit,
                "subject": o.subject,
                "amount": _money(o.amount),
                **({"source": o.source} if o.source else {}),
            }
            for o in facts.other_support
            # Support for a centre or node not verified yet cannot be named in a scenario and
            # cannot change an award: that subject is not judged.
            if o.clause == "compute_voucher"
            or owners.get(_owner_key(o.clause, o.subject)) == o.unit
        ],
    }
    return doc


def _owner_key(clause: str, subject: str) -> str:
    return subject if clause == "computing_center_build" else f"node:{subject}"


def _invoices(live: LiveFacts) -> Iterator[dict[str, Any]]:
    for inv in live.facts.invoices:
        item: dict[str, Any] = {
            "number": inv.number,
            "buyer": inv.buyer,
            "seller": inv.seller,
            "issued_on": inv.issued_on.isoformat(),
            "amount": _money(inv.amount),
        }
        if inv.kind == "red":
            item["kind"] = "red"
            item["reverses"] = inv.reverses
        item["confirmed"] = inv.confirmed
        yield item


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Block style, keys in the order given, Chinese kept as it is."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def scenario_yaml(doc: dict[str, Any]) -> str:
    """The scenario as YAML; dates and money stay strings, so nothing becomes a float."""
    text: str = yaml.dump(
        doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=None
    )
    return text
