"""Statement, objection and notice pages over HTTP: CSRF, who may see them, refusals as pages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from incentives.models import Objection
from registry.db import create_engine, session_factory
from tests.conftest import bearer, load_registry, make_token
from tests.helpers import CREDIT, unit
from tests.statements.helpers import SCENARIOS, import_file
from tests.statements.workflow_helpers import end_notice, insert_statement, stored
from tests.workbench.conftest import csrf_of, sign_in


@pytest.fixture
async def people(database_url: str) -> dict[str, str]:
    """Two officials and a unit's buyer key."""
    await load_registry(database_url, {"units": [unit("U1", CREDIT["U1"], name="示例科技公司")]})
    return {
        "alice": await make_token(database_url, "GOV", "official"),
        "bob": await make_token(database_url, "GOV", "official"),
        "unit": await make_token(database_url, "U1", "buyer"),
    }


async def as_official(client: Any, token: str) -> None:
    client.session.cookie_jar.clear()
    answer = await sign_in(client, token)
    assert answer.status == 303


async def post_action(client: Any, sid: int, action: str, **fields: str) -> Any:
    page = await (await client.get(f"/statements/{sid}")).text()
    data = {"csrf": csrf_of(page), **fields}
    return await client.post(f"/statements/{sid}/{action}", data=data, allow_redirects=False)


async def publish_through_pages(client: Any, people: dict[str, str], sid: int) -> None:
    """Alice submits a statement on its page, Bob approves and publishes it (four eyes)."""
    await as_official(client, people["alice"])
    await post_action(client, sid, "submit")
    await as_official(client, people["bob"])
    await post_action(client, sid, "approve")
    await post_action(client, sid, "publish")


