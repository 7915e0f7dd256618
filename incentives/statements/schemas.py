"""What the statements API reads and answers."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from registry.fields import Day
from service.kit.paging import PageQuery
from service.kit.web import Strict

StatusName = Literal["draft", "submitted", "approved", "published", "final", "disbursed"]
ClauseName = Literal["computing_center_build", "compute_voucher", "identifier_node"]


class RunIn(Strict):
    """A statement run: every clause and open period unless narrowed."""

    clause: ClauseName | None = None
    period: str | None = Field(None, description='"2025", or "2023-12-01/2026-12-01"')
    as_of: Day | None = Field(None, description="default: today (Asia/Shanghai)")
    policy: str | None = Field(None, description="default: every loaded policy")


class RunItem(BaseModel):
    """What a run did to one clause and period."""

    policy: str
    clause: str
    period: str
    action: Literal["created", "refreshed", "under_review", "unchanged", "nothing_to_settle"]
    statement: int | None
    number: int | None
    status: str | None
    lines: int
    total: str


class RunOut(BaseModel):
    """Every clause and period a run settled, and its day."""

    as_of: dt.date
    items: list[RunItem]


class StatementQuery(PageQuery):
    """Filters of the statement list."""

    clause: ClauseName | None = None
    period: str | None = None
    status: StatusName | None = None


class LineOut(BaseModel):
    """One line: an award, or an adjustment that corrects an earlier line."""

    id: int
    unit: str
    subject: str
    kind: Literal["award", "adjustment"]
    corrects: int | None
    amount: str
    entitlement: str
    explanation: list[str]
    explanation_en: list[str]


class StatementSummary(BaseModel):
    """A statement without its lines."""

    id: int
    policy: str
    clause: str
    period: str
    number: int
    status: str
    as_of: dt.date
    total: str


class StatementOut(StatementSummary):
    """A statement with its lines (a unit's token: only its own)."""

    lines: list[LineOut]


class EvidenceOut(BaseModel):
    """What one line rests on: invoices, capacities and costs, or a node record."""

    statement: int
    line: int
    clause: str
    subject: str
    evidence: dict[str, Any]
