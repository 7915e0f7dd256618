"""A centre cannot aim the scraper at our own host or network, in whatever form it writes it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from collectors.scraping.models import ExporterTarget
from collectors.scraping.networks import (
    DEFAULT_DENIED,
    AddressPolicy,
    AddressRefused,
    ipv4_spelling,
    parse_networks,
)
from collectors.scraping.scraper import SCRAPING
from registry.db import create_engine, session_factory
from registry.models import ComputingCenter
from service.app import create_app
from service.settings import Settings
from tests.scraping.conftest import World

DEFAULT = AddressPolicy(parse_networks(DEFAULT_DENIED))
TARGETS = "/api/v1/computing-centers/C1/exporter-targets"

# Every spelling of loopback, "this host" and cloud metadata that reached them before.
DENIED_FORMS = [
    "127.0.0.1", "::1", "0.0.0.0", "::", "169.254.169.254", "fe80::1", "100.100.100.200",
    "fd00:ec2::254",
    "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:0.0.0.0", "::ffff:169.254.169.254",
    "::127.0.0.1", "::a9fe:a9fe",  # IPv4-compatible
    "64:ff9b::127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b::6464:64c8",  # NAT64 well-known
    "64:ff9b:1::7f00:1", "64:ff9b:1:a9:fe00:a9fe::",  # NAT64 local-use, /96 and /64 layouts
    "2002:7f00:1::", "2002:a9fe:a9fe::1",  # 6to4
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
    "2001:0:4136:e378:8000:63bf:5601:5601",  # Teredo, client 169.254.169.254
    "2130706433", "0177.0.0.1", "127.1", "0x7f.0.0.1", "0x7f000001", "127.0.0.1.",
    "2852039166",  # 169.254.169.254
]  # fmt: skip
ALLOWED_FORMS = ["10.20.30.40", "192.168.1.5", "203.0.113.7", "2001:db8::1", "64:ff9b::808:808",
                 "::ffff:10.1.2.3", "2002:cb00:7107::1"]  # fmt: skip


@pytest.mark.parametrize("address", DENIED_FORMS)
def test_the_default_policy_refuses_every_form_of_a_denied_address(address: str) -> None:
    assert not DEFAULT.allows(address)
    with pytest.raises(AddressRefused, match="INCENTIVES_SCRAPE_DENY"):
        DEFAULT.check_literal(f"[{address}]" if ":" in address else address)


@pytest.mark.parametrize("address", ALLOWED_FORMS)
def test_the_default_policy_allows_other_networks(address: str) -> None:
    assert DEFAULT.allows(address)
    DEFAULT.check_literal(address)


def test_odd_ipv4_spellings_read_as_a_resolver_reads_them() -> None:
    assert str(ipv4_spelling("2130706433")) == "127.0.0.1"
    assert str(ipv4_spelling("0177.0.0.01")) == "127.0.0.1"
    assert str(ipv4_spelling("10.1")) == "10.0.0.1"
    assert str(ipv4_spelling("0xa.0x1.258")) == "10.1.1.2"
    assert ipv4_spelling("256.1.1.1") is None
    assert ipv4_spelling("08.1.1.1") is None  # 8 is no octal digit
    assert ipv4_spelling("exporter.example") is None


def test_a_host_aiohttp_takes_for_an_address_but_no_parser_reads_is_refused() -> None:
    # Arabic-Indic digits: aiohttp would skip the resolver and let the OS decide.
    with pytest.raises(AddressRefused, match="not an IP address"):
        DEFAULT.check_literal("١٢٧.٠.٠.١")
    DEFAULT.check_literal("exporter.example")  # a name is checked when it resolves


def test_a_bad_deny_list_stops_the_service_naming_the_setting() -> None:
    with pytest.raises(ValueError, match="scrape_deny"):
        Settings(scrape_deny="10.0.0.0/33")


@pytest.fixture
def settings(database_url: str) -> Settings:
    """A deployment's settings: the default deny list, loopback included."""
    return Settings(database_url=database_url, scheduler=False)


