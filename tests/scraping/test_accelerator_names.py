"""The model-name table: what exporters call a device, and the catalogue entry it is."""

from __future__ import annotations

import pytest

from collectors.scraping.accelerator_names import catalogue_code

CATALOGUE_CODES = [
    "V100-SXM2", "A100", "A800", "H100-SXM", "H100-PCIE", "H800-SXM", "H20", "L40S", "B200",
    "ASCEND-910B", "MI250X", "MI300X",
]  # fmt: skip


@pytest.mark.parametrize(
    ("reported", "code"),
    [
        ("NVIDIA H100 80GB HBM3", "H100-SXM"),
        ("NVIDIA H100 SXM5 80GB", "H100-SXM"),
        ("NVIDIA H100 PCIe", "H100-PCIE"),
        ("NVIDIA H100 NVL", None),
        ("NVIDIA H800", "H800-SXM"),
        ("NVIDIA H800 PCIe", None),
        ("NVIDIA H20", "H20"),
        ("NVIDIA H200", None),
        ("NVIDIA A100-SXM4-80GB", "A100"),
        ("NVIDIA A100-SXM4-40GB", "A100"),
        ("NVIDIA A100 80GB PCIe", "A100"),
        ("NVIDIA RTX A1000", None),
        ("NVIDIA A800-SXM4-80GB", "A800"),
        ("Tesla V100-SXM2-32GB", "V100-SXM2"),
        ("Tesla V100-PCIE-32GB", None),
        ("NVIDIA L40S", "L40S"),
        ("NVIDIA L40", None),
        ("NVIDIA B200", "B200"),
        ("NVIDIA GB200", None),
        ("AMD Instinct MI300X", "MI300X"),
        ("AMD Instinct MI300X OAM", "MI300X"),
        ("AMD Instinct MI300A", None),
        ("AMD Instinct MI250X", "MI250X"),
        ("AMD Instinct MI250", None),
        ("Ascend910B", "ASCEND-910B"),
        ("Ascend910B3", "ASCEND-910B"),
        ("Ascend 910B", "ASCEND-910B"),
        ("Ascend910", None),
        ("Ascend310P3", None),
        ("", None),
    ],
)
def test_reported_model_names_map_to_catalogue_codes(reported: str, code: str | None) -> None:
    assert catalogue_code(reported) == code


@pytest.mark.parametrize("code", CATALOGUE_CODES)
def test_every_catalogue_code_names_itself(code: str) -> None:
    # The npu-exporter fallback setting takes a catalogue code; it must resolve to itself.
    assert catalogue_code(code) == code
