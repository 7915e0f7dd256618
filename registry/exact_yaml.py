"""YAML loading that keeps numbers exact: decimals become Decimal, never float."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml


class ExactLoader(yaml.SafeLoader):
    """A SafeLoader that reads YAML floats as Decimal and refuses duplicate keys."""


def _construct_decimal(loader: ExactLoader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        # .inf, .nan and sexagesimal forms: money and capacities never need them.
        raise yaml.constructor.ConstructorError(
            None, None, f"unsupported number {text!r}", node.start_mark
        ) from None
    if not value.is_finite():
        raise yaml.constructor.ConstructorError(
            None, None, f"unsupported number {text!r}", node.start_mark
        )
    return value


def _construct_mapping(loader: ExactLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    # A repeated key would otherwise silently keep the last value.
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"duplicate key {key!r}",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _construct_timestamp(loader: ExactLoader, node: yaml.ScalarNode) -> object:
    # An impossible date (2025-13-01) stays text, so the field that holds it reports it.
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


ExactLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
ExactLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
ExactLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_text(text: str) -> Any:
    """Parse one YAML document with exact numbers."""
    return yaml.load(text, Loader=ExactLoader)  # ExactLoader is a SafeLoader


def load_file(path: Path) -> Any:
    """Read and parse one YAML file with exact numbers."""
    return load_text(path.read_text(encoding="utf-8"))
