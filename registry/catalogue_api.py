"""The accelerator catalogue: dense peak TFLOPS per model, readable by every token."""

from __future__ import annotations

from decimal import Decimal

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy import select

from registry.models import AcceleratorModel
from service.kit.keys import DB
from service.kit.principal import principal_of
from service.kit.web import operation, respond


class AcceleratorModelOut(BaseModel):
    """One catalogue entry."""

    code: str
    vendor: str
    name: str
    fp16_tflops: Decimal | None
    fp32_tflops: Decimal | None
    fp64_tflops: Decimal | None


class Catalogue(BaseModel):
    """The whole catalogue."""

    items: list[AcceleratorModelOut]


@operation(
    summary="The accelerator catalogue",
    tag="accelerator models",
    responses={200: Catalogue},
    problems=(401,),
)
async def list_models(request: web.Request) -> web.Response:
    """Every accelerator model the registry knows."""
    principal_of(request)
    async with request.app[DB]() as session:
        rows = await session.scalars(select(AcceleratorModel).order_by(AcceleratorModel.code))
        items = [AcceleratorModelOut.model_validate(r, from_attributes=True) for r in rows]
    return respond(Catalogue(items=items))


def add_routes(app: web.Application) -> None:
    """GET /api/v1/accelerator-models."""
    app.router.add_get("/api/v1/accelerator-models", list_models, allow_head=False)
