# ruff: noqa: E501 - the corpus reads best one request a line
"""Every message a person reads comes in Chinese when asked for (zh-CN) and stays English otherwise."""

from __future__ import annotations

import io
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from service.cli import main as cli_main
from service.messages import BOOKS, CATALOGUE, cli_zh
from service.messages.catalogue import NESTED, NOUNED, NUMERIC, placeholders
from service.messages.common_zh import CLI
from service.messages.coverage import known, messages
from service.messages.lang import Language, from_accept_language, from_environment
from service.messages.pydantic_zh import BY_TYPE
from service.settings import Settings
from tests.conftest import bearer, load_registry, make_token
from tests.helpers import CREDIT, center, unit

CJK = re.compile(r"[\u3400-\u9fff]")
# Three English words in a row, once quoted values are taken out: an English sentence left over.
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,} [a-z]{2,} [a-z]{2,}\b")
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”")
HEADER_ZH = "发票号码,购买方统一社会信用代码,销售方统一社会信用代码,开票日期,价税合计,发票类型,被冲红发票号码"
B1, P1 = CREDIT["B4"], CREDIT["P1"]


@pytest.fixture
def settings(database_url: str) -> Settings:
    """A 1 MiB body limit, so that a 413 is cheap to provoke."""
    return Settings(database_url=database_url, scheduler=False, max_body_mb=1)


@dataclass(frozen=True)
class Case:
    """One bad request: who sends what where, and the status it must get."""

    name: str
    method: str
    path: str
    who: str | None
    status: int
    json: Any = None
    data: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def csv(*lines: str, header: str = HEADER_ZH) -> bytes:
    """An invoice file as a finance office exports it."""
    return ("\n".join([header, *lines]) + "\n").encode()