async def _store_target(world: World, url: str) -> int:
    # As a target registered before registration checked addresses (or DNS changed since).
    engine = create_engine(world.database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            center = await session.scalar(
                select(ComputingCenter.id).where(ComputingCenter.code == "C1")
            )
            assert center is not None
            target = ExporterTarget(
                center_id=center, url=url, interval_seconds=60, exporter="auto",
                enabled=True, next_attempt_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC), devices={},
            )  # fmt: skip
            session.add(target)
            await session.flush()
            return target.id
    finally:
        await engine.dispose()


def _local_forms(port: int) -> list[str]:
    return [f"http://{host}:{port}/file/dcgm.txt" for host in (
        "127.0.0.1", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::]", "[::ffff:0.0.0.0]",
        "[::127.0.0.1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::1]", "2130706433", "0177.0.0.1",
        "127.1", "0x7f.1", "127.0.0.1.", "localhost", "[::1]", "0.0.0.0",
    )]  # fmt: skip


async def test_no_form_of_loopback_is_registered(world: World) -> None:
    port = world.exporters.server.port
    assert port is not None
    for url in _local_forms(port):
        r = await world.client.post(TARGETS, json={"url": url}, headers=world.operator)
        assert r.status == 422, (url, await r.text())
        (error,) = (await r.json())["errors"]
        assert error["field"] == "url"
        assert "INCENTIVES_SCRAPE_DENY" in error["message"] or "write the IPv4" in error["message"]
    r = await world.client.get(TARGETS, headers=world.operator)
    assert (await r.json())["total"] == 0


async def test_a_denied_address_is_refused_when_a_target_is_changed(world: World) -> None:
    r = await world.client.post(
        TARGETS, json={"url": "http://203.0.113.7:9400/metrics"}, headers=world.operator
    )
    assert r.status == 201, await r.text()
    path = f"{TARGETS}/{(await r.json())['id']}"
    r = await world.client.patch(
        path, json={"url": "http://[::ffff:169.254.169.254]/latest/meta-data/"},
        headers=world.operator,
    )  # fmt: skip
    assert r.status == 422
    assert "INCENTIVES_SCRAPE_DENY" in (await r.json())["errors"][0]["message"]
    r = await world.client.get(TARGETS, headers=world.operator)
    assert (await r.json())["items"][0]["url"] == "http://203.0.113.7:9400/metrics"


async def test_a_stored_target_on_any_loopback_form_is_never_connected_to(world: World) -> None:
    port = world.exporters.server.port
    assert port is not None
    ids = [await _store_target(world, url) for url in _local_forms(port)]
    outcome = await world.scrape()
    assert (outcome.claimed, outcome.failed) == (len(ids), len(ids))
    for target_id in ids:
        seen = await world.target("C1", target_id)
        assert "may not reach" in seen["last_error"] or "not an IP address" in seen["last_error"]
    assert sum(world.exporters.hits.values()) == 0  # refused before connecting


async def test_the_test_deny_list_still_lets_tests_scrape_loopback(
    world: World, database_url: str
) -> None:
    # The suite's own settings deny only link-local, so every other test may use 127.0.0.1.
    app = create_app(
        Settings(database_url=database_url, scheduler=False, scrape_deny="169.254.0.0/16")
    )
    assert app[SCRAPING].config.addresses.allows("127.0.0.1")
    assert not app[SCRAPING].config.addresses.allows("::ffff:169.254.169.254")


async def test_enabling_a_stored_target_on_a_denied_address_is_refused(world: World) -> None:
    target_id = await _store_target(world, "http://[::ffff:127.0.0.1]:9400/metrics")
    r = await world.client.patch(
        f"{TARGETS}/{target_id}", json={"enabled": True}, headers=world.operator
    )
    assert r.status == 422
    assert "INCENTIVES_SCRAPE_DENY" in (await r.json())["errors"][0]["message"]
    r = await world.client.patch(
        f"{TARGETS}/{target_id}", json={"enabled": False}, headers=world.operator
    )
    assert r.status == 200, await r.text()
