"""The workbench's words in Chinese and English; Chinese is the default for pages."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from aiohttp import web


class Lang(StrEnum):
    """A language of the pages."""

    ZH = "zh"
    EN = "en"


LANG_COOKIE = "lang"

# key -> (中文, English). Page words only; domain values (reasons, statuses) have their own.
# Each group of pages keeps its words in a module of its own and adds it to BOOKS below.
CORE_WORDS: Mapping[str, tuple[str, str]] = {
    "app": ("黑龙江省数字基础设施奖补系统", "Heilongjiang digital-infrastructure incentives"),
    "app_short": ("数字基础设施奖补", "Infrastructure incentives"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "token": ("访问令牌", "Access token"),
    "token_help": (
        "请输入管理员为您签发的访问令牌（以 ii_ 开头）。",
        "Enter the access token an administrator issued to you (it starts with ii_).",
    ),
    "bad_token": ("令牌无效或已吊销。", "The token is unknown or revoked."),
    "bad_form": (
        "表单已过期，请重新提交。",
        "The form has expired; please submit it again.",
    ),
    "signed_in_as": ("当前用户", "Signed in as"),
    "dashboard": ("总览", "Dashboard"),
    "registry": ("登记信息", "Registry"),
    "audit": ("审计日志", "Audit log"),
    "reconciliation": ("对账差异", "Reconciliation"),
    "my_unit": ("本单位", "My unit"),
    "notice": ("公示", "Public notice"),
    "units": ("单位", "Units"),
    "computing-centers": ("算力中心", "Computing centres"),
    "identifier-nodes": ("标识解析二级节点", "Identifier nodes"),
    "5g-sites": ("5G 基站", "5G sites"),
    "key-providers": ("重点算力服务商", "Key providers"),
    "filter": ("筛选", "Filter"),
    "all": ("全部", "All"),
    "code": ("编码", "Code"),
    "name": ("名称", "Name"),
    "unit": ("单位", "Unit"),
    "kind": ("类型", "Kind"),
    "region": ("地区", "Region"),
    "division": ("地市", "Division"),
    "status": ("状态", "Status"),
    "credit_code": ("统一社会信用代码", "Credit code"),
    "capacity": ("算力 (PFLOPS)", "Capacity (PFLOPS)"),
    "attested": ("核验算力", "Attested"),
    "declared": ("申报算力", "Declared"),
    "commissioned_on": ("投运日期", "Commissioned"),
    "connected_on": ("接入日期", "Connected"),
    "industry": ("行业", "Industry"),
    "bands": ("频段", "Bands"),
    "opened_on": ("开通日期", "Opened"),
    "listed_from": ("列入日期", "Listed from"),
    "listed_until": ("移出日期", "Listed until"),
    "costs": ("建设费用（元）", "Costs (CNY)"),
    "verified": ("已核实", "Verified"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "previous": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "of_total": ("共 {total} 条", "{total} in all"),
    "nothing": ("暂无数据。", "Nothing to show."),
    "time": ("时间", "Time"),
    "actor": ("操作人", "Actor"),
    "action": ("操作", "Action"),
    "object": ("对象", "Object"),
    "request": ("请求", "Request"),
    "capacity_by_division": ("各地市在运算力（FP16）", "Operational capacity by division (FP16)"),
    "capacity_by_kind": ("按类型与精度的在运算力", "Operational capacity by kind and precision"),
    "declared_vs_attested": ("申报与核验算力对比", "Declared against attested capacity"),
    "sites_by_division": ("各地市 5G 基站", "5G sites by division"),
    "invoices_by_month": ("每月上传发票金额（万元）", "Invoices uploaded per month (10k CNY)"),
    "telemetry_by_day": ("每日遥测样本", "Telemetry samples per day"),
    "units_total": ("登记单位", "Units"),
    "centers_total": ("算力中心", "Computing centres"),
    "fp16_total": ("在运算力 FP16 (P)", "Operational FP16 (P)"),
    "fp64_total": ("在运算力 FP64 (P)", "Operational FP64 (P)"),
    "nodes_total": ("二级节点", "Identifier nodes"),
    "sites_total": ("5G 基站", "5G sites"),
    "invoices_total": ("发票金额（元）", "Invoices (CNY)"),
    "flagged": ("待复核", "Flagged"),
    "mismatch": ("差异", "Mismatch"),
    "number": ("发票号码", "Invoice number"),
    "amount": ("金额（元）", "Amount (CNY)"),
    "buyer": ("购买方", "Buyer"),
    "seller": ("销售方", "Seller"),
    "issued_on": ("开票日期", "Issued on"),
    "language": ("English", "中文"),
    "forbidden": ("此页面仅供省级主管部门使用。", "This page is for officials only."),
    "year": ("年度", "Year"),
    "count": ("数量", "Count"),
}

# The domain's own values (kinds, statuses, roles, …) as people read them.
VALUES: Mapping[str, tuple[str, str]] = {
    "university": ("高校", "university"),
    "research_institute": ("科研院所", "research institute"),
    "enterprise": ("企业", "enterprise"),
    "compute_provider": ("算力服务商", "compute provider"),
    "telecom_operator": ("电信运营商", "telecom operator"),
    "government": ("政府部门", "government"),
    "intelligent": ("智算中心", "intelligent computing"),
    "supercomputing": ("超算中心", "supercomputing"),
    "general": ("通用数据中心", "general"),
    "edge": ("边缘计算", "edge"),
    "planned": ("规划中", "planned"),
    "under_construction": ("在建", "under construction"),
    "operational": ("在运", "operational"),
    "decommissioned": ("已退役", "decommissioned"),
    "equipment": ("设备", "equipment"),
    "software": ("软件", "software"),
    "civil_works": ("土建", "civil works"),
    "other": ("其他", "other"),
    "admin": ("管理员", "admin"),
    "official": ("主管部门", "official"),
    "center": ("算力中心", "centre"),
    "node": ("节点建设单位", "node operator"),
    "operator": ("运营商", "operator"),
    "buyer": ("购买方", "buyer"),
    "provider": ("服务商", "provider"),
    "amount_differs": ("金额不一致", "amount differs"),
    "invoice_unknown_to_buyer": ("购买方未上传", "not uploaded by the buyer"),
    "seller_not_listed": ("销售方不在名单内", "seller not listed"),
    "seller_differs": ("销售方不一致", "seller differs"),
}


def choose_lang(request: web.Request) -> Lang:
    """?lang= wins, then the cookie; pages default to Chinese."""
    for value in (request.query.get("lang"), request.cookies.get(LANG_COOKIE)):
        if value in (Lang.ZH, Lang.EN):
            return Lang(value)
    return Lang.ZH


def translator(lang: Lang) -> Translate:
    """A function from a word's key to its text in one language."""
    return Translate(lang)


BOOKS: tuple[Mapping[str, tuple[str, str]], ...] = (CORE_WORDS, VALUES)
WORDS: Mapping[str, tuple[str, str]] = {k: v for book in BOOKS for k, v in book.items()}


class Translate:
    """`_("key", total=3)`: the word in the page's language, with its fields filled."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        self._index = 0 if lang is Lang.ZH else 1

    def __call__(self, key: str, **fields: object) -> str:
        pair = WORDS.get(key)
        text = key if pair is None else pair[self._index]
        return text.format(**fields) if fields else text
