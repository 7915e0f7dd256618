"""The composition root hands attestation the shipped policy's threshold, resolved for today."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from aiohttp import web

from collectors.scraping.attestation import AttestationThresholds
from collectors.scraping.scraper import SCRAPING
from incentives.policy import DEFAULT_POLICY, load_policy
from registry.fields import CenterKind, Precision
from service.app import attestation_thresholds
from service.settings import Settings
from tests.scraping.conftest import World, dcgm_text


def test_the_app_attests_against_the_policy_in_force_today(
    app: web.Application, settings: Settings
) -> None:
    today = dt.datetime.now(ZoneInfo(settings.timezone)).date()
    params = load_policy(DEFAULT_POLICY).center_params(today)
    handed = app[SCRAPING].thresholds
    assert handed == attestation_thresholds(settings.timezone)
    assert handed.min_pflops == params.min_capacity_pflops
    assert {str(k): str(v) for k, v in handed.precision_by_kind.items()} == dict(params.precision)


async def test_a_scraped_centre_is_flagged_against_the_threshold_handed_down(
    world: World,
) -> None:
    world.exporters.texts["c1"] = dcgm_text(48)  # 47.472 P in FP16
    await world.add_target("C1", "/text/c1")
    await world.scrape()
    assert "attested_below_threshold" in (await world.attestation("C1"))["reasons"]
    world.app[SCRAPING].thresholds = AttestationThresholds(
        Decimal(40), {CenterKind.INTELLIGENT: Precision.FP16}
    )
    await world.scrape(dt.timedelta(minutes=1))
    attestation = await world.attestation("C1")
    assert attestation["threshold_pflops"] == "40"
    assert "attested_below_threshold" not in attestation["reasons"]
