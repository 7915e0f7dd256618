"""A believable demo registry: centres in 哈尔滨 and 大庆, nodes, 5G sites, buyers, providers."""

from __future__ import annotations

import random
from typing import Any

from registry.credit_code import ALPHABET, check_character
from registry.fields import DIVISIONS

# Rough centre of each division, so demo sites land near the right city.
DIVISION_CENTRES = {
    "哈尔滨市": (45.80, 126.53), "齐齐哈尔市": (47.35, 123.92), "牡丹江市": (44.55, 129.63),
    "佳木斯市": (46.80, 130.32), "大庆市": (46.59, 125.10), "鸡西市": (45.30, 130.97),
    "双鸭山市": (46.65, 131.16), "伊春市": (47.73, 128.84), "七台河市": (45.77, 131.00),
    "鹤岗市": (47.35, 130.30), "黑河市": (50.25, 127.53), "绥化市": (46.65, 126.97),
    "大兴安岭地区": (52.33, 124.71),
}  # fmt: skip
DEMO_MARKER = "HRB-AI"


def credit_code(rng: random.Random, prefix: str) -> str:
    """A credit code with a valid check character: prefix, random body, check."""
    body = "".join(rng.choice(ALPHABET) for _ in range(17 - len(prefix)))
    first17 = prefix + body
    return first17 + check_character(first17)


def demo_registry(sites: int = 300, seed: int = 2023) -> dict[str, list[dict[str, Any]]]:
    """The registry sections of the demo, in the scenario vocabulary."""
    rng = random.Random(seed)

    def unit(code: str, name: str, kind: str, region: str | None, prefix: str) -> dict[str, Any]:
        return {"code": code, "name": name, "credit_code": credit_code(rng, prefix),
                "kind": kind, "region": region}  # fmt: skip

    units = [
        unit(DEMO_MARKER, "哈尔滨智算科技有限公司", "enterprise", "哈尔滨市", "91230100"),
        unit("DQ-SC", "大庆超算信息技术有限公司", "enterprise", "大庆市", "91230600"),
        unit("HLJ-IDN", "黑龙江工业互联网标识运营有限公司", "enterprise", "哈尔滨市", "91230100"),
        unit("MDJ-IDN", "牡丹江装备标识解析服务有限公司", "enterprise", "牡丹江市", "91231000"),
        unit("CM-HLJ", "移动通信黑龙江分公司", "telecom_operator", "哈尔滨市", "91230000"),
        unit("CU-HLJ", "联合通信黑龙江分公司", "telecom_operator", "哈尔滨市", "91230000"),
        unit("CT-HLJ", "电信黑龙江分公司", "telecom_operator", "哈尔滨市", "91230000"),
        unit("KP-HRB", "龙江算力服务有限公司", "compute_provider", "哈尔滨市", "91230100"),
        unit("KP-DQ", "油城云算力有限公司", "compute_provider", "大庆市", "91230600"),
        unit("UNI-HRB", "哈尔滨北方理工大学", "university", "哈尔滨市", "12230000"),
        unit("INST-AGRI", "黑龙江寒地农业科学研究所", "research_institute", "哈尔滨市", "12230100"),
        unit("ENT-DQ", "大庆石化智能装备有限公司", "enterprise", "大庆市", "91230600"),
        unit("ENT-QQHR", "齐齐哈尔重装数字科技有限公司", "enterprise", "齐齐哈尔市", "91230200"),
        unit("ENT-SH", "上海某模型科技有限公司", "enterprise", None, "91310000"),
    ]
    centers: list[dict[str, Any]] = [
        {"code": "HRB-AI-01", "unit": DEMO_MARKER, "name": "哈尔滨人工智能计算中心一期",
         "kind": "intelligent", "region": "哈尔滨市", "capacity_pflops": {"FP16": "100"},
         "status": "operational", "commissioned_on": "2024-06-30",
         "costs": {"equipment": "52000000", "software": "8000000", "civil_works": "30000000"},
         "accelerators": [{"model": "ASCEND-910B", "count": 320}]},
        {"code": "HRB-AI-02", "unit": DEMO_MARKER, "name": "哈尔滨人工智能计算中心二期",
         "kind": "intelligent", "region": "哈尔滨市", "capacity_pflops": {"FP16": "200"},
         "status": "under_construction",
         "costs": {"equipment": "90000000", "software": "12000000"}},
        {"code": "DQ-SC-01", "unit": "DQ-SC", "name": "大庆超算中心",
         "kind": "supercomputing", "region": "大庆市",
         "capacity_pflops": {"FP64": "55", "FP16": "700"}, "status": "operational",
         "commissioned_on": "2025-03-15",
         "costs": {"equipment": "45000000", "software": "6000000", "other": "4000000"},
         "accelerators": [{"model": "MI300X", "count": 680}]},
        {"code": "DQ-EDGE-01", "unit": "DQ-SC", "name": "大庆油田边缘计算节点",
         "kind": "edge", "region": "大庆市", "capacity_pflops": {"FP16": "8"},
         "status": "operational", "commissioned_on": "2024-11-01",
         "costs": {"equipment": "6000000"}},
    ]  # fmt: skip
    nodes: list[dict[str, Any]] = [
        {"code": "IDN-HLJ-EQ", "unit": "HLJ-IDN", "name": "装备制造行业二级节点",
         "industry": "装备制造", "region": "哈尔滨市", "status": "operational",
         "connected_on": "2024-05-20"},
        {"code": "IDN-HLJ-FOOD", "unit": "HLJ-IDN", "name": "食品行业二级节点",
         "industry": "食品", "region": "哈尔滨市", "status": "operational",
         "connected_on": "2025-01-10"},
        {"code": "IDN-MDJ-01", "unit": "MDJ-IDN", "name": "牡丹江综合型二级节点",
         "industry": "综合", "region": "牡丹江市", "status": "under_construction"},
    ]  # fmt: skip
    listings: list[dict[str, Any]] = [
        {"unit": "KP-HRB", "listed_from": "2024-01-01"},
        {"unit": "KP-DQ", "listed_from": "2024-07-01"},
    ]
    return {
        "units": units,
        "key_providers": listings,
        "computing_centers": centers,
        "identifier_nodes": nodes,
        "five_g_sites": demo_sites(rng, sites),
    }