TEXT = {"Content-Type": "text/plain"}
CSV = {"Content-Type": "text/csv"}
CORPUS: list[Case] = [
    # 401, 403, 404, 405, 409, 413, 415
    Case("no token", "GET", "/api/v1/units", None, 401),
    Case("revoked or unknown token", "GET", "/api/v1/units", "bogus", 401),
    Case("buyer creates a unit", "POST", "/api/v1/units", "b1", 403, json=unit("X1", CREDIT["D1"])),
    Case(
        "centre of another unit",
        "PATCH",
        "/api/v1/computing-centers/C1",
        "center_u2",
        404,
        json={"name": "x"},
    ),
    Case("no such unit", "GET", "/api/v1/units/NOPE", "admin", 404),
    Case(
        "no such centre",
        "PATCH",
        "/api/v1/computing-centers/NOPE",
        "admin",
        404,
        json={"name": "x"},
    ),
    Case("no such route", "GET", "/api/v1/nothing-here", "admin", 404),
    Case("method not allowed", "PUT", "/api/v1/units", "admin", 405, json={}),
    Case("duplicate unit", "POST", "/api/v1/units", "admin", 409, json=unit("U1", CREDIT["U1"])),
    Case("unit with dependents", "DELETE", "/api/v1/units/U1", "admin", 409),
    Case(
        "body over the limit",
        "POST",
        "/api/v1/units",
        "admin",
        413,
        data=b"[" + b" " * (1024 * 1024 + 10) + b"]",
        headers={"Content-Type": "application/json"},
    ),
    Case("text to a JSON route", "POST", "/api/v1/units", "admin", 415, data=b"{}", headers=TEXT),
    # 400: unreadable bodies and queries
    Case(
        "empty body",
        "POST",
        "/api/v1/units",
        "admin",
        400,
        data=b"",
        headers={"Content-Type": "application/json"},
    ),
    Case(
        "malformed JSON",
        "POST",
        "/api/v1/units",
        "admin",
        400,
        data=b'{"code": ',
        headers={"Content-Type": "application/json"},
    ),
    Case(
        "body not UTF-8",
        "POST",
        "/api/v1/units",
        "admin",
        400,
        data=b'{"code": "\xff"}',
        headers={"Content-Type": "application/json"},
    ),
    Case("bad query", "GET", "/api/v1/units?limit=abc", "admin", 400),
    Case("unknown query parameter", "GET", "/api/v1/units?colour=red", "admin", 400),
    # 422: registry create with every kind of bad field
    Case(
        "unit: bad credit code check",
        "POST",
        "/api/v1/units",
        "admin",
        422,
        json=unit("X1", CREDIT["D1"][:-1] + "0"),
    ),
    Case("unit: short credit code", "POST", "/api/v1/units", "admin", 422, json=unit("X1", "9123")),
    Case(
        "unit: unknown kind",
        "POST",
        "/api/v1/units",
        "admin",
        422,
        json=unit("X1", CREDIT["D1"], kind="quantum"),
    ),
    Case(
        "unit: missing name, extra field",
        "POST",
        "/api/v1/units",
        "admin",
        422,
        json={"code": "X1", "credit_code": CREDIT["D1"], "kind": "enterprise", "colour": "red"},
    ),
    Case(
        "unit: long code", "POST", "/api/v1/units", "admin", 422, json=unit("X" * 80, CREDIT["D1"])
    ),
    Case(
        "unit: code wrong type", "POST", "/api/v1/units", "admin", 422, json=unit(123, CREDIT["D1"])
    ),  # type: ignore[arg-type]
    Case(
        "unit: duplicate in a list",
        "POST",
        "/api/v1/units",
        "admin",
        422,
        json=[unit("X1", CREDIT["D1"]), unit("X1", CREDIT["D2"])],
    ),
    Case("unit: empty list", "POST", "/api/v1/units", "admin", 422, json=[]),
    Case(
        "centre: unknown unit",
        "POST",
        "/api/v1/computing-centers",
        "admin",
        422,
        json=center("C9", "NOPE"),
    ),
    Case(
        "centre: bad date",
        "POST",
        "/api/v1/computing-centers",
        "admin",
        422,
        json=center("C9", "U1", commissioned_on="2024-02-30"),
    ),
    Case(
        "centre: date format",
        "POST",
        "/api/v1/computing-centers",
        "admin",
        422,
        json=center("C9", "U1", commissioned_on="30.02.2024"),
    ),
    Case(
        "centre: boolean capacity",
        "POST",
        "/api/v1/computing-centers",
        "admin",
        422,
        json=center("C9", "U1", capacity_pflops={"FP16": True}),
    ),
    Case(
        "centre: unknown precision",
        "POST",
        "/api/v1/computing-centers",
        "admin",
        422,
        json=center("C9", "U1", capacity_pflops={"FP8": "60"}),
    ),
    Case(
        "centre: fraction of a fen",
        "POST",
        "/api/v1/computing-centers",
        "admin",
        422,
        json=center("C9", "U1", costs={"equipment": "1.005"}),
    ),
    Case(
        "centre: negative money",
        "POST",
        "/api/v1/computing-centers",
        "admin",
        422,
        json=center("C9", "U1", costs={"equipment": "-1"}),
    ),
    Case(
        "centre: boolean money",
        "POST",
        "/api/v1/computing-centers",
        "admin",
        422,
        json=center("C9", "U1", costs={"equipment": True}),
    ),
    Case(
        "centre: not an amount",
        "POST",
        "/api/v1/computing-centers",
        "admin",
        422,
        json=center("C9", "U1", costs={"equipment": "lots"}),
    ),
    Case(
        "centre: operational without date",
        "POST",
        "/api/v1/computing-centers",
        "admin",
        422,
        json=center("C9", "U1", commissioned_on=None),
    ),
    Case(
        "centre: unknown accelerator",
        "POST",
        "/api/v1/computing-centers",
        "admin",
        422,
        json=center("C9", "U1", accelerators=[{"model": "X9", "count": 1}]),
    ),
    Case(
        "centre: bad code",
        "POST",
        "/api/v1/computing-centers",
        "admin",
        422,
        json=center("C 9", "U1"),
    ),
    Case(
        "centre: bad division",
        "POST",
        "/api/v1/computing-centers",
        "admin",
        422,
        json=center("C9", "U1", division="北京"),
    ),
    Case(
        "patch: bad fields",
        "PATCH",
        "/api/v1/computing-centers/C1",
        "admin",
        422,
        json={"kind": "quantum", "commissioned_on": "soon", "colour": 1},
    ),
    Case(
        "node: unknown unit",
        "POST",
        "/api/v1/identifier-nodes",
        "admin",
        422,
        json={"code": "N1", "unit": "NOPE"},
    ),
    Case(
        "5G site: bad fields",
        "POST",
        "/api/v1/5g-sites",
        "admin",
        422,
        json={"code": "S1", "unit": "NOPE", "division": "x"},
    ),
    Case(
        "listing: dates reversed",
        "POST",
        "/api/v1/key-providers",
        "admin",
        422,
        json={"unit": "P1", "listed_from": "2025-01-01", "listed_until": "2024-01-01"},
    ),
    Case(
        "key: unknown role and unit",
        "POST",
        "/api/v1/keys",
        "admin",
        422,
        json={"unit": "NOPE", "role": "king"},
    ),
    # 5G-site files
    Case("5G file: empty", "POST", "/api/v1/5g-sites/import", "admin", 422, data=b"", headers=CSV),
    Case(
        "5G file: missing column",
        "POST",
        "/api/v1/5g-sites/import",
        "admin",
        422,
        data=b"name\nx\n",
        headers=CSV,
    ),
    Case(
        "5G file: header only",
        "POST",
        "/api/v1/5g-sites/import",
        "admin",
        422,
        data=b"code,unit,division\n",
        headers=CSV,
    ),
    # invoices
    Case(
        "invoices: bad rows",
        "POST",
        "/api/v1/invoices",
        "b1",
        422,
        data=csv(
            f"2523000000000000000X,{B1},{P1},2025-02-30,-5,紫字,",
            f"25230000000000000002,{B1},{P1[:-1]}0,2099-01-01,1.005,红字,",
            f"25230000000000000002,{B1},{P1},2025-03-01,100,蓝字,",
        ),
        headers=CSV,
    ),
    Case(
        "invoices: missing column",
        "POST",
        "/api/v1/invoices",
        "b1",
        422,
        data=csv(
            f"{B1},{P1},2025-03-01,100",
            header="购买方统一社会信用代码,销售方统一社会信用代码,开票日期,价税合计",
        ),
        headers=CSV,
    ),
    Case("invoices: empty file", "POST", "/api/v1/invoices", "b1", 400, data=b"", headers=CSV),
    Case(
        "invoices: wrong media",
        "POST",
        "/api/v1/invoices",
        "b1",
        415,
        data=b"x",
        headers={"Content-Type": "image/png"},
    ),
    Case(
        "invoices: JSON items",
        "POST",
        "/api/v1/invoices",
        "b1",
        422,
        json={
            "invoices": [
                {
                    "number": 25230000000000000001,
                    "buyer": B1,
                    "seller": P1,
                    "issued_on": "2025-03-01",
                    "amount": "1",
                    "colour": 1,
                }
            ]
        },
    ),
    Case("invoices: not a list", "POST", "/api/v1/invoices", "b1", 422, json={"invoices": "x"}),
    Case(
        "invoices: a provider uploads",
        "POST",
        "/api/v1/invoices",
        "p1",
        403,
        data=csv(f"25230000000000000001,{B1},{P1},2025-03-01,100,蓝字,"),
    ),
    # sales reports
    Case(
        "sales: bad reports",
        "POST",
        "/api/v1/sales-reports",
        "p1",
        422,
        json={
            "reports": [
                {
                    "number": "1",
                    "buyer": "x",
                    "issued_on": "2025-13-01",
                    "amount": "0",
                    "accelerator_hours": 1.5,
                },
                {
                    "number": "25230000000000000001",
                    "buyer": B1,
                    "issued_on": "2025-03-01",
                    "amount": "100.00",
                    "accelerator_hours": "10",
                    "seller": CREDIT["P2"],
                },
            ]
        },
    ),
    Case("sales: not reports", "POST", "/api/v1/sales-reports", "p1", 422, json={"reports": []}),
    Case(
        "sales: a buyer reports", "POST", "/api/v1/sales-reports", "b1", 403, json={"reports": []}
    ),
    # telemetry
    Case(
        "telemetry: bad samples",
        "POST",
        "/api/v1/telemetry",
        "center_u1",
        422,
        json={
            "samples": [
                {"facility": "NOPE", "metric": "m", "value": 1},
                {"facility": "C1", "metric": "", "value": "x", "time": "yesterday"},
                {"facility": "C1", "metric": "m", "value": 1, "time": "2025-03-01T08:00:00"},
            ]
        },
    ),
    Case(
        "telemetry: another unit's centre, as an unknown one",
        "POST",
        "/api/v1/telemetry",
        "center_u2",
        422,
        json={"samples": [{"facility": "C1", "metric": "m", "value": 1}]},
    ),
    Case(
        "telemetry: a buyer pushes",
        "POST",
        "/api/v1/telemetry",
        "b1",
        403,
        json={"samples": [{"facility": "C1", "metric": "m", "value": 1}]},
    ),
    Case("telemetry: bad query", "GET", "/api/v1/telemetry?facility=C1&limit=x", "admin", 400),
    # Pushgateway
    Case(
        "push: bad lines",
        "PUT",
        "/metrics/job/j/facility/C1",
        "center_u1",
        400,
        data=b"a 1\nb{x=1} 2\n",
    ),
    Case("push: no facility", "PUT", "/metrics/job/j/instance/i", "center_u1", 400, data=b"a 1\n"),
    Case(
        "push: unknown centre",
        "PUT",
        "/metrics/job/j/facility/NOPE",
        "center_u1",
        404,
        data=b"a 1\n",
    ),
    Case(
        "push: another unit's centre, as an unknown one",
        "PUT",
        "/metrics/job/j/facility/C1",
        "center_u2",
        404,
        data=b"a 1\n",
    ),
    Case(
        "push: protobuf",
        "PUT",
        "/metrics/job/j/facility/C1",
        "center_u1",
        415,
        data=b"x",
        headers={
            "Content-Type": "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
        },
    ),
    # exporter targets
    Case(
        "target: bad URL",
        "POST",
        "/api/v1/computing-centers/C1/exporter-targets",
        "admin",
        422,
        json={"url": "ftp://user:pw@x/metrics", "kind": "dcgm"},
    ),
    Case(
        "target: no such",
        "DELETE",
        "/api/v1/computing-centers/C1/exporter-targets/999",
        "admin",
        404,
    ),
    # statements, objections, other support
    Case("statements: a unit runs them", "POST", "/api/v1/statements/runs", "b1", 403, json={}),
    Case(
        "statements: bad run",
        "POST",
        "/api/v1/statements/runs",
        "admin",
        422,
        json={"policy": 5, "colour": 1},
    ),
    Case("statements: no such", "GET", "/api/v1/statements/999", "admin", 404),
    Case(
        "statements: approve no such",
        "POST",
        "/api/v1/statements/999/approve",
        "admin",
        404,
        json={},
    ),
    Case("statements: facts of no such", "GET", "/api/v1/statements/999/facts", "admin", 404),
    Case(
        "objections: bad body",
        "POST",
        "/api/v1/objections",
        "b1",
        422,
        json={"statement": "x", "colour": 1},
    ),
    Case(
        "objections: resolve no such",
        "POST",
        "/api/v1/objections/999/resolve",
        "admin",
        404,
        json={"decision": "upheld", "reason": "x"},
    ),
    Case(
        "objections: a unit resolves",
        "POST",
        "/api/v1/objections/999/resolve",
        "b1",
        403,
        json={"decision": "upheld", "reason": "x"},
    ),
    Case(
        "other support: bad body",
        "POST",
        "/api/v1/other-support",
        "admin",
        422,
        json={"unit": "NOPE", "amount": "x"},
    ),
    Case("other support: delete no such", "DELETE", "/api/v1/other-support/999", "admin", 404),
    # reviews and audit
    Case("audit: a unit reads it", "GET", "/api/v1/audit", "b1", 403),
    Case("review: no such", "POST", "/api/v1/reviews/999/accept", "admin", 404),
]


