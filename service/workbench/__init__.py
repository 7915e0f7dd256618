"""The workbench: server-rendered pages for officials and units, Chinese first."""

from __future__ import annotations

from importlib.resources import files

import aiohttp_jinja2
import jinja2
from aiohttp import web

from service.workbench import (
    browse,
    changes_page,
    dashboard,
    my_invoices,
    my_unit,
    notice_page,
    objections_pages,
    reviews,
    sign_in,
    statements_pages,
    what_if_page,
)
from service.workbench.core import session_middleware

STATIC = files("service") / "static"


def setup(app: web.Application) -> None:
    """Templates, the static folder, the session middleware and every page route."""
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("service", "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
    )
    app.middlewares.append(session_middleware)
    app.router.add_static("/static/", str(STATIC), append_version=False)
    pages = (sign_in, dashboard, browse, my_unit, my_invoices, reviews, what_if_page, changes_page)
    for module in (*pages, statements_pages, objections_pages, notice_page):
        module.add_routes(app)
