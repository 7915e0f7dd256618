"""Plain, frozen facts the rules read: built from a scenario file or from database rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class UnitFacts:
    """A unit (organisation) as the rules see it."""

    code: str
    kind: str
    in_province: bool
    dishonest: bool = False


@dataclass(frozen=True, slots=True)
class CenterFacts:
    """A computing centre; `unit` is its construction unit."""

    code: str
    unit: str
    kind: str
    capacity_pflops: Mapping[str, Decimal]
    status: str
    commissioned_on: date | None
    costs: Mapping[str, Decimal]


@dataclass(frozen=True, slots=True)
class NodeFacts:
    """An identifier-resolution secondary node; `unit` is its construction unit."""

    code: str
    unit: str
    status: str
    connected_on: date | None


@dataclass(frozen=True, slots=True)
class KeyProviderListing:
    """A unit listed as a key compute provider from listed_from until listed_until (exclusive)."""

    unit: str
    listed_from: date
    listed_until: date | None = None


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    """A compute-purchase invoice; a red one reverses (part of) the invoice `reverses`."""

    number: str
    buyer: str
    seller: str
    issued_on: date
    amount: Decimal
    kind: str = "blue"
    reverses: str | None = None
    confirmed: bool = True


@dataclass(frozen=True, slots=True)
class OtherSupport:
    """Support a unit received from another policy for the same subject."""

    clause: str
    unit: str
    subject: str
    amount: Decimal
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything the rules need, known as of one day; anything dated later is ignored."""

    as_of: date
    units: Sequence[UnitFacts] = ()
    centers: Sequence[CenterFacts] = ()
    nodes: Sequence[NodeFacts] = ()
    key_providers: Sequence[KeyProviderListing] = ()
    invoices: Sequence[InvoiceFacts] = ()
    other_support: Sequence[OtherSupport] = ()