@pytest.fixture
async def who(database_url: str, admin_token: str) -> dict[str, dict[str, str]]:
    """A small registry, and the headers of each party of the corpus."""
    await load_registry(
        database_url,
        {
            "units": [
                unit("U1", CREDIT["U1"]), unit("U2", CREDIT["U2"]),
                unit("B1", B1), unit("P1", P1, "compute_provider"),
            ],
            "computing_centers": [center("C1", "U1")],
            "key_providers": [{"unit": "P1", "listed_from": "2024-01-01"}],
        },
    )  # fmt: skip
    return {
        "admin": bearer(admin_token),
        "bogus": bearer("ii_not_a_real_token"),
        "b1": bearer(await make_token(database_url, "B1", "buyer")),
        "p1": bearer(await make_token(database_url, "P1", "provider")),
        "center_u1": bearer(await make_token(database_url, "U1", "center")),
        "center_u2": bearer(await make_token(database_url, "U2", "center")),
    }


async def send(client: Any, case: Case, who: dict[str, dict[str, str]], lang: str | None) -> Any:
    """Send one case, in a language (or none); return the response and its problem body."""
    headers = dict(case.headers)
    if case.who is not None:
        headers |= who[case.who]
    if lang is not None:
        headers["Accept-Language"] = lang
    kwargs: dict[str, Any] = {"headers": headers}
    if case.json is not None:
        kwargs["json"] = case.json
    elif case.data is not None:
        kwargs["data"] = io.BytesIO(case.data)
    r = await client.request(case.method, case.path, **kwargs)
    body = await r.json(content_type=None)
    body.pop("request_id", None)
    return r, body


