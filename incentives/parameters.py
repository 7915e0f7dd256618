"""Policy parameters, each declared once: its path, its parser, and its typed field.

A parameter is a field of one of the groups below (`GeneralParams`, `CenterParams`,
`VoucherParams`, `NodeParams`); the field's metadata carries its parser and whether it may
have dated values. The table of paths (SPECS), the loader, overrides and the typed views by
day (`Policy.center_params(day)`, ...) are all derived from these fields, so adding a
parameter is one field here plus its entry in the policy YAML.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeVar, cast, get_args

from incentives.money import is_fen_exact
from registry.fields import CenterKind, CostCategory, Precision, UnitKind

# The clauses, by the names the policy file, scenario files and the API use, in output order.
Clause = Literal["computing_center_build", "compute_voucher", "identifier_node"]
CLAUSES: tuple[Clause, ...] = get_args(Clause)
# The registry's vocabularies: one declaration for the API, scenario files and the policy.
CENTER_KINDS = tuple(k.value for k in CenterKind)
UNIT_KINDS = tuple(k.value for k in UnitKind)
PRECISIONS = tuple(p.value for p in Precision)
COST_CATEGORIES = tuple(c.value for c in CostCategory)
OVERLAP_MODES = ("top_up",)
# ASCII digits only ([0-9]; \d would take any script's digits). $ would allow a final newline.
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")


class PolicyError(Exception):
    """A policy file or override that cannot be used, with every bad field."""

    def __init__(self, errors: list[tuple[str, str]], source: str = "") -> None:
        self.errors = errors
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__("\n".join(f"{prefix}{path}: {msg}" for path, msg in errors))


# --- value parsers: each takes raw YAML data and returns a typed value or raises ValueError ---


def parse_date(raw: object) -> date:
    """A calendar date, from a YAML date or an ISO 'YYYY-MM-DD' string."""
    if type(raw) is date:
        return raw
    if isinstance(raw, str) and _ISO_DATE.match(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError as exc:
            raise ValueError(f"not a valid date: {raw!r} ({exc})") from None
    raise ValueError(f"must be a date YYYY-MM-DD, got {raw!r}")


def parse_decimal(raw: object) -> Decimal:
    """An exact decimal number from an int, a Decimal or a numeric string; never a float."""
    if isinstance(raw, bool | float):
        raise ValueError(f"must be an exact number (a string or a decimal), got {raw!r}")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise ValueError(f"must be a finite number, got {raw}")
        return raw
    if isinstance(raw, str) and _NUMBER.match(raw.strip()):
        try:
            return Decimal(raw.strip())
        except InvalidOperation:  # pragma: no cover - the pattern already rules it out
            pass
    raise ValueError(f"must be a number, got {raw!r}")


def parse_non_negative(raw: object) -> Decimal:
    """A decimal at least 0."""
    value = parse_decimal(raw)
    if value < 0:
        raise ValueError(f"must not be negative, got {value}")
    return value


def parse_money(raw: object) -> Decimal:
    """An amount in yuan, at least 0, with at most two decimals."""
    value = parse_non_negative(raw)
    if not is_fen_exact(value):
        raise ValueError(f"must have at most two decimals (whole fen), got {value}")
    return value


def parse_rate(raw: object) -> Decimal:
    """A share between 0 and 1 inclusive."""
    value = parse_decimal(raw)
    if not Decimal(0) <= value <= Decimal(1):
        raise ValueError(f"must be between 0 and 1, got {value}")
    return value


def parse_bool(raw: object) -> bool:
    """true or false, nothing else."""
    if isinstance(raw, bool):
        return raw
    raise ValueError(f"must be true or false, got {raw!r}")


def choice(allowed: tuple[str, ...]) -> Callable[[object], str]:
    """A parser for one of the allowed words."""

    def parse(raw: object) -> str:
        if isinstance(raw, str) and raw in allowed:
            return raw
        raise ValueError(f"must be one of {', '.join(allowed)}; got {raw!r}")

    return parse


def subset(allowed: tuple[str, ...]) -> Callable[[object], tuple[str, ...]]:
    """A parser for a list of distinct allowed words."""

    def parse(raw: object) -> tuple[str, ...]:
        if not isinstance(raw, list):
            raise ValueError(f"must be a list of {', '.join(allowed)}; got {raw!r}")
        items = tuple(choice(allowed)(item) for item in raw)
        if len(set(items)) != len(items):
            raise ValueError(f"lists a value twice: {list(items)}")
        return items

    return parse


def parse_precision(raw: object) -> Mapping[str, str]:
    """A mapping from centre kind to the precision its capacity is counted in."""
    if not isinstance(raw, dict):
        raise ValueError(f"must map centre kinds to {', '.join(PRECISIONS)}; got {raw!r}")
    return {choice(CENTER_KINDS)(k): choice(PRECISIONS)(v) for k, v in raw.items()}


@dataclass(frozen=True, slots=True)
class Spec:
    """What a parameter holds and whether it may change over time."""

    parse: Callable[[object], object]
    datable: bool = True


def spec(parse: Callable[[object], object], *, datable: bool = True) -> dict[str, Spec]:
    """A parameter field's metadata: its parser, and whether its value may change over time."""
    return {"spec": Spec(parse, datable)}


