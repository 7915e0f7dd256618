# ruff: noqa: E501 - the table of cases reads best one case a line
"""Attacks on registry input: look-alike digits, loose numbers, values beyond their columns."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import bearer
from tests.helpers import CREDIT, center, unit
from tests.registry.test_bad_input import h, stored_centres

__all__ = ["h"]  # the fixture, used here

ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

CASES: list[tuple[str, Any, str]] = [
    ("arabic date", center("C1", "U1", commissioned_on="2024-06-30".translate(ARABIC)), "commissioned_on"),
    ("devanagari date", center("C1", "U1", commissioned_on="2024-06-30".translate(DEVANAGARI)), "commissioned_on"),
    ("basic-format date", center("C1", "U1", commissioned_on="20240630"), "commissioned_on"),
    ("week date", center("C1", "U1", commissioned_on="2024-W26-7"), "commissioned_on"),
    ("arabic money", center("C1", "U1", costs={"equipment": "500".translate(ARABIC)}), "costs.equipment"),
    ("arabic capacity", center("C1", "U1", capacity_pflops={"FP16": "60".translate(ARABIC)}), "capacity_pflops.FP16"),
    ("underscore capacity", center("C1", "U1", capacity_pflops={"FP16": "6_0"}), "capacity_pflops.FP16"),
    ("exponent capacity", center("C1", "U1", capacity_pflops={"FP16": "6e1"}), "capacity_pflops.FP16"),
    ("huge capacity", center("C1", "U1", capacity_pflops={"FP16": "1e400"}), "capacity_pflops.FP16"),
    ("capacity 1e26", center("C1", "U1", capacity_pflops={"FP16": 10**26}), "capacity_pflops.FP16"),
    ("money 1e26", center("C1", "U1", costs={"equipment": 10**26}), "costs.equipment"),
    ("money 1,0,0", center("C1", "U1", costs={"equipment": "1,0,0"}), "costs.equipment"),
    ("money 1_000", center("C1", "U1", costs={"equipment": "1_000"}), "costs.equipment"),
    ("money 1e2", center("C1", "U1", costs={"equipment": "1e2"}), "costs.equipment"),
    ("money -0", center("C1", "U1", costs={"equipment": "-0"}), "costs.equipment"),
    ("money space", center("C1", "U1", costs={"equipment": " 5"}), "costs.equipment"),
    ("money NaN", center("C1", "U1", costs={"equipment": "NaN"}), "costs.equipment"),
    ("money Infinity", center("C1", "U1", costs={"equipment": "Infinity"}), "costs.equipment"),
    ("arabic code", center("C١", "U1"), "code"),
    ("too long name", center("C1", "U1", name="名" * 201), "name"),
    ("too long code", center("C" * 65, "U1"), "code"),
    ("too many accelerators", center("C1", "U1", accelerators=[{"model": "A100", "count": 2**31}]), "accelerators.0.count"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "body", "field"), CASES, ids=[c[0] for c in CASES])
async def test_loose_or_look_alike_input_is_a_422_naming_the_field(
    client: Any, h: dict[str, str], case: str, body: Any, field: str
) -> None:
    r = await client.post("/api/v1/computing-centers", json=body, headers=h)
    assert r.status == 422, await r.text()
    assert [e["field"] for e in (await r.json())["errors"]] == [field]
    assert await stored_centres(client, h) == 0


async def test_money_given_as_a_json_number_with_an_exponent_is_refused(
    client: Any, h: dict[str, str]
) -> None:
    body = '{"code": "C1", "unit": "U1", "name": "c", "kind": "edge", "status": "planned", "costs": {"equipment": %s}}'
    for number in ("1e26", "1E+2", "NaN", "-Infinity"):
        r = await client.post("/api/v1/computing-centers", data=body % number,
                              headers={**h, "Content-Type": "application/json"})  # fmt: skip
        assert r.status == 422, (number, await r.text())
    r = await client.post("/api/v1/computing-centers", data=body % "1200.5",
                          headers={**h, "Content-Type": "application/json"})  # fmt: skip
    assert r.status == 201, await r.text()
    assert (await r.json())["costs"] == {"equipment": "1200.50"}


async def test_full_width_input_is_folded_to_ascii(client: Any, h: dict[str, str]) -> None:
    wide = center("ＣＷ１", "U1", commissioned_on="2024-06-30".translate(FULL_WIDTH),
                  costs={"equipment": "1,000.00".translate(FULL_WIDTH)})  # fmt: skip
    r = await client.post("/api/v1/computing-centers", json=wide, headers=h)
    assert r.status == 201, await r.text()
    body = await r.json()
    assert (body["code"], body["commissioned_on"], body["costs"]) == (
        "CW1", "2024-06-30", {"equipment": "1000.00"}
    )  # fmt: skip


@pytest.mark.parametrize("translate", [ARABIC, DEVANAGARI])
async def test_a_credit_code_in_look_alike_digits_is_refused(
    client: Any, h: dict[str, str], translate: dict[int, str]
) -> None:
    r = await client.post(
        "/api/v1/units", json=unit("U2", CREDIT["U2"].translate(translate)), headers=h
    )
    assert r.status == 422, await r.text()
    [error] = (await r.json())["errors"]
    assert error["field"] == "credit_code" and "ASCII" in error["message"]
    wide = unit("U2", CREDIT["U2"].translate(FULL_WIDTH))
    r = await client.post("/api/v1/units", json=wide, headers=h)
    assert r.status == 201, await r.text()
    assert (await r.json())["credit_code"] == CREDIT["U2"]


async def test_a_band_in_look_alike_digits_is_refused(client: Any, h: dict[str, str]) -> None:
    site = {"code": "S1", "unit": "U1", "division": "大庆市", "latitude": "46.5",
            "longitude": "125.1", "status": "planned", "bands": ["n٧٨"]}  # fmt: skip
    r = await client.post("/api/v1/5g-sites", json=site, headers=h)
    assert r.status == 422, await r.text()
    assert (await r.json())["errors"][0]["field"] == "bands.0"
    r = await client.post("/api/v1/5g-sites", json=site | {"latitude": "٤٦.5"}, headers=h)
    assert r.status == 422, await r.text()


async def test_an_other_scripts_exporter_target_id_is_not_a_route(
    client: Any, h: dict[str, str]
) -> None:
    r = await client.post("/api/v1/computing-centers", json=center("C1", "U1"), headers=h)
    assert r.status == 201
    base = "/api/v1/computing-centers/C1/exporter-targets"
    r = await client.post(base, json={"url": "http://exporter.example:9400/metrics"}, headers=h)
    assert r.status == 201, await r.text()
    target = (await r.json())["id"]
    look_alike = str(target).translate(ARABIC)
    r = await client.patch(f"{base}/{look_alike}", json={"enabled": False}, headers=h)
    assert r.status in (404, 405), await r.text()
    r = await client.get(base, headers=bearer(h["Authorization"].removeprefix("Bearer ")))
    assert [t["enabled"] for t in (await r.json())["items"]] == [True]


@pytest.mark.parametrize("depth", [65, 900, 100_000])
async def test_deeply_nested_json_is_a_4xx_not_a_500(
    client: Any, h: dict[str, str], depth: int
) -> None:
    body = '{"code": ' + "[" * depth + "]" * depth + "}"
    headers = {**h, "Content-Type": "application/json"}
    for url in ("/api/v1/computing-centers", "/api/v1/telemetry", "/api/v1/invoices?buyer=U1"):
        r = await client.post(url, data=body, headers=headers)
        assert r.status in (400, 422), (url, r.status, await r.text())


async def test_a_derived_key_provider_code_longer_than_its_column_is_a_422(
    client: Any, h: dict[str, str]
) -> None:
    long = "L" * 64
    r = await client.post("/api/v1/units", json=unit(long, CREDIT["U2"]), headers=h)
    assert r.status == 201, await r.text()
    listing = {"unit": long, "listed_from": "2024-01-01"}
    r = await client.post("/api/v1/key-providers", json=listing, headers=h)
    assert r.status == 422, await r.text()
    r = await client.post("/api/v1/key-providers", json=listing | {"code": "KP1"}, headers=h)
    assert r.status == 201, await r.text()


async def test_codes_differing_only_in_case_are_not_registered_side_by_side(
    client: Any, h: dict[str, str]
) -> None:
    r = await client.post("/api/v1/computing-centers", json=center("DC-1", "U1"), headers=h)
    assert r.status == 201, await r.text()
    r = await client.post("/api/v1/computing-centers", json=center("dc-1", "U1"), headers=h)
    assert r.status == 409, await r.text()
    [error] = (await r.json())["errors"]
    assert error["field"] == "code" and "'DC-1'" in error["message"]
    r = await client.post("/api/v1/units", json=unit("u1", CREDIT["U2"]), headers=h)
    assert r.status == 409, await r.text()
    both = [center("X-1", "U1"), center("x-1", "U1")]
    r = await client.post("/api/v1/computing-centers", json=both, headers=h)
    assert r.status == 422, await r.text()
    assert [(e["index"], e["field"]) for e in (await r.json())["errors"]] == [(1, "code")]
    assert await stored_centres(client, h) == 1


async def test_a_list_longer_than_the_limit_is_a_422_naming_it(
    client: Any, h: dict[str, str]
) -> None:
    r = await client.post("/api/v1/5g-sites", json=[{}] * 10_001, headers=h)
    assert r.status == 422, await r.text()
    assert "at most 10,000" in (await r.json())["detail"]


@pytest.mark.parametrize("number", ["1e999999999", "9" * 5000, "-1e999999999"])
async def test_an_absurd_json_number_is_a_400_not_a_hang_or_a_500(
    client: Any, h: dict[str, str], number: str
) -> None:
    headers = {**h, "Content-Type": "application/json"}
    r = await client.post("/api/v1/computing-centers", json=center("C1", "U1"), headers=h)
    assert r.status == 201
    url = "http://exporter.example:9400/metrics"
    body = f'{{"url": "{url}", "interval_seconds": {number}}}'
    r = await client.post("/api/v1/computing-centers/C1/exporter-targets", data=body,
                          headers=headers)  # fmt: skip
    assert r.status == 400, await r.text()
    r = await client.post("/api/v1/sales-reports", data=f'{{"reports": [{number}]}}',
                          headers=headers)  # fmt: skip
    # Sales reports read the body as a file (JSON, CSV or XLSX): unreadable is a 422 on `body`.
    assert r.status in (403, 422), await r.text()
    if r.status == 422:
        assert (await r.json())["errors"][0]["field"] == "body"
