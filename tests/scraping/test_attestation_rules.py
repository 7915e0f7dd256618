"""The attestation rule on plain data: PFLOPS from the catalogue, and when a centre is flagged."""

from __future__ import annotations

from decimal import Decimal

from collectors.scraping.attestation import AttestationThresholds, Reason, attest
from registry.fields import CenterKind, Precision
from registry.models import AcceleratorModel

CATALOGUE = {
    "H100-SXM": AcceleratorModel(
        code="H100-SXM", fp16_tflops=Decimal("989"), fp32_tflops=Decimal("67"),
        fp64_tflops=Decimal("34"),
    ),
    "H20": AcceleratorModel(code="H20", fp16_tflops=Decimal("148")),
}  # fmt: skip


# What service/app.py hands down from the shipped policy (50P, FP16 or FP64 by kind).
POLICY = AttestationThresholds(
    Decimal(50), {CenterKind.INTELLIGENT: Precision.FP16, CenterKind.SUPERCOMPUTING: Precision.FP64}
)


def h100s(n: int) -> dict[str, str]:
    return {f"dcgm:GPU-{i}": "NVIDIA H100 80GB HBM3" for i in range(n)}


def test_51_h100_reach_50p_in_fp16_and_50_do_not() -> None:
    declared = {Precision.FP16: Decimal("50")}
    at_51 = attest(h100s(51), CATALOGUE, "intelligent", declared, POLICY)
    assert at_51.pflops[Precision.FP16] == Decimal("50.439")
    assert not at_51.flagged
    at_50 = attest(h100s(50), CATALOGUE, "intelligent", declared, POLICY)
    assert at_50.pflops[Precision.FP16] == Decimal("49.450")
    assert at_50.reasons == [Reason.BELOW_DECLARED, Reason.BELOW_THRESHOLD]


def test_supercomputing_is_measured_in_fp64() -> None:
    result = attest(h100s(64), CATALOGUE, "supercomputing", {Precision.FP64: Decimal("2")}, POLICY)
    assert result.required_precision is Precision.FP64
    assert result.pflops[Precision.FP64] == Decimal("2.176")
    assert result.reasons == [Reason.BELOW_THRESHOLD]


def test_general_centres_have_no_threshold_only_their_declaration() -> None:
    result = attest(h100s(8), CATALOGUE, "general", {Precision.FP16: Decimal("7")}, POLICY)
    assert result.required_precision is None
    assert result.reasons == []


def test_a_precision_the_devices_lack_counts_as_zero_against_the_declaration() -> None:
    devices = {f"dcgm:GPU-{i}": "NVIDIA H20" for i in range(400)}
    result = attest(devices, CATALOGUE, "intelligent", {Precision.FP64: Decimal("1")}, POLICY)
    assert result.pflops == {Precision.FP16: Decimal("59.200")}
    assert result.reasons == [Reason.BELOW_DECLARED]


def test_unknown_models_are_counted_but_earn_nothing() -> None:
    devices = h100s(2) | {"dcgm:GPU-x": "NVIDIA H200", "npu:h:#0": ""}
    result = attest(devices, CATALOGUE, "intelligent", {}, POLICY)
    assert result.inventory == {"H100-SXM": 2}
    assert result.unknown_models == {"(no model label)": 1, "NVIDIA H200": 1}
    assert result.devices_total == 4
    assert result.pflops[Precision.FP16] == Decimal("1.978")


def test_a_model_the_table_knows_but_the_catalogue_lacks_is_unknown() -> None:
    result = attest({"amd:h:x#0": "AMD Instinct MI300X"}, CATALOGUE, "intelligent", {}, POLICY)
    assert result.inventory == {}
    assert result.unknown_models == {"AMD Instinct MI300X": 1}


def test_the_threshold_is_the_one_handed_down_not_a_constant() -> None:
    lower = AttestationThresholds(Decimal(40), {CenterKind.INTELLIGENT: Precision.FP16})
    result = attest(h100s(48), CATALOGUE, "intelligent", {}, lower)
    assert (result.threshold, result.reasons) == (Decimal(40), [])
    assert attest(h100s(48), CATALOGUE, "intelligent", {}, POLICY).reasons == [
        Reason.BELOW_THRESHOLD
    ]
    # A kind the policy names no precision for has no threshold.
    assert attest(h100s(1), CATALOGUE, "supercomputing", {}, lower).required_precision is None
