"""A centre cannot aim the scraper at loopback or link-local addresses (cloud metadata)."""

from __future__ import annotations

import pytest

from collectors.scraping.networks import (
    DEFAULT_DENIED,
    AddressPolicy,
    AddressRefused,
    parse_networks,
)
from service.settings import Settings
from tests.scraping.conftest import World

DEFAULT = AddressPolicy(parse_networks(DEFAULT_DENIED))


@pytest.mark.parametrize(
    ("address", "allowed"),
    [("127.0.0.1", False), ("::1", False), ("169.254.169.254", False), ("fe80::1", False),
     ("0.0.0.0", False), ("10.20.30.40", True), ("192.168.1.5", True), ("203.0.113.7", True)],
)  # fmt: skip
def test_the_default_policy_refuses_loopback_and_link_local(address: str, allowed: bool) -> None:
    assert DEFAULT.allows(address) is allowed


def test_an_ip_literal_host_is_checked_before_any_connection() -> None:
    with pytest.raises(AddressRefused):
        DEFAULT.check_literal("169.254.169.254")
    with pytest.raises(AddressRefused):
        DEFAULT.check_literal("[::1]")
    DEFAULT.check_literal("exporter.example")  # a name is checked when it resolves


def test_a_bad_deny_list_stops_the_service_naming_the_setting() -> None:
    with pytest.raises(ValueError, match="scrape_deny"):
        Settings(scrape_deny="10.0.0.0/33")


@pytest.fixture
def settings(database_url: str) -> Settings:
    """A deployment's settings: the default deny list, loopback included."""
    return Settings(database_url=database_url, scheduler=False)


async def test_a_target_on_a_denied_address_fails_without_a_connection(world: World) -> None:
    literal = await world.add_target("C1", "/file/dcgm.txt")  # the test server is on 127.0.0.1
    await world.scrape()
    seen = await world.target("C1", literal["id"])
    assert seen["failure_count"] == 1
    assert "not one the scraper may reach" in seen["last_error"]
    assert world.exporters.hits["/file/dcgm.txt"] == 0  # refused before connecting


async def test_a_name_resolving_to_a_denied_address_is_refused(world: World) -> None:
    port = world.exporters.url("/file/dcgm.txt").split(":")[2].split("/")[0]
    r = await world.client.post(
        "/api/v1/computing-centers/C1/exporter-targets",
        json={"url": f"http://localhost:{port}/file/dcgm.txt", "interval_seconds": 60},
        headers=world.operator,
    )
    assert r.status == 201, await r.text()
    await world.scrape()
    seen = await world.target("C1", (await r.json())["id"])
    assert seen["failure_count"] == 1
    assert "may not reach" in seen["last_error"]
    assert world.exporters.hits["/file/dcgm.txt"] == 0
