"""Scenario files: the model, the loader, and every error named by file and field path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
)

from incentives.facts import (
    CenterFacts,
    Facts,
    InvoiceFacts,
    KeyProviderListing,
    NodeFacts,
    OtherSupport,
    UnitFacts,
)
from incentives.parameters import Clause, PolicyError
from incentives.policy import DEFAULT_POLICY, Policy, load_policy, shipped_policies
from incentives.scenario_fields import (
    YEAR,
    CenterKind,
    Code,
    CostCategory,
    CreditCode,
    Day,
    InvoiceNumber,
    Money,
    Pflops,
    PositiveMoney,
    Precision,
    ReasonCode,
    Status,
    Text,
    UnitKind,
    none_as_empty,
)
from registry.credit_code import in_province
from registry.exact_yaml import load_file
from registry.fields import Flag


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Unit(_Model):
    """A unit (organisation)."""

    code: Code
    name: Text
    credit_code: CreditCode
    kind: UnitKind
    region: str | None = None
    in_province: Flag | None = None
    dishonest: Flag = False


class KeyProvider(_Model):
    """A listing of a unit as 重点算力服务商."""

    unit: Code
    listed_from: Day
    listed_until: Day | None = None


class ComputingCenter(_Model):
    """A computing centre and its construction unit."""

    code: Code
    unit: Code
    name: Text
    kind: CenterKind
    capacity_pflops: dict[Precision, Pflops] = {}
    status: Status
    commissioned_on: Day | None = None
    costs: dict[CostCategory, Money] = {}


class IdentifierNode(_Model):
    """An identifier-resolution secondary node and its construction unit."""

    code: Code
    unit: Code
    industry: str | None = None
    status: Status
    connected_on: Day | None = None


class Invoice(_Model):
    """A compute-purchase invoice."""

    number: InvoiceNumber
    buyer: Code
    seller: Code
    issued_on: Day
    amount: PositiveMoney
    kind: Literal["blue", "red"] = "blue"
    reverses: InvoiceNumber | None = None
    confirmed: Flag = True


class Support(_Model):
    """Support already received from another policy."""

    clause: Clause
    unit: Code
    subject: Code
    amount: Money
    source: str | None = None


class ExpectedAward(_Model):
    """An award --check requires."""

    clause: Clause
    unit: Code
    subject: Code
    amount: Money


class ExpectedRejection(_Model):
    """A rejection --check requires among the output's."""

    clause: Clause
    unit: Code
    subject: Code
    reason: ReasonCode


class ExpectedExclusion(_Model):
    """An excluded invoice --check requires among the output's."""

    number: InvoiceNumber
    reason: ReasonCode
    buyer: Code | None = None


class Expect(_Model):
    """What --check compares."""

    awards: list[ExpectedAward] | None = None  # absent: not compared; present: the whole list
    rejections: Annotated[list[ExpectedRejection], BeforeValidator(none_as_empty)] = []
    excluded_invoices: Annotated[list[ExpectedExclusion], BeforeValidator(none_as_empty)] = []


class Scenario(_Model):
    """One scenario file."""

    name: Text
    description: str | None = None
    policy: str | None = None
    policy_overrides: Annotated[
        dict[str, Any], BeforeValidator(lambda r: {} if r is None else r)
    ] = {}
    as_of: Day
    units: Annotated[list[Unit], BeforeValidator(none_as_empty)] = []
    key_providers: Annotated[list[KeyProvider], BeforeValidator(none_as_empty)] = []
    computing_centers: Annotated[list[ComputingCenter], BeforeValidator(none_as_empty)] = []
    identifier_nodes: Annotated[list[IdentifierNode], BeforeValidator(none_as_empty)] = []
    invoices: Annotated[list[Invoice], BeforeValidator(none_as_empty)] = []
    other_support: Annotated[list[Support], BeforeValidator(none_as_empty)] = []
    expect: Expect | None = None


@dataclass(frozen=True, slots=True)
class FieldError:
    """One bad field: its path (`invoices[3].amount`) and what is wrong."""

    path: str
    message: str


class ScenarioError(Exception):
    """A file that is not a valid scenario, with every bad field."""

    def __init__(self, file: str, errors: Sequence[FieldError]) -> None:
        self.file = file
        self.errors = list(errors)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """One line per bad field: FILE: path: message."""
        return [f"{self.file}: {e.path}: {e.message}" for e in self.errors]


@dataclass(frozen=True, slots=True)
class LoadedScenario:
    """A valid scenario with its policy (overrides applied) and its facts."""

    file: str
    scenario: Scenario
    policy: Policy
    facts: Facts


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top)"


