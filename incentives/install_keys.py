"""Typed app keys of incentives/: the loaded policies and the settings it was given."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from incentives.policy import Policy
from incentives.settings import IncentivesSettings

POLICIES = web.AppKey("policies", Mapping[str, Policy])
INCENTIVES_SETTINGS = web.AppKey("incentives_settings", IncentivesSettings)
