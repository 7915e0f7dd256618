"""Keys carry their holder's name; admins issue, list and revoke them over HTTP and the CLI."""

from __future__ import annotations

from typing import Any

import pytest

from service.cli import main
from tests.conftest import bearer, make_token


async def test_an_admin_issues_lists_and_revokes_a_named_key(client: Any, admin_token: str) -> None:
    h = bearer(admin_token)
    r = await client.post(
        "/api/v1/keys", json={"unit": "GOV", "role": "official", "name": "李四"}, headers=h
    )
    assert r.status == 201, await r.text()
    issued = await r.json()
    assert (issued["unit"], issued["role"], issued["name"]) == ("GOV", "official", "李四")
    official = bearer(issued["token"])

    # The holder's name is on every change the key makes.
    r = await client.patch("/api/v1/units/GOV", json={"name": "省工信厅"}, headers=official)
    assert r.status == 200, await r.text()
    r = await client.get("/api/v1/audit?object_code=GOV&object_type=unit", headers=official)
    assert (await r.json())["items"][0]["actor_name"] == "李四"

    r = await client.get("/api/v1/keys?active=true", headers=h)
    listed = await r.json()
    assert issued["key_id"] in [k["key_id"] for k in listed["items"]]
    assert "token" not in listed["items"][0]
    assert {k["name"] for k in listed["items"] if k["key_id"] == issued["key_id"]} == {"李四"}

    r = await client.post(f"/api/v1/keys/{issued['key_id']}/revoke", headers=h)
    assert r.status == 200, await r.text()
    assert (await r.json())["revoked_at"] is not None
    assert (await client.get("/api/v1/units", headers=official)).status == 401
    r = await client.get("/api/v1/keys?active=false", headers=h)
    assert [k["key_id"] for k in (await r.json())["items"]] == [issued["key_id"]]

    r = await client.get("/api/v1/audit?object_type=api_key", headers=h)
    actions = [(e["action"], e["object_code"]) for e in (await r.json())["items"]]
    assert ("create", issued["key_id"]) in actions and ("revoke", issued["key_id"]) in actions
    assert (await client.post("/api/v1/keys/nosuchkey/revoke", headers=h)).status == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"unit": "NOPE", "role": "official", "name": "某"}, "unit"),
        ({"unit": "GOV", "role": "king", "name": "某"}, "role"),
        ({"unit": "GOV", "role": "official"}, "name"),
    ],
)
async def test_a_bad_key_request_names_the_field(
    client: Any, admin_token: str, body: dict[str, str], field: str
) -> None:
    r = await client.post("/api/v1/keys", json=body, headers=bearer(admin_token))
    assert r.status == 422
    assert [e["field"] for e in (await r.json())["errors"]] == [field]


async def test_only_admins_manage_keys(client: Any, database_url: str) -> None:
    for role in ("official", "center", "buyer"):
        h = bearer(await make_token(database_url, "GOV", role))
        body = {"unit": "GOV", "role": "admin", "name": "冒名"}
        assert (await client.post("/api/v1/keys", json=body, headers=h)).status == 403, role
        assert (await client.get("/api/v1/keys", headers=h)).status == 403, role
        key_id = h["Authorization"].split("_")[1]
        assert (await client.post(f"/api/v1/keys/{key_id}/revoke", headers=h)).status == 403


def test_keys_create_takes_the_holders_name_and_list_shows_it(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--database-url", database_url]
    assert (
        main(["keys", "create", "--unit", "GOV", "--role", "official", "--name", "王五", *db]) == 0
    )
    assert main(["keys", "create", "--unit", "GOV", "--role", "admin", "--label", "赵六", *db]) == 0
    capsys.readouterr()
    assert main(["keys", "list", *db]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert any("official" in line and line.endswith("王五") for line in listed)
    assert any("admin" in line and line.endswith("赵六") for line in listed)