@dataclass(frozen=True, slots=True)
class GeneralParams:
    """The policy's period and how support from other policies counts; never dated."""

    valid_from: date = field(metadata=spec(parse_date, datable=False))
    valid_until: date = field(metadata=spec(parse_date, datable=False))
    overlap: str = field(metadata=spec(choice(OVERLAP_MODES), datable=False))


@dataclass(frozen=True, slots=True)
class CenterParams:
    """computing_center_build parameters in force on one day."""

    center_kinds: tuple[str, ...] = field(metadata=spec(subset(CENTER_KINDS)))
    min_capacity_pflops: Decimal = field(metadata=spec(parse_non_negative))
    precision: Mapping[str, str] = field(metadata=spec(parse_precision))
    cost_categories: tuple[str, ...] = field(metadata=spec(subset(COST_CATEGORIES)))
    rate: Decimal = field(metadata=spec(parse_rate))
    cap_per_unit: Decimal = field(metadata=spec(parse_money))


@dataclass(frozen=True, slots=True)
class VoucherParams:
    """compute_voucher parameters in force on one day."""

    buyer_kinds: tuple[str, ...] = field(metadata=spec(subset(UNIT_KINDS)))
    spend_threshold: Decimal = field(metadata=spec(parse_money))
    rate: Decimal = field(metadata=spec(parse_rate))
    cap_per_unit_per_year: Decimal = field(metadata=spec(parse_money))
    require_provider_confirmation: bool = field(metadata=spec(parse_bool))


@dataclass(frozen=True, slots=True)
class NodeParams:
    """identifier_node parameters in force on one day."""

    amount: Decimal = field(metadata=spec(parse_money))
    per: str = field(metadata=spec(choice(("unit", "node"))))


Group = TypeVar("Group", GeneralParams, CenterParams, VoucherParams, NodeParams)
# Each group and the dotted prefix of its parameters' paths, in the order they are listed.
PREFIXES: dict[type[Any], str] = {
    GeneralParams: "",
    CenterParams: "clauses.computing_center_build.",
    VoucherParams: "clauses.compute_voucher.",
    NodeParams: "clauses.identifier_node.",
}
SPECS: dict[str, Spec] = {
    prefix + f.name: f.metadata["spec"] for group, prefix in PREFIXES.items() for f in fields(group)
}


def group_paths(group: type[Any]) -> dict[str, str]:
    """A group's field names and the paths of the parameters they hold."""
    return {f.name: PREFIXES[group] + f.name for f in fields(group)}


# --- dated values ---


@dataclass(frozen=True, slots=True)
class Dated:
    """A parameter's values by start date; a plain value starts at date.min."""

    path: str
    starts: tuple[date, ...]
    values: tuple[object, ...]

    @property
    def is_dated(self) -> bool:
        """True when the value changes over time."""
        return self.starts[0] != date.min

    def at(self, day: date) -> object:
        """The value whose start is the newest one not after day."""
        i = bisect_right(self.starts, day)
        if i == 0:
            raise PolicyError(
                [(self.path, f"has no value on {day}; its values start {self.starts[0]}")]
            )
        return self.values[i - 1]

    def show(self) -> str:
        """The value as written in the policy file."""
        if not self.is_dated:
            return _show(self.values[0])
        return (
            "{"
            + ", ".join(f"{s}: {_show(v)}" for s, v in zip(self.starts, self.values, strict=True))
            + "}"
        )


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _date_key(key: object) -> date | None:
    if type(key) is date:
        return key
    if isinstance(key, str) and _ISO_DATE.match(key):
        return parse_date(key)
    return None


def parse_parameter(path: str, raw: object) -> Dated:
    """Parse a plain or dated value for the parameter at path (ValueError on bad input)."""
    spec = SPECS[path]
    if isinstance(raw, dict) and raw:
        keys = [_date_key(k) for k in raw]
        if all(k is not None for k in keys):
            if not spec.datable:
                raise ValueError("cannot have dated values")
            pairs = sorted(zip(cast(list[date], keys), raw.values(), strict=True))
            values: list[object] = []
            for start, value in pairs:
                try:
                    values.append(spec.parse(value))
                except ValueError as exc:
                    raise ValueError(f"value from {start}: {exc}") from None
            return Dated(path, tuple(s for s, _ in pairs), tuple(values))
        if any(k is not None for k in keys):
            raise ValueError("mixes dated and plain keys")
    return Dated(path, (date.min,), (spec.parse(raw),))