def texts(body: dict[str, Any]) -> list[str]:
    """Everything a person reads in a problem: title, detail and each error's message."""
    out = [body["title"]]
    if "detail" in body:
        out.append(body["detail"])
    out.extend(e["message"] for e in body.get("errors", []))
    return out


def english_left(text: str) -> bool:
    """Whether a Chinese text still carries an English sentence (quoted values aside)."""
    return CJK.search(text) is None or ENGLISH_RUN.search(QUOTED.sub("", text)) is not None


async def test_every_problem_of_the_corpus_reads_in_chinese_and_stays_english_otherwise(
    client: Any, who: dict[str, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    left: list[tuple[str, str]] = []
    wrong: list[tuple[str, int, Any]] = []
    total = 0
    for case in CORPUS:
        r_en, english = await send(client, case, who, None)
        if r_en.status != case.status:
            wrong.append((case.name, r_en.status, english))
            continue
        _, english2 = await send(client, case, who, "en-US,en;q=0.9")
        assert english == english2, case.name
        assert r_en.headers["Content-Language"] == "en"
        assert not any(CJK.search(t) for t in (english["title"], english.get("detail", ""))), (
            case.name
        )
        r_zh, chinese = await send(client, case, who, "zh-CN,zh;q=0.9,en;q=0.8")
        assert r_zh.headers["Content-Language"] == "zh-CN"
        # Only the words change: fields, rows and indexes are the API's and stay as they are.
        strip = [{k: v for k, v in e.items() if k != "message"} for e in english.get("errors", [])]
        assert strip == [
            {k: v for k, v in e.items() if k != "message"} for e in chinese.get("errors", [])
        ]
        for text in texts(chinese):
            total += 1
            if english_left(text):
                left.append((case.name, text))
    with capsys.disabled():
        print(
            f"\nmessages corpus: {total - len(left)} of {total} texts in Chinese, {len(CORPUS)} requests"
        )
        for name, text in left:
            print(f"  not translated ({name}): {text}")
        for name, status, body in wrong:
            print(f"  WRONG STATUS ({name}): {status} {body}")
    assert not wrong
    assert not left


def test_every_catalogue_entry_keeps_its_placeholders() -> None:
    for book in (*BOOKS, CLI):
        for english, chinese in book.items():
            assert sorted(placeholders(english)) == sorted(placeholders(chinese)), english
            # A frame may be only Chinese punctuation around its fields ("{path}：{detail}").
            assert CJK.search(chinese) or re.search("[\uff00-\uffef]", chinese), english
            # Both sides must be valid templates (a stray brace would break rendering).
            list(string.Formatter().parse(chinese))
    for code, chinese in BY_TYPE.items():
        assert CJK.search(chinese), code
    assert len(CATALOGUE) > 250


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("zh-CN", Language.ZH), ("zh", Language.ZH), ("zh-Hans-CN", Language.ZH), ("ZH-tw", Language.ZH),
        ("en-US,zh-CN;q=0.5", Language.EN), ("fr, zh;q=0.9", Language.EN), ("en;q=0.1, zh-CN", Language.ZH),
        ("zh-CN;q=0, en", Language.EN), ("", Language.EN), (None, Language.EN), ("*", Language.EN),
    ],
)  # fmt: skip
def test_accept_language_picks_chinese_only_when_asked(header: str | None, lang: Language) -> None:
    assert from_accept_language(header) is lang


