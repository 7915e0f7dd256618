"""The scenario format and the registry API describe the same objects in the same words."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal, get_args, get_origin

import pytest
from pydantic import BaseModel

from incentives.other_support_api import OtherSupportIn
from incentives.scenario import ComputingCenter, IdentifierNode, KeyProvider, Support, Unit
from registry.schemas import ComputingCenterIn, IdentifierNodeIn, KeyProviderIn, UnitIn

PAIRS = [
    (Unit, UnitIn),
    (ComputingCenter, ComputingCenterIn),
    (IdentifierNode, IdentifierNodeIn),
    (KeyProvider, KeyProviderIn),
    (Support, OtherSupportIn),
]


def vocabulary(annotation: Any) -> set[Any]:
    """The enums and literal word lists a field's type is built from."""
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return {annotation}
    origin = get_origin(annotation)
    if origin is Literal:
        return {tuple(get_args(annotation))}
    if origin is Annotated:
        return vocabulary(get_args(annotation)[0])
    return {word for arg in get_args(annotation) for word in vocabulary(arg)}


@pytest.mark.parametrize("scenario, api", PAIRS, ids=[s.__name__ for s, _ in PAIRS])
def test_scenario_fields_are_api_fields_with_the_same_words(
    scenario: type[BaseModel], api: type[BaseModel]
) -> None:
    for name, field in scenario.model_fields.items():
        assert name in api.model_fields, f"{scenario.__name__}.{name} is not in {api.__name__}"
        words = vocabulary(field.annotation)
        assert words == vocabulary(api.model_fields[name].annotation), (scenario.__name__, name)


def test_the_word_lists_are_checked_at_all() -> None:
    # kind, status, precision and cost categories are enums; clause a word list.
    assert len(vocabulary(ComputingCenter.model_fields["capacity_pflops"].annotation)) == 1
    assert vocabulary(Support.model_fields["clause"].annotation)
    assert vocabulary(Unit.model_fields["kind"].annotation)
