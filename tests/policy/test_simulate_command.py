"""`simulate FILE... [--json] [--check]`: output shape and exit status."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from incentives.commands import simulate_main

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
BASIC = SCENARIOS / "voucher-basic.yaml"


def test_json_output_follows_the_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert simulate_main(["--json", str(BASIC), str(SCENARIOS / "overlap-top-up.yaml")]) == 0
    documents = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(documents) == 2
    first = documents[0]
    assert first["policy"] == "heilongjiang-digital-2023"
    assert first["as_of"] == "2026-03-31"
    assert {a["unit"] for a in first["awards"]} == {"B1", "B3"}
    money = re.compile(r"^\d+\.\d{2}$")
    for doc in documents:
        amounts = [a["amount"] for a in doc["awards"]] + [doc["total"]]
        assert all(money.match(a) for a in amounts)
        assert sum(float(a["amount"]) for a in doc["awards"]) == pytest.approx(float(doc["total"]))
        for item in doc["awards"] + doc["rejections"]:
            assert item["explanation"] and item["explanation_en"]


def test_check_exits_1_and_says_what_differs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(
        BASIC.read_text(encoding="utf-8").replace('amount: "90000.02"', 'amount: "90000.01"'),
        encoding="utf-8",
    )
    assert simulate_main(["--check", str(BASIC), str(wrong)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(": ok")
    assert "missing award compute_voucher B3 2025 90000.01" in lines[1]
    assert "unexpected award compute_voucher B3 2025 90000.02" in lines[1]


def test_check_reports_a_wrong_rejection_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(
        BASIC.read_text(encoding="utf-8").replace(
            "reason: spend_not_above_threshold", "reason: buyer_kind_not_eligible"
        ),
        encoding="utf-8",
    )
    assert simulate_main(["--check", str(wrong)]) == 1
    assert "got spend_not_above_threshold" in capsys.readouterr().out


def test_text_output_shows_awards_and_explanations(capsys: pytest.CaptureFixture[str]) -> None:
    assert simulate_main([str(BASIC)]) == 0
    out = capsys.readouterr().out
    assert "AWARD  compute_voucher B1 2025: 150000.00" in out
    assert "五(十九)" in out and "Condition met" in out and "条件满足" in out


def test_no_arguments_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert simulate_main([]) == 2
    assert capsys.readouterr().out == ""
