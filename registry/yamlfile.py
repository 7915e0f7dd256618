"""Reading YAML without floats: a decimal number in a file stays exact."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml


class DecimalSafeLoader(yaml.SafeLoader):
    """A safe loader that reads 49.9 as Decimal('49.9'), never as a float."""


def _decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    return Decimal(text.replace("_", ""))


DecimalSafeLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def load_yaml(path: Path) -> Any:
    """Parse a YAML (or JSON) file with exact decimals."""
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=DecimalSafeLoader)