def _pydantic_errors(exc: ValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors():
        # Literal/union internals add the tried type to loc; drop the noise pydantic adds.
        loc = [
            p
            for p in err["loc"]
            if not (isinstance(p, str) and p.startswith(("literal[", "function-")))
        ]
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        if loc and loc[-1] == "[key]":  # a mapping key that is not allowed
            loc = loc[:-1]
            msg = f"unknown key: {msg}"
        errors.append(FieldError(_path(loc), msg))
    return errors


def _yaml_message(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        return f"line {mark.line + 1}, column {mark.column + 1}: {exc.problem}"
    return " ".join(str(exc).split())


def load_scenario(path: Path) -> LoadedScenario:
    """Read, validate and prepare one scenario file; raise ScenarioError naming every bad field."""
    file = str(path)
    try:
        raw = load_file(path)
    except OSError as exc:
        raise ScenarioError(file, [FieldError("(file)", exc.strerror or str(exc))]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(file, [FieldError("(yaml)", _yaml_message(exc))]) from None
    if not isinstance(raw, dict):
        raise ScenarioError(file, [FieldError("(top)", "a scenario must be a YAML mapping")])
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        errors = _pydantic_errors(exc)
        # Report bad overrides too, so one run shows every problem in the file.
        if not any(e.path.startswith(("policy", "policy_overrides")) for e in errors):
            overrides = raw.get("policy_overrides")
            if isinstance(overrides, dict):
                _overridden(load_policy(DEFAULT_POLICY), overrides, errors)
        raise ScenarioError(file, errors) from None
    errors = check_references(scenario)
    policy = _policy(scenario, errors)
    if errors or policy is None:
        raise ScenarioError(file, errors)
    return LoadedScenario(file, scenario, policy, to_facts(scenario))


def _policy(scenario: Scenario, errors: list[FieldError]) -> Policy | None:
    name = scenario.policy or DEFAULT_POLICY
    if name not in shipped_policies():
        errors.append(FieldError("policy", f"unknown policy {name!r}; known: {shipped_policies()}"))
        return None
    return _overridden(load_policy(name), scenario.policy_overrides, errors)


def _overridden(
    policy: Policy, overrides: dict[str, Any], errors: list[FieldError]
) -> Policy | None:
    try:
        return policy.with_overrides(overrides)
    except PolicyError as exc:
        errors.extend(FieldError(f"policy_overrides.{p}", m) for p, m in exc.errors)
        return None


def check_references(s: Scenario) -> list[FieldError]:
    """Every check that spans fields: unique codes, references, required-when rules."""
    errors: list[FieldError] = []

    def unique(items: Sequence[Any], attr: str, where: str) -> set[str]:
        seen: set[str] = set()
        for i, item in enumerate(items):
            code = getattr(item, attr)
            if code in seen:
                errors.append(FieldError(f"{where}[{i}].{attr}", f"{code!r} is defined twice"))
            seen.add(code)
        return seen

    units = unique(s.units, "code", "units")
    centers = unique(s.computing_centers, "code", "computing_centers")
    nodes = unique(s.identifier_nodes, "code", "identifier_nodes")
    owner = {c.code: c.unit for c in s.computing_centers} | {
        f"node:{n.code}": n.unit for n in s.identifier_nodes
    }

    def ref(code: str, path: str) -> None:
        if code not in units:
            errors.append(FieldError(path, f"names unit {code!r}, which is not in units"))

    for i, k in enumerate(s.key_providers):
        ref(k.unit, f"key_providers[{i}].unit")
        if k.listed_until is not None and k.listed_until <= k.listed_from:
            errors.append(
                FieldError(f"key_providers[{i}].listed_until", "must be after listed_from")
            )
    for i, c in enumerate(s.computing_centers):
        ref(c.unit, f"computing_centers[{i}].unit")
        if c.status == "operational" and c.commissioned_on is None:
            errors.append(
                FieldError(
                    f"computing_centers[{i}].commissioned_on", "is required when operational"
                )
            )
    for i, n in enumerate(s.identifier_nodes):
        ref(n.unit, f"identifier_nodes[{i}].unit")
    for i, inv in enumerate(s.invoices):
        ref(inv.buyer, f"invoices[{i}].buyer")
        ref(inv.seller, f"invoices[{i}].seller")
        if inv.kind == "blue" and inv.reverses is not None:
            errors.append(FieldError(f"invoices[{i}].reverses", "only a red invoice reverses one"))
    for i, o in enumerate(s.other_support):
        ref(o.unit, f"other_support[{i}].unit")
        path = f"other_support[{i}].subject"
        if o.clause == "computing_center_build":
            if o.subject not in centers:
                errors.append(FieldError(path, f"{o.subject!r} is not in computing_centers"))
            elif owner[o.subject] != o.unit:
                errors.append(
                    FieldError(path, f"{o.subject} was built by {owner[o.subject]}, not {o.unit}")
                )
        elif o.clause == "identifier_node":
            if o.subject not in nodes:
                errors.append(FieldError(path, f"{o.subject!r} is not in identifier_nodes"))
            elif owner[f"node:{o.subject}"] != o.unit:
                errors.append(
                    FieldError(
                        path, f"{o.subject} was built by {owner['node:' + o.subject]}, not {o.unit}"
                    )
                )
        elif not YEAR.match(o.subject):
            errors.append(
                FieldError(path, f'must be a calendar year such as "2025", got {o.subject!r}')
            )
    return errors


def to_facts(s: Scenario) -> Facts:
    """The plain facts the rules read."""
    return Facts(
        as_of=s.as_of,
        units=tuple(
            UnitFacts(
                u.code,
                u.kind.value,
                in_province(u.credit_code) if u.in_province is None else u.in_province,
                u.dishonest,
            )
            for u in s.units
        ),
        centers=tuple(
            CenterFacts(
                c.code,
                c.unit,
                c.kind.value,
                {k.value: v for k, v in c.capacity_pflops.items()},
                c.status.value,
                c.commissioned_on,
                {k.value: v for k, v in c.costs.items()},
            )
            for c in s.computing_centers
        ),
        nodes=tuple(
            NodeFacts(n.code, n.unit, n.status.value, n.connected_on) for n in s.identifier_nodes
        ),
        key_providers=tuple(
            KeyProviderListing(k.unit, k.listed_from, k.listed_until) for k in s.key_providers
        ),
        invoices=tuple(
            InvoiceFacts(
                i.number, i.buyer, i.seller, i.issued_on, i.amount, i.kind, i.reverses, i.confirmed
            )
            for i in s.invoices
        ),
        other_support=tuple(
            OtherSupport(o.clause, o.unit, o.subject, o.amount, o.source) for o in s.other_support
        ),
    )