async def test_a_unit_reaches_none_of_the_officials_pages(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, (line,) = await insert_statement(database_url, [("U1", "C1", 1_000_000)])
    assert (await sign_in(client, people["unit"])).status == 303
    csrf = csrf_of(await (await client.get("/my")).text())
    for path in ("/statements", f"/statements/{sid}", f"/statements/{sid}/lines/{line}",
                 "/objections", f"/statements/{sid}/export", f"/lines/{line}"):  # fmt: skip
        answer = await client.get(path, allow_redirects=False)
        assert answer.status == 403, path
        assert "仅供省级主管部门使用" in await answer.text()
    for path in ("/statements/run", f"/statements/{sid}/submit", "/objections/1/resolve"):
        answer = await client.post(path, data={"csrf": csrf}, allow_redirects=False)
        assert answer.status == 403, path
    assert (await stored(database_url, sid)).status == "draft"
    # Signed out, a page sends the browser to sign in.
    client.session.cookie_jar.clear()
    answer = await client.get(f"/statements/{sid}", allow_redirects=False)
    assert answer.status == 303 and answer.headers["Location"].startswith("/login?next=")


async def test_a_review_action_without_the_forms_csrf_token_changes_nothing(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, _ = await insert_statement(database_url, [("U1", "C1", 1_000_000)])
    await as_official(client, people["alice"])
    for data in ({}, {"csrf": "forged"}):
        answer = await client.post(f"/statements/{sid}/submit", data=data, allow_redirects=False)
        assert answer.status == 403
        assert "表单已过期" in await answer.text()
    answer = await client.post("/statements/run", data={"csrf": "forged"})
    assert answer.status == 403
    assert (await stored(database_url, sid)).status == "draft"


async def test_four_eyes_and_a_missing_comment_are_shown_on_the_page(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, (line,) = await insert_statement(database_url, [("U1", "C1", 123_456_789)])
    await as_official(client, people["alice"])
    page = await (await client.get(f"/statements/{sid}")).text()
    assert "1,234,567.89" in page and "示例科技公司" in page
    assert f'action="/statements/{sid}/submit"' in page
    assert f'action="/statements/{sid}/approve"' not in page

    answer = await post_action(client, sid, "submit")
    assert answer.status == 303 and answer.headers["Location"] == f"/statements/{sid}?done=submit"
    refused = await post_action(client, sid, "approve")
    assert refused.status == 403
    text = await refused.text()
    assert "四眼原则：结算单须由提交人以外的另一位主管部门人员审批" in text and "four eyes" in text
    refused = await post_action(client, sid, "reject", comment="  ")
    assert refused.status == 422 and "意见：退回须填写理由。" in await refused.text()
    assert (await stored(database_url, sid)).status == "submitted"

    await as_official(client, people["bob"])
    assert (await post_action(client, sid, "approve")).status == 303
    assert (await post_action(client, sid, "publish")).status == 303
    refused = await post_action(client, sid, "finalise")
    assert refused.status == 409 and "公示期至 " in await refused.text()
    refused = await post_action(client, sid, "publish")
    assert refused.status == 409 and "结算单当前为“公示中”，不能公示（仅限“已审批”状态）" in (
        await refused.text()
    )
    await end_notice(database_url, sid)
    assert (await post_action(client, sid, "finalise")).status == 303
    refused = await post_action(client, sid, "disburse", reference="", paid_on="2026-13-01")
    assert refused.status == 422
    text = await refused.text()
    assert "拨付凭证号：请填写拨付凭证号。" in text
    assert "拨付日期：不是有效日期（年-月-日）：2026-13-01" in text
    after = await stored(database_url, sid)
    assert after.status == "final" and after.submitted_by != after.approved_by

    # The page's file is the API's file, byte for byte.
    page_file = await client.get(f"/statements/{sid}/export?format=xlsx")
    api_file = await client.get(
        f"/api/v1/statements/{sid}/export?format=xlsx", headers=bearer(people["alice"])
    )
    assert page_file.status == api_file.status == 200
    assert await page_file.read() == await api_file.read()
    evidence = await client.get(f"/statements/{sid}/lines/{line}")
    assert evidence.status == 200 and "C1" in await evidence.text()


async def test_an_objection_from_the_notice_page_is_resolved_on_the_objections_page(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, (line,) = await insert_statement(database_url, [("U1", "C1", 1_000_000)])
    await publish_through_pages(client, people, sid)

    client.session.cookie_jar.clear()  # the public page needs no sign-in
    notice = await client.get("/notice")
    page = await notice.text()
    assert notice.status == 200 and "示例科技公司" in page and "10,000.00" in page
    assert CREDIT["U1"] not in page and "登录" in page
    prefilled = await (await client.get(f"/notice?statement={sid}&line={line}")).text()
    assert (
        f'name="line" inputmode="numeric" pattern="[0-9]+" required maxlength="10" value="{line}"'
        in prefilled
    )
    form = {"statement": str(sid), "line": str(line), "name": "张三", "contact": "13800000000",
            "text": "金额有误"}  # fmt: skip
    refused = await client.post("/notice", data=form | {"csrf": "forged"})
    assert refused.status == 403 and "表单已过期" in await refused.text()
    too_long = form | {"csrf": csrf_of(page), "name": "名" * 101}
    refused = await client.post("/notice", data=too_long)
    assert refused.status == 422 and "姓名：请填写，不超过 100 字" in await refused.text()
    page = await (await client.get("/notice")).text()
    filed = await client.post("/notice", data=form | {"csrf": csrf_of(page)})
    assert filed.status == 200 and "已收到您的异议（编号 1）" in await filed.text()

    await as_official(client, people["alice"])
    page = await (await client.get("/objections")).text()
    assert "金额有误" in page and "13800000000" in page
    refused = await client.post(
        "/objections/1/resolve", data={"csrf": csrf_of(page), "decision": "dismissed"}
    )
    assert refused.status == 422 and "理由：异议不成立须填写理由。" in await refused.text()
    answer = await client.post(
        "/objections/1/resolve",
        data={"csrf": csrf_of(page), "decision": "dismissed", "reason": "金额无误"},
        allow_redirects=False,
    )
    assert answer.status == 303
    page = await (await client.get("/objections?done=1")).text()
    assert "异议 1 已处理" in page and "金额无误" in page
    assert (await stored(database_url, sid)).status == "published"


async def test_a_run_from_the_page_and_a_voucher_lines_evidence_in_both_languages(
    client: Any, database_url: str
) -> None:
    await import_file(database_url, SCENARIOS / "voucher-invoice-exclusions.yaml")
    await as_official(client, await make_token(database_url, "GOV", "official"))
    page = await (await client.get("/statements")).text()
    form = {"csrf": csrf_of(page), "clause": "compute_voucher", "period": "2025"}
    refused = await client.post("/statements/run", data=form | {"as_of": "2026-02-30"})
    assert refused.status == 422 and "截至日：不是有效日期" in await refused.text()
    ran = await client.post("/statements/run", data=form | {"as_of": "2026-03-31"})
    text = await ran.text()
    assert ran.status == 200 and "已完成结算运行（截至 2026-03-31）" in text and "新建" in text
    found = re.search(r'href="/statements/([0-9]+)"', text)
    assert found
    sid = int(found.group(1))
    page = await (await client.get(f"/statements/{sid}")).text()
    assert "算力创新消费奖励（算力券）" in page
    line = re.search(r'href="/statements/[0-9]+/lines/([0-9]+)"', page)
    assert line
    evidence = await client.get(f"/statements/{sid}/lines/{line.group(1)}")
    text = await evidence.text()
    assert evidence.status == 200
    assert "计入的发票" in text and "未计入的发票" in text
    assert "25230000000000030004" in text and "不是重点算力服务商" in text
    english = await (await client.get(f"/statements/{sid}/lines/{line.group(1)}?lang=en")).text()
    assert "Invoices excluded" in english and "not a key compute provider" in english


async def test_a_voucher_statement_of_an_open_year_is_refused_on_the_page(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, _ = await insert_statement(
        database_url, [("U1", "2026", 100_000)], clause="compute_voucher", period="2026"
    )
    await as_official(client, people["alice"])
    refused = await post_action(client, sid, "submit")
    text = await refused.text()
    assert refused.status == 409
    assert "2026 年度算力券结算单可先作为预测草稿，须待年度结束及 90 天宽限期满后" in text
    assert "（2027-04-01 起）方可提交" in text
    english = await client.post(
        f"/statements/{sid}/submit?lang=en", data={"csrf": csrf_of(text)}, allow_redirects=False
    )
    assert english.status == 409 and "submitted only from 2027-04-01" in await english.text()
    assert (await stored(database_url, sid)).status == "draft"


async def test_a_unit_sees_its_own_lines_of_published_statements_on_its_page(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    await load_registry(database_url, {"units": [unit("U2", CREDIT["U2"], name="另一家公司")]})
    sid, _ = await insert_statement(database_url, [("U1", "C1", 250_000), ("U2", "C2", 370_000)])
    await insert_statement(
        database_url, [("U1", "N1", 990_000)], clause="identifier_node", number=1
    )
    await publish_through_pages(client, people, sid)

    client.session.cookie_jar.clear()
    assert (await sign_in(client, people["unit"])).status == 303
    page = await (await client.get("/my")).text()
    assert "本单位的结算明细" in page
    assert "2,500.00" in page and ">C1<" in page
    assert "3,700.00" not in page and ">C2<" not in page  # another unit's line
    assert "9,900.00" not in page  # a draft is not shown


async def test_the_objections_page_pages_through_the_open_ones_and_counts_the_decided(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, (line,) = await insert_statement(database_url, [("U1", "C1", 1_000_000)])
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            session.add_all(
                Objection(statement_id=sid, line_id=line, filed_by="public", text=f"异议{i:03d}",
                          status="open" if i < 130 else "dismissed", resolution="无误")
                for i in range(250)
            )  # fmt: skip
    finally:
        await engine.dispose()
    await as_official(client, people["alice"])
    first = await (await client.get("/objections")).text()
    assert "(130)" in first
    assert "异议129" in first and "异议030" in first and "异议029" not in first  # newest first
    second = await (await client.get("/objections?offset=100")).text()
    assert "异议029" in second and "异议000" in second and "异议129" not in second
    assert "(120)" in second and "显示最近 100 条，共 120 条" in second
    bad = await client.get("/objections?offset=-1")
    assert bad.status == 400
    # Every paged page reads its offset alike: thousands of digits are a 400, never a 500.
    for path in ("/objections", "/reviews", "/registry/computing-centers"):
        assert (await client.get(f"{path}?offset={'9' * 5000}")).status == 400, path


async def test_a_long_statement_is_read_a_page_of_lines_at_a_time(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    lines = [("U1", f"C{i:03d}", 100 * (i + 1)) for i in range(230)]
    sid, ids = await insert_statement(database_url, lines)
    await as_official(client, people["alice"])
    first = await (await client.get(f"/statements/{sid}")).text()
    shown = re.findall(rf'href="/statements/{sid}/lines/([0-9]+)"', first)
    assert len(set(shown)) == 200 and str(ids[0]) in shown and str(ids[200]) not in shown
    second = await (await client.get(f"/statements/{sid}?offset=200")).text()
    shown = re.findall(rf'href="/statements/{sid}/lines/([0-9]+)"', second)
    assert set(shown) == {str(i) for i in ids[200:]}
    evidence = await client.get(f"/statements/{sid}/lines/{ids[229]}")
    assert evidence.status == 200 and "C229" in await evidence.text()
    r = await client.get(f"/api/v1/statements/{sid}", headers=bearer(people["alice"]))
    assert len((await r.json())["lines"]) == 230


# A non-number, a negative, thousands of digits, look-alike Unicode digits (full-width,
# Arabic-Indic), an exponent and a leading space: none is an offset.
BAD_OFFSETS = ("abc", "-1", "9" * 5000, "１２", "١٢", "1e3", " 1")


async def test_the_notice_and_statement_pages_read_their_offset_as_every_paged_page_does(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, ids = await insert_statement(
        database_url, [("U1", "C1", 1_000_000), ("U1", "C2", 2_000_000)]
    )
    await publish_through_pages(client, people, sid)

    client.session.cookie_jar.clear()  # the public page needs no sign-in
    for raw in BAD_OFFSETS:
        assert (await client.get("/notice", params={"offset": raw})).status == 400, raw
    whole = await (await client.get("/notice")).text()
    assert "10,000.00" in whole and "20,000.00" in whole
    rest = await client.get("/notice?offset=1")
    shown = [a for a in ("10,000.00", "20,000.00") if a in await rest.text()]
    assert rest.status == 200 and len(shown) == 1

    await as_official(client, people["alice"])
    for path in ("/statements", f"/statements/{sid}"):
        for raw in BAD_OFFSETS:
            answer = await client.get(path, params={"offset": raw})
            assert answer.status == 400, (path, raw)
    link = f'href="/statements/{sid}"'
    assert link in await (await client.get("/statements?offset=0")).text()
    assert link not in await (await client.get("/statements?offset=1")).text()
    second = await (await client.get(f"/statements/{sid}?offset=1")).text()
    shown = set(re.findall(rf'href="/statements/{sid}/lines/([0-9]+)"', second))
    assert shown == {str(ids[1])}
