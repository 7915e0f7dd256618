"""ops/ against the real Prometheus: promtool accepts the files; a scrape reads capacity back."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import bearer, load_registry
from tests.helpers import CREDIT
from tests.server_process import ServerProcess, free_port

OPS = Path(__file__).resolve().parents[1] / "ops"
needs_promtool = pytest.mark.skipif(
    shutil.which("promtool") is None, reason="Debian's prometheus package is not installed"
)
needs_prometheus = pytest.mark.skipif(
    shutil.which("prometheus") is None, reason="Debian's prometheus package is not installed"
)


@needs_promtool
def test_promtool_accepts_the_config_and_the_rules(tmp_path: Path) -> None:
    # check config also checks the rule files it names, relative to the config's folder.
    for args in (["check", "config", "prometheus.yml"], ["check", "rules", "alerts.yml"]):
        done = subprocess.run(
            ["promtool", *args], cwd=OPS, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stdout + done.stderr


def _query(base: str, expr: str) -> list[Any]:
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=5) as answer:
        body = json.load(answer)
    assert body["status"] == "success", body
    return body["data"]["result"]  # type: ignore[no-any-return]


def _prometheus_config(tmp_path: Path, service_port: int) -> Path:
    """ops/prometheus.yml as shipped, pointed at the test's service and scraping every second."""
    config = yaml.safe_load((OPS / "prometheus.yml").read_text(encoding="utf-8"))
    config["global"]["scrape_interval"] = "1s"
    config["global"]["evaluation_interval"] = "1s"
    config["rule_files"] = [str(OPS / name) for name in config["rule_files"]]
    for job in config["scrape_configs"]:
        for static in job["static_configs"]:
            static["targets"] = [f"127.0.0.1:{service_port}"]
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@needs_prometheus
def test_prometheus_scrapes_the_declared_capacity(database_url: str, tmp_path: Path) -> None:
    asyncio.run(load_registry(
        database_url,
        {
            "units": [
                {"code": "U1", "name": "哈尔滨智算", "credit_code": CREDIT["U1"],
                 "kind": "enterprise", "region": "哈尔滨市"},
            ],
            "computing_centers": [
                {"code": "C1", "unit": "U1", "name": "哈尔滨智算中心", "kind": "intelligent",
                 "capacity_pflops": {"FP16": "60.5", "FP64": "2"}, "status": "operational",
                 "commissioned_on": "2024-06-30", "costs": {"equipment": "1000"}},
            ],
        },
    ))  # fmt: skip
    service = ServerProcess(database_url, tmp_path / "service.log")
    service.start()
    prom_port = free_port()
    with (tmp_path / "prometheus.log").open("wb") as log:  # the child keeps its own copy
        prometheus = subprocess.Popen(
            [
                "prometheus",
                f"--config.file={_prometheus_config(tmp_path, service.port)}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{prom_port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    base = f"http://127.0.0.1:{prom_port}"
    expr = 'sum(incentives_declared_capacity_pflops{kind="intelligent",precision="FP16"})'
    found: list[Any] = []
    try:
        deadline = time.monotonic() + 60
        while not found and time.monotonic() < deadline:
            assert prometheus.poll() is None, (tmp_path / "prometheus.log").read_text()[-2000:]
            with contextlib.suppress(OSError):  # not listening yet
                found = _query(base, expr)
            if not found:
                time.sleep(0.5)
        assert found, "Prometheus never returned the capacity metric"
        assert found[0]["value"][1] == "60.5"
        up = _query(base, 'up{job="infra-incentives"}')
        assert [r["value"][1] for r in up] == ["1"]
    finally:
        prometheus.terminate()
        try:
            prometheus.wait(timeout=20)
        except subprocess.TimeoutExpired:
            prometheus.kill()
        service.stop()


def _dashboard_exprs() -> list[str]:
    dashboard = json.loads((OPS / "grafana" / "infra-incentives.json").read_text("utf-8"))
    return [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]


@needs_promtool
def test_every_dashboard_query_is_valid_promql(tmp_path: Path) -> None:
    # promtool parses recording rules: each panel's query becomes one, so a typo fails here.
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"dashboard:panel_{i}", "expr": expr}
                    for i, expr in enumerate(_dashboard_exprs())
                ],
            }
        ]
    }
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    done = subprocess.run(
        ["promtool", "check", "rules", str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


async def test_the_dashboard_uses_exported_metrics(client: Any, admin_token: str) -> None:
    await client.get("/api/v1/units", headers=bearer(admin_token))
    exposition = await (await client.get("/metrics")).text()
    exported = set(re.findall(r"^# TYPE (\w+) ", exposition, re.M))
    used = {
        name.removesuffix("_bucket")
        for expr in _dashboard_exprs()
        for name in re.findall(r"\bincentives_\w+", expr)
    }
    assert used and used - exported == set()