def test_the_environment_picks_the_cli_language() -> None:
    assert from_environment({"LANG": "zh_CN.UTF-8"}) is Language.ZH
    assert from_environment({"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}) is Language.EN
    assert from_environment({"LC_ALL": "zh_CN.GB18030", "LANG": "en_US.UTF-8"}) is Language.ZH
    assert from_environment({}) is Language.EN


def test_a_message_inside_a_message_is_translated_and_values_are_kept() -> None:
    zh = CATALOGUE.zh("line 3: the text is not UTF-8")
    assert zh == "第 3 行：文本不是 UTF-8 编码"
    assert (
        CATALOGUE.zh("no computing centre with code 'HRB-AI'") == "不存在编码为 'HRB-AI' 的算力中心"
    )
    assert cli_zh("row 4: credit_code: wrong check character 'X', expected '7'") == (
        "第 4 行，credit_code：统一社会信用代码校验位错误：应为 '7'，实际为 'X'"
    )
    assert CATALOGUE.zh("something nobody wrote down") is None


BAD_SITES = (
    "站点编码,运营商,地市,纬度,经度,频段,状态,开通日期,备注\n"
    "S1,NOPE,哈尔滨市,45.8,126.5,n78,operational,2024-05-01,\n"
    "S2,U1,北京市,46.5,125.1,n78,operational,2024-02-30,\n"
)


async def test_import_registry_of_a_bad_file_speaks_chinese_with_lang_zh(
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await load_registry(database_url, {"units": [unit("U1", CREDIT["U1"])]})
    bad = tmp_path / "sites.csv"
    bad.write_text(BAD_SITES, encoding="utf-8")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    argv = ["import", "registry", str(bad), "--database-url", database_url]
    assert await _run([*argv, "--lang", "zh"]) == 2
    err = capsys.readouterr().err
    assert "第 2 行" in err and "unit" in err and "单位 'NOPE' 不存在" in err, err
    assert "第 3 行" in err and "division" in err and "不是黑龙江省的 13 个地市之一" in err, err
    assert not any(english_left(line) for line in err.splitlines() if line.strip()), err
    # The same file in English by default, and in Chinese from the locale alone.
    assert await _run(argv) == 2
    assert "unknown unit 'NOPE'" in capsys.readouterr().err
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert await _run(argv) == 2
    assert "单位 'NOPE' 不存在" in capsys.readouterr().err


async def test_import_registry_of_a_bad_scenario_names_the_row_in_chinese(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "scenario.yaml"
    bad.write_text(
        "units:\n  - {code: X1, name: 甲, credit_code: '91230100MA1HRB0010', kind: enterprise}\n"
        "  - {code: X2, name: 乙, credit_code: '91230100MA1HRB002Y', kind: quantum}\n",
        encoding="utf-8",
    )
    argv = ["--lang", "zh", "import", "registry", str(bad), "--database-url", database_url]
    assert await _run(argv) == 2
    err = capsys.readouterr().err
    assert "统一社会信用代码校验位错误" in err and "credit_code" in err, err
    assert not any(english_left(line) for line in err.splitlines() if line.strip()), err


async def _run(argv: list[str]) -> int:
    """The CLI in-process (it runs its own event loop, so off this test's loop)."""
    import asyncio

    return await asyncio.to_thread(cli_main, argv)


async def test_a_page_shows_an_api_problem_in_the_page_language(
    client: Any, database_url: str
) -> None:
    from tests.workbench.conftest import sign_in

    assert (await sign_in(client, await make_token(database_url, "GOV", "official"))).status == 303
    page = await client.get("/registry/units?offset=abc")
    assert page.status == 400
    html = await page.text()
    assert "offset 必须是整数" in html and "请求无法读取" in html, html
    page = await client.get("/registry/units?offset=abc&lang=en")
    html = await page.text()
    assert "offset must be a whole number" in html and "必须是整数" not in html


# A field's sample value in English and as it reads in Chinese.
SAMPLES = (
    {name: ("3", "3") for name in NUMERIC}
    | {name: ("the file is empty", "文件为空") for name in NESTED}
    | {name: ("unit", "单位") for name in NOUNED}
    | {"choices": ("'a' or 'b'", "'a' 或 'b'")}
)


def test_every_entry_is_reached_by_its_own_message() -> None:
    # An entry hidden by a broader one, or by a number-only field, would never be used.
    for book, translate in [*((b, CATALOGUE.zh) for b in BOOKS), (CLI, cli_zh)]:
        for english, chinese in book.items():
            names = placeholders(english)
            sample = {n: SAMPLES.get(n, ("'Q7'", "'Q7'")) for n in names}
            message = english.format(**{n: en for n, (en, _) in sample.items()})
            expected = chinese.format(**{n: zh for n, (_, zh) in sample.items()})
            assert translate(message) == expected, english


# Said in the catalogue by hand: a constant joined in (FOUR_EYES, twice) and a plural made on the fly;
# and one internal check that is a bug (a 500) when it fires, never a reader's message.
NOT_SAMPLED = {
    "{x}; key {x} submitted statement {x}",
    "{x}; {x} submitted statement {x} with another key",
    "statement {x} has {x} open objection{x}; resolve {x} before finalising",
    "award must be positive, got {x} fen",
}


def test_every_message_raised_in_the_code_has_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parent.parent
    found = {
        template: f"{path.relative_to(root)}:{line}"
        for path in sorted(root.glob("[!.]*/**/*.py"))
        if path.relative_to(root).parts[0] not in ("tests", "bench")
        for template, line in messages(path.read_text(encoding="utf-8"))
    }
    missed = {t: where for t, where in found.items() if not known(t) and t not in NOT_SAMPLED}
    with capsys.disabled():
        print(f"\nmessages in the code: {len(found) - len(missed)} of {len(found)} have Chinese "
              f"({len(NOT_SAMPLED)} of them checked by hand)")  # fmt: skip
    assert not missed, missed
