"""Attacks on invoice input: look-alike digits, loose amounts, lists too long."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import FormData

from tests.conftest import bearer
from tests.invoices.conftest import B1, P1, Tokens
from tests.invoices.test_invoice_upload import HEADER_EN, csv, invoices, upload

NUMBER = "25230000000000000001"
FULL_WIDTH = NUMBER.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
ARABIC_INDIC = NUMBER.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
DEVANAGARI = NUMBER.translate(str.maketrans("0123456789", "०१२३४५६७८९"))


def item(number: str = NUMBER, **extra: Any) -> dict[str, Any]:
    """One invoice of a JSON upload."""
    return {"number": number, "seller": P1, "issued_on": "2025-03-01", "amount": "500000.00",
            **extra}  # fmt: skip


async def post_json(client: Any, token: str, *items: Any, query: str = "") -> Any:
    """A JSON invoice upload."""
    return await client.post(
        f"/api/v1/invoices{query}", json={"invoices": list(items)}, headers=bearer(token)
    )


async def test_one_invoice_in_three_look_alike_spellings_is_never_three_invoices(
    client: Any, tokens: Tokens
) -> None:
    for number in (NUMBER, FULL_WIDTH, ARABIC_INDIC, DEVANAGARI):
        r = await post_json(client, tokens.b1, item(number))
        assert r.status in (200, 201, 422), await r.text()
    stored = await invoices(client, tokens.b1)
    assert [i["number"] for i in stored] == [NUMBER]


async def test_full_width_digits_are_folded_and_other_scripts_refused_in_json(
    client: Any, tokens: Tokens
) -> None:
    r = await post_json(client, tokens.b1, item(FULL_WIDTH))
    assert r.status == 201, await r.text()
    for number in (ARABIC_INDIC, DEVANAGARI):
        r = await post_json(client, tokens.b1, item(number))
        assert r.status == 422, await r.text()
        errors = (await r.json())["errors"]
        assert errors[0]["field"] == "number" and "ASCII" in errors[0]["message"]
    assert [i["number"] for i in await invoices(client, tokens.b1)] == [NUMBER]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("issued_on", "٢٠٢٥-٠٣-٠١"),
        ("issued_on", "२०२५-०३-०१"),
        ("issued_on", "20250301"),
        ("amount", "٥٠٠"),
        ("amount", "५००"),
        ("seller", P1.replace("9", "٩")),
        ("code", "١٢٣٤٥٦٧٨٩٠"),
    ],
)
async def test_other_scripts_digits_are_refused_in_every_json_field(
    client: Any, tokens: Tokens, field: str, value: str
) -> None:
    extra = {"number": "12345678"} if field == "code" else {}
    r = await post_json(client, tokens.b1, item(**extra) | {field: value})
    assert r.status == 422, await r.text()
    assert [e["field"] for e in (await r.json())["errors"]] == [field]


async def test_full_width_date_amount_and_credit_code_are_folded(
    client: Any, tokens: Tokens
) -> None:
    fold = str.maketrans(
        "0123456789ABCDEFGHJKLMNPQRTUWXY.-",
        "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ．－",
    )
    wide = item(seller=P1.translate(fold), issued_on="2025-03-01".translate(fold),
                amount="1200.50".translate(fold))  # fmt: skip
    r = await post_json(client, tokens.b1, wide)
    assert r.status == 201, await r.text()
    [stored] = await invoices(client, tokens.b1)
    assert (stored["seller_credit_code"], stored["issued_on"], stored["amount"]) == (
        P1, "2025-03-01", "1200.50"
    )  # fmt: skip


async def test_a_csv_with_look_alike_digits_names_each_cell(client: Any, tokens: Tokens) -> None:
    body = csv(
        HEADER_EN,
        f"{ARABIC_INDIC},{B1},{P1},2025-03-01,100.00,blue,",
        f"{NUMBER[:-1]}2,{B1},{P1},२०२५-०३-०१,100.00,blue,",
        f"{NUMBER[:-1]}3,{B1},{P1},2025-03-01,١٠٠,blue,",
        f"{NUMBER[:-1]}4,{B1},{P1.replace('9', '٩')},2025-03-01,100.00,blue,",
    )
    r = await upload(client, tokens.b1, body)
    assert r.status == 422, await r.text()
    found = [(e["row"], e["field"], "ASCII" in e["message"]) for e in (await r.json())["errors"]]
    assert found == [(2, "number", True), (3, "issued_on", True), (4, "amount", True),
                     (5, "seller", True)]  # fmt: skip
    assert await invoices(client, tokens.b1) == []


async def test_a_csv_with_full_width_digits_stores_one_number(client: Any, tokens: Tokens) -> None:
    body = csv(HEADER_EN, f"{FULL_WIDTH},{B1},{P1},2025-03-01,100.00,blue,")
    r = await upload(client, tokens.b1, body)
    assert r.status == 201, await r.text()
    again = csv(HEADER_EN, f"{NUMBER},{B1},{P1},2025-03-01,100.00,blue,")
    r = await upload(client, tokens.b1, again)
    assert r.status == 200, await r.text()
    assert (await r.json())["unchanged"] == 1
    assert [i["number"] for i in await invoices(client, tokens.b1)] == [NUMBER]


@pytest.mark.parametrize("amount", ["1,0,0", "1_000", "1e2", "-0", "NaN", "Infinity",
                                    "100.001", "1,00.00", "+5"])  # fmt: skip
async def test_loose_money_is_refused_in_json(client: Any, tokens: Tokens, amount: str) -> None:
    r = await post_json(client, tokens.b1, item(amount=amount))
    assert r.status == 422, await r.text()
    assert [e["field"] for e in (await r.json())["errors"]] == ["amount"]


@pytest.mark.parametrize("amount", ["1,0,0", "1_000", "1e2", "-0", "NaN", "1,00.00"])
async def test_loose_money_is_refused_in_csv(client: Any, tokens: Tokens, amount: str) -> None:
    body = csv(HEADER_EN, f'{NUMBER},{B1},{P1},2025-03-01,"{amount}",blue,')
    r = await upload(client, tokens.b1, body)
    assert r.status == 422, await r.text()
    assert [e["field"] for e in (await r.json())["errors"]] == ["amount"]


async def test_correctly_grouped_thousands_are_accepted(client: Any, tokens: Tokens) -> None:
    r = await post_json(client, tokens.b1, item(amount="1,234,567.80"))
    assert r.status == 201, await r.text()
    assert [i["amount"] for i in await invoices(client, tokens.b1)] == ["1234567.80"]


@pytest.mark.parametrize("amount", [10**26, "1" + "0" * 26, "99999999999999999999.99"])
async def test_an_amount_beyond_any_column_is_a_422_not_a_500(
    client: Any, tokens: Tokens, amount: Any
) -> None:
    r = await post_json(client, tokens.b1, item(amount=amount))
    assert r.status == 422, await r.text()
    r = await client.post(
        "/api/v1/invoices",
        data=f'{{"invoices": [{{"number": "{NUMBER}", "seller": "{P1}", '
        '"issued_on": "2025-03-01", "amount": 1e26}]}',  # a JSON number with an exponent
        headers={**bearer(tokens.b1), "Content-Type": "application/json"},
    )
    assert r.status == 422, await r.text()


async def test_a_file_name_longer_than_its_column_is_stored_cut_short(
    client: Any, tokens: Tokens
) -> None:
    form = FormData()
    body = csv(HEADER_EN, f"{NUMBER},{B1},{P1},2025-03-01,100.00,blue,")
    form.add_field("file", body, filename="名" * 300 + ".csv", content_type="text/csv")
    r = await client.post("/api/v1/invoices", data=form, headers=bearer(tokens.b1))
    assert r.status == 201, await r.text()


async def test_a_batch_longer_than_the_limit_is_a_422_naming_it(
    client: Any, tokens: Tokens
) -> None:
    r = await client.post(
        "/api/v1/sales-reports", json={"reports": [{}] * 100_001}, headers=bearer(tokens.p1)
    )
    assert r.status == 422, await r.text()
    assert "at most 100,000" in (await r.json())["detail"]
