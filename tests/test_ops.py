"""ops/: the alert rules refer only to metrics the service really exports."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import bearer

OPS = Path(__file__).resolve().parents[1] / "ops"


async def test_alert_rules_use_exported_metrics(client: Any, admin_token: str) -> None:
    await client.get("/api/v1/units", headers=bearer(admin_token))  # one request to count
    exposition = await (await client.get("/metrics")).text()
    exported = set(re.findall(r"^# TYPE (\w+) ", exposition, re.M))
    rules = yaml.safe_load((OPS / "alerts.yml").read_text(encoding="utf-8"))
    used = set()
    for group in rules["groups"]:
        for rule in group["rules"]:
            assert {"alert", "expr", "labels", "annotations"} <= set(rule), rule
            names = re.findall(r"\bincentives_\w+", rule["expr"])
            used |= {name.removesuffix("_bucket") for name in names}
    assert used, "no rule uses a service metric"
    assert used - exported == set()


def test_prometheus_config_loads_the_rules() -> None:
    config = yaml.safe_load((OPS / "prometheus.yml").read_text(encoding="utf-8"))
    assert "alerts.yml" in config["rule_files"]
    assert config["scrape_configs"][0]["metrics_path"] == "/metrics"