def demo_sites(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """5G sites spread over the 13 divisions, weighted towards the big cities."""
    operators = ["CM-HLJ", "CU-HLJ", "CT-HLJ"]
    weights = [30, 8, 6, 6, 12, 4, 3, 3, 2, 3, 3, 5, 1]
    statuses = ["operational"] * 8 + ["under_construction", "planned"]
    sites = []
    for i in range(count):
        division = rng.choices(DIVISIONS, weights)[0]
        lat, lon = DIVISION_CENTRES[division]
        status = rng.choice(statuses)
        sites.append(
            {
                "code": f"5G-{i + 1:06d}",
                "unit": operators[i % 3],
                "division": division,
                "latitude": f"{lat + rng.uniform(-0.4, 0.4):.6f}",
                "longitude": f"{lon + rng.uniform(-0.4, 0.4):.6f}",
                "bands": rng.choice([["n41"], ["n78"], ["n28", "n41"], ["n1", "n78"]]),
                "status": status,
                "opened_on": f"{rng.choice([2023, 2024, 2025])}-{rng.randint(1, 12):02d}-01"
                if status == "operational"
                else None,
            }
        )
    return sites


DEMO_TOKENS = (
    ("GOV", "admin"),
    ("GOV", "official"),
    (DEMO_MARKER, "center"),
    ("HLJ-IDN", "node"),
    ("CM-HLJ", "operator"),
    ("UNI-HRB", "buyer"),
    ("KP-HRB", "provider"),
)
