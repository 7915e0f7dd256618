"""Paging: the query every list takes and the page it answers."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

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
