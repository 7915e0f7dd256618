"""What is owed: the policy files, the rules, simulation of scenarios, and award statements."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

    from incentives.settings import IncentivesSettings


def setup(app: web.Application, settings: IncentivesSettings) -> None:
    """Install the loaded policies, the statement routes and the monthly statement job."""
    from incentives.install import install

    install(app, settings)
