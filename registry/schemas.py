"""The registry's input and output models, in the scenario format's field names."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, Self, TypeVar, get_args, get_origin

from pydantic import (
    BaseModel,
    Field,
    create_model,
    field_validator,
    model_validator,
)

from registry.credit_code import in_province
from registry.fields import (
    CODE_MAX_LENGTH,
    CenterKind,
    Code,
    CostCategory,
    CreditCode,
    Day,
    DecimalRange,
    Division,
    FacilityStatus,
    Flag,
    Name,
    PFlops,
    Precision,
    UnitKind,
    Yuan,
)
from service.kit.web import Strict

T = TypeVar("T")


class UnitIn(Strict):
    """A unit as written in a scenario file or POSTed."""

    code: Code
    name: Name
    credit_code: CreditCode
    kind: UnitKind
    region: Division | None = None
    in_province: Flag | None = Field(None, description="default: credit_code[2:4] == '23'")
    dishonest: Flag = False

    def resolved_in_province(self) -> bool:
        """Inside the province as given, or as derived from the credit code."""
        return in_province(self.credit_code) if self.in_province is None else self.in_province


class UnitOut(BaseModel):
    """A unit as stored."""

    code: str
    name: str
    credit_code: str
    kind: UnitKind
    region: str | None
    in_province: bool
    dishonest: bool


AcceleratorCount = Annotated[int, Field(strict=True, ge=1, le=10_000_000)]


class AcceleratorLine(Strict):
    """One line of a centre's accelerator inventory."""

    model: Annotated[str, Field(min_length=1, max_length=64)]
    count: AcceleratorCount


def _operational_needs_date(status: FacilityStatus | None, day: dt.date | None, field: str) -> None:
    if status is FacilityStatus.OPERATIONAL and day is None:
        raise ValueError(f"{field} is required when status is operational")


class ComputingCenterIn(Strict):
    """A computing centre as written in a scenario file or POSTed."""

    code: Code
    unit: Code
    name: Name
    kind: CenterKind
    region: Division | None = None
    capacity_pflops: dict[Precision, PFlops] = Field(default_factory=dict)
    status: FacilityStatus
    commissioned_on: Day | None = None
    costs: dict[CostCategory, Yuan] = Field(default_factory=dict)
    accelerators: list[AcceleratorLine] = Field(default_factory=list, max_length=1000)

    @field_validator("capacity_pflops")
    @classmethod
    def _normalised(cls, value: dict[Precision, Decimal]) -> dict[Precision, Decimal]:
        # 60, 60.0 and 6E+1 are one capacity: compared and stored as one.
        return {k: v.normalize() for k, v in value.items()}

    @model_validator(mode="after")
    def _commissioned(self) -> Self:
        _operational_needs_date(self.status, self.commissioned_on, "commissioned_on")
        return self


class PendingOut(BaseModel):
    """Money-deciding values the unit declared that wait for an official's review."""

    id: int = Field(description="the review: GET /api/v1/reviews/{id}")
    kind: Literal["create", "update", "delete"] = Field(
        description=(
            "create: the object awaits verification; update: a change; delete: its unit asked "
            "to remove it"
        )
    )
    declared: dict[str, Any] = Field(description="field: declared value, in this object's form")
    submitted_at: dt.datetime
    submitted_by_name: str | None


VERIFIED = (
    "false while an official has not accepted the object a unit registered itself; "
    "the award rules read only verified objects"
)
PENDING = (
    "declared money-deciding values waiting for review; the other fields hold the verified ones"
)


class ComputingCenterOut(BaseModel):
    """A computing centre as stored, with the peak its declared inventory gives."""

    code: str
    unit: str
    name: str
    kind: CenterKind
    region: str | None
    capacity_pflops: dict[Precision, PFlops]
    status: FacilityStatus
    commissioned_on: Day | None
    costs: dict[CostCategory, Yuan]
    accelerators: list[AcceleratorLine]
    inventory_pflops: dict[Precision, PFlops] = Field(
        description="peak PFLOPS per precision of the declared accelerators, from the catalogue"
    )
    verified: bool = Field(description=VERIFIED)
    pending: PendingOut | None = Field(description=PENDING)


class IdentifierNodeIn(Strict):
    """An identifier-resolution secondary node as written in a scenario file or POSTed."""

    code: Code
    unit: Code
    name: Name | None = None
    industry: Annotated[str, Field(min_length=1, max_length=64)]
    region: Division | None = None
    status: FacilityStatus
    connected_on: Day | None = None


