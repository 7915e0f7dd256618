"""Paging: the query every list takes, the page it answers and the one way to cut it."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Result, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.web import Strict

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total that matches the filters."""

    items: list[T]
    total: int
    limit: int
    offset: int


class PageQuery(Strict):
    """Paging parameters every list takes."""

    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)


async def paginate(
    session: AsyncSession,
    statement: Select[Any],
    limit: int,
    offset: int,
    counted: Select[tuple[int]] | None = None,
) -> tuple[Result[Any], int]:
    """One page of an ordered select, and how many rows the whole select matches.

    `counted` replaces the default count where the select's joins and columns cost much and
    cannot change the number of rows.
    """
    # By default counted over the select itself, so the total never disagrees with the filters.
    if counted is None:
        counted = select(func.count()).select_from(statement.order_by(None).subquery())
    total = await session.scalar(counted)
    rows = await session.execute(statement.limit(limit).offset(offset))
    return rows, int(total or 0)
