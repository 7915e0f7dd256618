"""The policy file: a strict loader, typed parameter views by day, overrides by dotted path."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, cast

import yaml

from incentives.parameters import (
    CLAUSES,
    PREFIXES,
    SPECS,
    CenterParams,
    Dated,
    GeneralParams,
    Group,
    NodeParams,
    PolicyError,
    VoucherParams,
    group_paths,
    parse_parameter,
)
from registry.exact_yaml import load_file

POLICY_DIR = Path(__file__).parent / "policies"
DEFAULT_POLICY = "heilongjiang-digital-2023"
_C = PREFIXES[CenterParams]

# --- the policy ---


@dataclass(frozen=True, slots=True)
class ClauseText:
    """A clause's reference, title and quoted Chinese text."""

    name: str
    reference: str
    title_zh: str
    title_en: str
    text: str


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter: its values, the clause reference and the phrase it implements."""

    path: str
    values: Dated
    reference: str
    quote: str


@dataclass(frozen=True)
class Policy:
    """A loaded, checked policy."""

    name: str
    title_zh: str
    title_en: str
    source: str
    parameters: Mapping[str, Parameter]
    clauses: Mapping[str, ClauseText]
    general_reference: str
    general_text: str
    _cache: dict[tuple[type[Any], date], object] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def valid_from(self) -> date:
        """First day the policy applies."""
        return cast(date, self.parameters["valid_from"].values.values[0])

    @property
    def valid_until(self) -> date:
        """First day the policy no longer applies (exclusive end)."""
        return cast(date, self.parameters["valid_until"].values.values[0])

    @property
    def overlap(self) -> str:
        """How support from other policies for the same subject is treated."""
        return cast(str, self.parameters["overlap"].values.values[0])

    def in_window(self, day: date) -> bool:
        """True when day is inside [valid_from, valid_until)."""
        return self.valid_from <= day < self.valid_until

    def value(self, path: str, day: date) -> object:
        """The value of one parameter on one day.

        A day before a parameter's first start and before valid_from (a 2023 voucher year
        asks about 2023-01-01) takes the value in force on valid_from, which check() ensures
        exists; such facts are outside the window anyway, only their reason needs the values.
        """
        values = self.parameters[path].values
        if day < values.starts[0] and day < self.valid_from:
            day = self.valid_from
        return values.at(day)

    def center_params(self, day: date) -> CenterParams:
        """computing_center_build parameters for a centre commissioned on day."""
        return self.params(CenterParams, day)

    def voucher_params(self, day: date) -> VoucherParams:
        """compute_voucher parameters for day (the first day of the voucher's year)."""
        return self.params(VoucherParams, day)

    def node_params(self, day: date) -> NodeParams:
        """identifier_node parameters for a node connected on day."""
        return self.params(NodeParams, day)

    def params(self, group: type[Group], day: date) -> Group:
        """A group of parameters in force on day, typed, resolved once per group and day."""
        key = (group, day)
        hit = self._cache.get(key)
        if hit is None:
            values: dict[str, Any] = {
                name: self.value(path, day) for name, path in group_paths(group).items()
            }
            hit = self._cache[key] = group(**values)
        return cast(Group, hit)

    def with_overrides(self, overrides: Mapping[str, object]) -> Policy:
        """A copy with parameters replaced by dotted path; every bad path is reported at once."""
        errors: list[tuple[str, str]] = []
        flat: dict[str, object] = {}
        _flatten(overrides, "", flat, errors)
        params = dict(self.parameters)
        for path, raw in flat.items():
            try:
                params[path] = replace(params[path], values=parse_parameter(path, raw))
            except ValueError as exc:
                errors.append((path, str(exc)))
        if errors:
            raise PolicyError(errors)
        changed = replace(self, parameters=params, _cache={})
        changed.check()
        return changed

    def check(self) -> None:
        """Check that the parameters fit together; raise PolicyError naming each bad one."""
        errors: list[tuple[str, str]] = []
        if self.valid_from >= self.valid_until:
            errors.append(("valid_until", f"must be after valid_from ({self.valid_from})"))
        for path, param in self.parameters.items():
            # Every day a rule asks about is on or after valid_from (see parameter_day).
            if param.values.starts[0] > self.valid_from:
                errors.append(
                    (
                        path,
                        f"has no value on {self.valid_from} (valid_from); "
                        f"its dated values start {param.values.starts[0]}",
                    )
                )
        kinds_param = self.parameters[_C + "center_kinds"].values
        precision_param = self.parameters[_C + "precision"].values
        for start in sorted(set(kinds_param.starts + precision_param.starts)):
            day = max(start, self.valid_from)
            kinds = cast(tuple[str, ...], kinds_param.at(day))
            precision = cast(Mapping[str, str], precision_param.at(day))
            missing = [k for k in kinds if k not in precision]
            if missing:
                errors.append(
                    (_C + "precision", f"names no precision for {', '.join(missing)} (on {day})")
                )
        if errors:
            raise PolicyError(errors)


def _flatten(
    raw: Mapping[str, object], prefix: str, out: dict[str, object], errors: list[tuple[str, str]]
) -> None:
    """Dotted paths from a mapping that may also nest (`clauses: {compute_voucher: {...}}`)."""
    for key, value in raw.items():
        path = f"{prefix}{key}"
        if not isinstance(key, str):
            errors.append((f"{prefix}{key!r}", "a parameter path must be text"))
        elif path in SPECS:
            out[path] = value
        elif isinstance(value, dict) and any(p.startswith(path + ".") for p in SPECS):
            _flatten(value, path + ".", out, errors)
        else:
            near = difflib.get_close_matches(path, SPECS, n=1)
            hint = f"; did you mean {near[0]}?" if near else ""
            errors.append((path, f"is not a parameter of this policy{hint}"))


# --- reading the file ---


class _Reader:
    """Walks the raw YAML, collecting every error with its path."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def mapping(
        self, raw: object, path: str, required: set[str], optional: set[str]
    ) -> dict[str, Any]:
        if not isinstance(raw, dict):
            self.errors.append((path or "(top)", "must be a mapping"))
            return {}
        for key in raw:
            if key not in required | optional:
                self.errors.append((_join(path, str(key)), "unknown key"))
        for key in sorted(required - raw.keys()):
            self.errors.append((_join(path, key), "is required"))
        return {k: v for k, v in raw.items() if isinstance(k, str)}

    def text(self, raw: object, path: str) -> str:
        if isinstance(raw, str) and raw.strip():
            return raw
        self.errors.append((path, f"must be non-empty text, got {raw!r}"))
        return ""

    def parameter(self, raw: object, path: str, reference: str | None) -> Parameter | None:
        required = {"value", "quote"} if reference else {"value", "quote", "reference"}
        data = self.mapping(raw, path, required, set())
        if "value" not in data:
            return None
        quote = self.text(data.get("quote"), path + ".quote")
        ref = reference or self.text(data.get("reference"), path + ".reference")
        try:
            values = parse_parameter(path, data["value"])
        except ValueError as exc:
            self.errors.append((path + ".value", str(exc)))
            return None
        return Parameter(path, values, ref, quote)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def load_policy(name_or_path: str = DEFAULT_POLICY) -> Policy:
    """Load a shipped policy by name, or a policy file by path; raise PolicyError when unusable."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = POLICY_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        raise PolicyError([("policy", f"no such policy: {name_or_path}")])
    try:
        raw = load_file(path)
    except yaml.YAMLError as exc:
        raise PolicyError([("(yaml)", str(exc))], source=path.name) from None
    try:
        return _read_policy(raw)
    except PolicyError as exc:
        raise PolicyError(exc.errors, source=path.name) from None


def shipped_policies() -> list[str]:
    """Names of the policy files shipped with the package."""
    return sorted(p.stem for p in POLICY_DIR.glob("*.yaml"))


# The top-level parameters (valid_from, valid_until, overlap), as GeneralParams declares them.
_GENERAL = tuple(group_paths(GeneralParams).values())


def _read_policy(raw: object) -> Policy:
    reader = _Reader()
    top = reader.mapping(
        raw,
        "",
        {"policy", "title", "source", "clauses", *_GENERAL},
        set(),
    )
    params: dict[str, Parameter] = {}
    for name in _GENERAL:
        if name in top:
            param = reader.parameter(top[name], name, None)
            if param is not None:
                params[name] = param
    title = reader.mapping(top.get("title", {}), "title", {"zh", "en"}, set())
    clauses: dict[str, ClauseText] = {}
    raw_clauses = reader.mapping(top.get("clauses", {}), "clauses", set(CLAUSES), set())
    for clause, body in raw_clauses.items():
        if clause not in CLAUSES:
            continue
        prefix = f"clauses.{clause}"
        names = {p.removeprefix(prefix + ".") for p in SPECS if p.startswith(prefix + ".")}
        data = reader.mapping(body, prefix, {"reference", "title", "text"} | names, set())
        reference = reader.text(data.get("reference"), prefix + ".reference")
        text = reader.text(data.get("text"), prefix + ".text")
        ctitle = reader.mapping(data.get("title", {}), prefix + ".title", {"zh", "en"}, set())
        clauses[clause] = ClauseText(
            clause,
            reference,
            reader.text(ctitle.get("zh"), prefix + ".title.zh"),
            reader.text(ctitle.get("en"), prefix + ".title.en"),
            text,
        )
        for name in sorted(names & data.keys()):
            param = reader.parameter(data[name], f"{prefix}.{name}", reference or "?")
            if param is not None:
                params[param.path] = param
    if reader.errors:
        raise PolicyError(reader.errors)
    general = params["overlap"]
    policy = Policy(
        name=reader.text(top.get("policy"), "policy"),
        title_zh=str(title.get("zh", "")),
        title_en=str(title.get("en", "")),
        source=str(top.get("source", "")),
        parameters={p: params[p] for p in SPECS},
        clauses=clauses,
        general_reference=general.reference,
        general_text=general.quote,
    )
    if reader.errors:
        raise PolicyError(reader.errors)
    for path in _GENERAL:
        if params[path].values.is_dated:
            raise PolicyError([(path + ".value", "cannot have dated values")])
    policy.check()
    return policy
