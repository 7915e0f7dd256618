"""The scenario files are the policy's executable examples: `simulate --check` must pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from incentives.commands import simulate_main
from incentives.scenario import load_scenario
from incentives.simulate import differences, run

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "scenarios"
FILES = sorted(SCENARIOS.glob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_scenario_matches_its_expectations(path: Path) -> None:
    loaded = load_scenario(path)
    assert loaded.scenario.expect is not None
    assert differences(loaded, run(loaded)) == []


def test_simulate_check_over_all_scenarios_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert simulate_main(["--check", *map(str, FILES)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(FILES)
    assert all(line.endswith(": ok") for line in lines)


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared scenarios not checked out beside main")
def test_the_shared_examples_are_copied_unchanged() -> None:
    for shared in sorted(SHARED.glob("*.yaml")):
        copy = SCENARIOS / shared.name
        assert copy.is_file(), shared.name
        assert copy.read_bytes() == shared.read_bytes(), shared.name


def test_every_subject_gets_exactly_one_award_or_rejection() -> None:
    for path in FILES:
        loaded = load_scenario(path)
        outcome = run(loaded)
        verdicts = [(v.clause, v.unit, v.subject) for v in outcome.verdicts]
        assert len(verdicts) == len(set(verdicts)), path.name
        facts = loaded.facts
        for center in facts.centers:
            key = ("computing_center_build", center.unit, center.code)
            assert key in verdicts, (path.name, center.code)
        for node in facts.nodes:
            assert ("identifier_node", node.unit, node.code) in verdicts, (path.name, node.code)
        buyer_years = {
            (i.buyer, str(i.issued_on.year)) for i in facts.invoices if i.issued_on <= facts.as_of
        }
        vouchers = {(v.unit, v.subject) for v in outcome.verdicts if v.clause == "compute_voucher"}
        assert vouchers == buyer_years, path.name


def test_every_explanation_ends_as_its_verdict_decided() -> None:
    # Deciding and explaining run the same conditions: the last step names the same result.
    for path in FILES:
        outcome = run(load_scenario(path))
        for award in outcome.awards:
            assert award.explanation[-1].en.startswith("Result: award CNY"), path.name
        for rejection in outcome.rejections:
            assert f"({rejection.reason})" in rejection.explanation[-1].en, path.name
        for excluded in outcome.excluded_invoices:
            # The writer re-runs the invoice's declared conditions and refuses a disagreement.
            assert f"({excluded.reason})" in excluded.explanation[0].en, path.name
