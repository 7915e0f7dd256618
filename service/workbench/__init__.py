"""The workbench: server-rendered pages for officials and units, Chinese first."""

from __future__ import annotations

from importlib.resources import files

import aiohttp_jinja2
import jinja2
from aiohttp import web

from service.workbench import (
    browse,
    dashboard,
    my_unit,
    notice_page,
    objections_pages,
    sign_in,
    statements_pages,
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
    for module in (sign_in, dashboard, browse, my_unit):
        module.add_routes(app)
    statements_pages.add_routes(app)
    objections_pages.add_routes(app)
    notice_page.add_routes(app)
