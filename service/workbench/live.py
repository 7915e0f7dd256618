"""The live facts as of today (Asia/Shanghai), for the pages that evaluate the policy."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from incentives.evidence import LiveFacts, load_live_facts
from incentives.install_keys import INCENTIVES_SETTINGS


def today(app: web.Application) -> dt.date:
    """Today's calendar day in the service's time zone."""
    return dt.datetime.now(ZoneInfo(app[INCENTIVES_SETTINGS].timezone)).date()


async def live_facts(app: web.Application, session: AsyncSession) -> LiveFacts:
    """Everything the rules read, from the live database, as of today."""
    return await load_live_facts(session, today(app), dt.datetime.now(dt.UTC))
