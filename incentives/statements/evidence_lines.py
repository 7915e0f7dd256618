"""What a statement line points at: the invoices counted and excluded, a centre's capacities
and costs, a node's record. Kept compact (invoice ids, not copies); the API expands them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from incentives.evidence import LiveFacts
from incentives.outcome import Outcome
from incentives.policy import Policy


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _pflops(values: dict[str, Decimal] | None) -> dict[str, str] | None:
    return None if values is None else {k: _number(v) for k, v in values.items()}


class EvidenceWriter:
    """Builds each line's evidence from one run's facts and outcome."""

    def __init__(self, live: LiveFacts, outcome: Outcome) -> None:
        self.live = live
        self.outcome = outcome
        self._centers = {c.code: c for c in live.facts.centers}
        self._nodes = {n.code: n for n in live.facts.nodes}
        self._by_buyer: dict[str, list[int]] | None = None
        self._years: dict[str, dict[str, tuple[list[int], list[int], list[Any]]]] = {}
        self._excluded: dict[tuple[str, str], str] | None = None

    def evidence(self, clause: str, unit: str, subject: str, policy: Policy) -> dict[str, Any]:
        """The evidence of one (clause, unit, subject)."""
        if clause == "compute_voucher":
            return self._voucher(unit, subject)
        if clause == "computing_center_build":
            return self._center(subject)
        return self._node(subject)

    def _index(self) -> tuple[dict[str, list[int]], dict[tuple[str, str], str]]:
        if self._by_buyer is None or self._excluded is None:
            by_buyer: dict[str, list[int]] = {}
            for i, inv in enumerate(self.live.facts.invoices):
                items = by_buyer.get(inv.buyer)
                if items is None:
                    items = by_buyer[inv.buyer] = []
                items.append(i)
            self._by_buyer = by_buyer
            self._excluded = {
                (x.buyer, x.number): x.reason.value for x in self.outcome.excluded_invoices
            }
        return self._by_buyer, self._excluded

    def _voucher(self, buyer: str, year: str) -> dict[str, Any]:
        years = self._years.get(buyer)
        if years is None:
            years = self._years[buyer] = self._buyer_years(buyer)
        counted, reversals, rejected = years.get(year, ([], [], []))
        return {
            "buyer": buyer,
            "year": year,
            "counted": counted,
            "reversals": reversals,
            "excluded": rejected,
        }

    def _buyer_years(self, buyer: str) -> dict[str, tuple[list[int], list[int], list[Any]]]:
        """A buyer's invoice ids by year: counted, reversals, excluded with reasons."""
        by_buyer, excluded = self._index()
        invoices = self.live.facts.invoices
        ids = self.live.invoice_ids
        as_of = self.live.facts.as_of
        mine = by_buyer.get(buyer, [])
        years = {invoices[i].number: invoices[i].issued_on.year for i in mine}
        out: dict[str, tuple[list[int], list[int], list[Any]]] = {}
        for i in mine:
            inv = invoices[i]
            if inv.issued_on > as_of:
                continue
            # A red-letter invoice belongs to its original's year, which it reduces.
            year = inv.issued_on.year
            if inv.kind == "red":
                year = years.get(inv.reverses or "", year)
            group = out.get(str(year))
            if group is None:
                group = out[str(year)] = ([], [], [])
            reason = excluded.get((buyer, inv.number))
            if reason is not None:
                group[2].append([ids[i], reason])
            elif inv.kind == "red":
                group[1].append(ids[i])
            else:
                group[0].append(ids[i])
        return out

    def _center(self, code: str) -> dict[str, Any]:
        record = self.live.centers.get(code)
        facts = self._centers.get(code)
        if record is None or facts is None:
            return {"center": code, "verified": False}
        return {
            "center": code,
            "name": record.name,
            "kind": facts.kind,
            "status": facts.status,
            "commissioned_on": None
            if facts.commissioned_on is None
            else facts.commissioned_on.isoformat(),
            "verified": True,
            "verified_capacity_pflops": _pflops(record.verified_pflops),
            "attested_capacity_pflops": _pflops(record.attested_pflops),
            "attestation": record.attestation,
            "capacity_used_pflops": _pflops(record.used_pflops),
            "costs": {k: f"{v:.2f}" for k, v in record.costs.items()},
        }

    def _node(self, code: str) -> dict[str, Any]:
        record = self.live.nodes.get(code)
        facts = self._nodes.get(code)
        if record is None or facts is None:
            return {"node": code, "verified": False}
        return {
            "node": code,
            "name": record.name,
            "industry": record.industry,
            "region": record.region,
            "status": facts.status,
            "connected_on": None if facts.connected_on is None else facts.connected_on.isoformat(),
            "verified": True,
        }
