"""Reading inventories from the three exporters' output, as written in tests/scraping/exporters."""

from __future__ import annotations

import pytest

from collectors.scraping.exporters import (
    ExporterKind,
    ExporterOutputError,
    Inventory,
    read_inventory,
)
from tests.scraping.conftest import EXPORTERS, amd_text, npu_text


def inventory(
    name: str, kind: ExporterKind = ExporterKind.AUTO, model: str | None = None
) -> Inventory:
    return read_inventory((EXPORTERS / name).read_text(), kind, "10.1.2.3:9100", model)


def test_dcgm_counts_distinct_uuids_per_model() -> None:
    inv = inventory("dcgm.txt")
    assert inv.exporter is ExporterKind.DCGM
    assert inv.counts() == {"NVIDIA H100 80GB HBM3": 8}


def test_dcgm_mig_instances_repeat_their_gpus_uuid_and_count_once() -> None:
    # GPU 0 is cut into three MIG instances, GPU 1 into one: two physical A100s.
    text = (EXPORTERS / "dcgm_mig.txt").read_text()
    assert text.count('GPU_I_ID="3"') > 0
    assert read_inventory(text, ExporterKind.DCGM, "h:1").counts() == {"NVIDIA A100-SXM4-80GB": 2}


def test_dcgm_host_label_may_be_capitalised_or_not() -> None:
    assert "Hostname=" in (EXPORTERS / "dcgm.txt").read_text()
    assert "hostname=" in (EXPORTERS / "dcgm_mig.txt").read_text()
    assert inventory("dcgm.txt").counts() and inventory("dcgm_mig.txt").counts()


def test_amd_gpu_nodes_total_with_card_model() -> None:
    inv = inventory("amd.txt")
    assert inv.exporter is ExporterKind.AMD
    assert inv.counts() == {"AMD Instinct MI300X": 8}


def test_amd_unlabelled_total_takes_the_model_of_the_hosts_gpus() -> None:
    assert inventory("amd_unlabelled_total.txt").counts() == {"AMD Instinct MI250X": 4}


def test_npu_machine_npu_nums_with_model_name_of_the_chips() -> None:
    inv = inventory("npu.txt")
    assert inv.exporter is ExporterKind.NPU
    assert inv.counts() == {"Ascend910B3": 8}


def test_npu_without_model_label_uses_the_targets_model_or_stays_unknown() -> None:
    assert inventory("npu_no_model.txt", model="ASCEND-910B").counts() == {"ASCEND-910B": 8}
    assert inventory("npu_no_model.txt").counts() == {"": 8}


def test_each_device_is_keyed_by_its_hardware_id_where_the_exporter_shows_one() -> None:
    dcgm, amd, npu = inventory("dcgm.txt"), inventory("amd.txt"), inventory("npu.txt")
    assert all(key.startswith("dcgm:GPU-") for key in dcgm.devices)
    assert sorted(amd.devices) == [f"amd-serial:SN-mi300-node-01-{i}" for i in range(8)]
    assert "npu-die:DDA1494C73CF256D" in npu.devices and len(npu.devices) == 8
    assert all(key.startswith("npu-die:") for key in npu.devices)
    # The same hardware behind another host name has the same keys.
    moved = read_inventory(npu_text(2, "r1"), ExporterKind.NPU, "elsewhere:9101")
    assert moved.devices == read_inventory(npu_text(2, "r1"), ExporterKind.NPU, "h:1").devices
    assert set(read_inventory(amd_text(2, "a", "S"), ExporterKind.AMD, "x").devices) == {
        "amd-serial:S0000", "amd-serial:S0001"
    }  # fmt: skip


def test_devices_without_a_hardware_id_are_keyed_by_host() -> None:
    # Older npu-exporters print no vdie_id, newer ones an empty one when the driver has none.
    assert all(k.startswith("npu:10.1.2.3:9100:") for k in inventory("npu_no_model.txt").devices)
    assert all(k.startswith("npu:") for k in read_inventory(npu_text(2, None), ExporterKind.NPU,
                                                            "h:1").devices)  # fmt: skip
    # A board that reports no serial (amd-smi prints N/A) is no identity, nor is a lone "0".
    text = amd_text(3, "a", "S").replace('serial_number="S0000"', 'serial_number="N/A"')
    text = text.replace('serial_number="S0001"', 'serial_number="0"')
    keys = read_inventory(text, ExporterKind.AMD, "x").devices
    assert len(keys) == 3
    assert sorted(k for k in keys if k.startswith("amd-serial:")) == ["amd-serial:S0002"]


def test_a_target_of_one_kind_serving_another_is_an_error() -> None:
    with pytest.raises(ExporterOutputError, match="no dcgm exporter series"):
        inventory("npu.txt", ExporterKind.DCGM)


@pytest.mark.parametrize(
    "text",
    [
        "node_cpu_seconds_total 12\n",
        'DCGM_FI_DEV_GPU_TEMP{UUID="GPU-1" 40\n',
        "machine_npu_nums 1.5\n",
        "machine_npu_nums -1\n",
    ],
)
def test_unreadable_or_foreign_output_is_an_error(text: str) -> None:
    with pytest.raises(ExporterOutputError):
        read_inventory(text, ExporterKind.AUTO, "h:1")