class IdentifierNodeOut(BaseModel):
    """A node as stored."""

    code: str
    unit: str
    name: str | None
    industry: str
    region: str | None
    status: FacilityStatus
    connected_on: Day | None
    verified: bool = Field(description=VERIFIED)
    pending: PendingOut | None = Field(description=PENDING)


Latitude = Annotated[Decimal, DecimalRange("43", "54", 6)]
Longitude = Annotated[Decimal, DecimalRange("121", "136", 6)]
Band = Annotated[str, Field(pattern=r"^n[0-9]{1,3}$")]


class FiveGSiteIn(Strict):
    """A 5G site of a telecom operator."""

    code: Code
    unit: Code
    division: Division
    latitude: Latitude = Field(description="WGS-84, inside Heilongjiang's bounding box")
    longitude: Longitude
    bands: list[Band] = Field(default_factory=list, max_length=16)
    status: FacilityStatus
    opened_on: Day | None = None


class FiveGSiteOut(BaseModel):
    """A 5G site as stored."""

    code: str
    unit: str
    division: str
    latitude: Latitude
    longitude: Longitude
    bands: list[str]
    status: FacilityStatus
    opened_on: Day | None


class KeyProviderIn(Strict):
    """A listing of a unit as key compute provider; until is exclusive, null means still listed."""

    code: Code | None = Field(None, description="default: UNIT-YYYYMMDD of listed_from")
    unit: Code
    listed_from: Day
    listed_until: Day | None = None

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.listed_until is not None and self.listed_until <= self.listed_from:
            raise ValueError("listed_until must be after listed_from")
        if len(self.resolved_code()) > CODE_MAX_LENGTH:
            # The derived code must fit the column as a given one does.
            raise ValueError(
                f"give a code: {self.resolved_code()!r} is over {CODE_MAX_LENGTH} characters"
            )
        return self

    def resolved_code(self) -> str:
        """The listing's code, derived from unit and start date when not given."""
        return self.code or f"{self.unit}-{self.listed_from:%Y%m%d}"


class KeyProviderOut(BaseModel):
    """A key-provider listing as stored."""

    code: str
    unit: str
    listed_from: Day
    listed_until: Day | None


class Created(BaseModel, Generic[T]):
    """What a list POST returns: every created object, in the order given."""

    items: list[T]


def map_fields(model: type[BaseModel]) -> frozenset[str]:
    """The fields of a model that are maps (capacity per precision, costs per category)."""
    return frozenset(
        name for name, info in model.model_fields.items() if get_origin(info.annotation) is dict
    )


def merge_maps(base: dict[str, Any], patch: dict[str, Any], maps: frozenset[str]) -> dict[str, Any]:
    """Apply a PATCH: maps merge as in JSON Merge Patch (RFC 7396), other fields replace."""
    out = dict(base)
    for name, value in patch.items():
        if name in maps and isinstance(value, dict) and isinstance(base.get(name), dict):
            merged = dict(base[name])
            for key, item in value.items():
                if item is None:
                    merged.pop(key, None)
                else:
                    merged[key] = item
            out[name] = merged
        else:
            out[name] = value
    return out


def patch_model(model: type[Strict], immutable: tuple[str, ...] = ("code",)) -> type[Strict]:
    """The PATCH body of a model: every field optional, none nullable unless it was."""
    fields: dict[str, Any] = {}
    maps = map_fields(model)
    for name, info in model.model_fields.items():
        if name in immutable:
            continue
        optional = copy.copy(info)
        # An absent field is left as it is; an explicit null is checked against the type.
        optional.default = None
        optional.default_factory = None
        annotation = info.annotation
        if name in maps:
            # A map merges: a key set to null is removed, keys not named are kept.
            key, value = get_args(annotation)
            annotation = dict[key, value | None]  # type: ignore[valid-type]
            optional.description = "merged: a key set to null is removed, keys not named are kept"
        fields[name] = (annotation, optional)
    patch: type[Strict] = create_model(
        model.__name__.removesuffix("In") + "Patch", __base__=Strict, **fields
    )
    patch.__doc__ = f"Fields of {model.__name__.removesuffix('In')} that may change."
    return patch


def non_empty_list(model: type[Strict], most: int = 10_000) -> Any:
    """A list of at least one item and at most `most` (a list POST)."""
    return Annotated[list[model], Field(min_length=1, max_length=most)]  # type: ignore[valid-type]


UnitPatch = patch_model(UnitIn)
ComputingCenterPatch = patch_model(ComputingCenterIn)
IdentifierNodePatch = patch_model(IdentifierNodeIn)
FiveGSitePatch = patch_model(FiveGSiteIn)
KeyProviderPatch = patch_model(KeyProviderIn)
