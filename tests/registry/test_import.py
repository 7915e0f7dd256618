"""`import registry FILE`: a scenario's registry part or a 5G-site CSV, all or nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import bearer

SHARED = Path(__file__).resolve().parents[1] / "scenarios"


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real command line against a database."""
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args, "--database-url", database_url],
        capture_output=True,
        text=True,
        timeout=120,
    )


SITES_HEADER = "站点编码,运营商,地市,纬度,经度,频段,状态,开通日期\n"


def test_a_scenario_file_imports_as_it_is(database_url: str) -> None:
    result = cli(database_url, "import", "registry", str(SHARED / "overlap-top-up.yaml"))
    assert result.returncode == 0, result.stderr
    assert "4 units, 1 key_providers, 1 computing_centers, 1 identifier_nodes" in result.stdout
    again = cli(database_url, "import", "registry", str(SHARED / "overlap-top-up.yaml"))
    assert again.returncode == 2
    assert "units[0].code: 'U1' is already registered" in again.stderr


def test_a_sites_csv_with_bad_rows_names_each_row_and_stores_nothing(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(
        SITES_HEADER
        + "S1,GOV,哈尔滨市,45.8,126.5,n41;n78,operational,2024-05-01\n"
        + "S2,GOV,北京市,45.8,126.5,n41,operational,2024-05-01\n"
        + "S3,GOV,大庆市,46.5,200,n41,operational,2024-13-01\n"
        + "S1,NOPE,大庆市,46.5,125.1,n41,planned,\n",
        encoding="utf-8",
    )
    result = cli(database_url, "import", "registry", str(path))
    assert result.returncode == 2
    assert "row 3: division" in result.stderr
    assert "row 4: longitude" in result.stderr
    assert "row 4: opened_on" in result.stderr
    path.write_text(
        SITES_HEADER
        + "S1,GOV,哈尔滨市,45.8,126.5,n41;n78,operational,2024-05-01\n"
        + "S1,NOPE,大庆市,46.5,125.1,n41,planned,\n",
        encoding="utf-8",
    )
    result = cli(database_url, "import", "registry", str(path))
    assert result.returncode == 2
    assert "row 3: unit: unknown unit 'NOPE'" in result.stderr
    assert "row 3: code: 'S1' appears twice" in result.stderr


async def test_imported_sites_are_served_and_audited(
    client: Any, admin_token: str, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "sites.csv"
    rows = [f"S{i},GOV,绥化市,46.6,126.9,n78,operational,2024-05-01\n" for i in range(50)]
    path.write_text(SITES_HEADER + "".join(rows), encoding="utf-8")
    result = cli(database_url, "import", "registry", str(path))
    assert result.returncode == 0, result.stderr
    h = bearer(admin_token)
    page = await (await client.get("/api/v1/5g-sites?region=绥化市&limit=10", headers=h)).json()
    assert page["total"] == 50
    assert len(page["items"]) == 10
    assert page["items"][0]["bands"] == ["n78"]
    audit = await (await client.get("/api/v1/audit?object_type=five_g_site", headers=h)).json()
    assert audit["total"] == 50


def test_keys_create_prints_the_token_alone_on_its_last_line(database_url: str) -> None:
    result = cli(database_url, "keys", "create", "--unit", "GOV", "--role", "official")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("ii_") and " " not in token
    listed = cli(database_url, "keys", "list")
    key_id = token.split("_")[1]
    assert key_id in listed.stdout and "active" in listed.stdout
    assert cli(database_url, "keys", "revoke", key_id).returncode == 0
    assert "revoked" in cli(database_url, "keys", "list").stdout
    bad = cli(database_url, "keys", "create", "--unit", "NOPE", "--role", "buyer")
    assert bad.returncode == 2
    assert "unknown unit 'NOPE'" in bad.stderr


@pytest.mark.parametrize("name", ["INCENTIVES_PORT", "INCENTIVES_DATABASE_URL"])
def test_a_bad_setting_stops_the_service_naming_it(name: str, tmp_path: Path) -> None:
    env = (
        {"INCENTIVES_PORT": "70000"}
        if name == "INCENTIVES_PORT"
        else {"INCENTIVES_DATABASE_URL": "mysql://x"}
    )
    import os

    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "serve"],
        capture_output=True, text=True, timeout=60, env={**os.environ, **env}, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert name in result.stderr
