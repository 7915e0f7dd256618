"""Read a centre's accelerators from exporter output: dcgm-exporter, AMD, Huawei npu-exporter."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

MAX_DEVICES_PER_HOST = 4096
NO_MODEL = ""
# Device keys that name one physical accelerator whatever host or centre reports it: the
# attestation cross-checks these between centres. Other keys are built from host names a
# centre chooses (`amd:<host>:<model>#<n>`) and tell nothing across centres.
DCGM_UUID = "dcgm:"  # dcgm-exporter's `UUID`
AMD_SERIAL = "amd-serial:"  # device-metrics-exporter's `serial_number`, mandatory on GPU series
NPU_DIE = "npu-die:"  # npu-exporter's `vdie_id` (the chip's die id) on npu_chip_info_* series
HARDWARE_ID_PREFIXES = (DCGM_UUID, AMD_SERIAL, NPU_DIE)
# What the tools print when a board does not report the field: never an identity.
NOT_AN_ID = frozenset({"", "n/a", "na", "none", "null", "unknown", "not supported", "0"})
MAX_ID_LENGTH = 128  # an attested device key is at most 200 characters


class ExporterKind(StrEnum):
    """Which exporter a target runs; `auto` recognises it from the series it serves."""

    DCGM = "dcgm"
    AMD = "amd"
    NPU = "npu"
    AUTO = "auto"


class ExporterOutputError(ValueError):
    """The output could not be read, or shows no accelerators of the expected exporter."""


@dataclass(frozen=True)
class Inventory:
    """Devices found in one scrape: {device key: model name as reported}."""

    exporter: ExporterKind
    devices: dict[str, str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Distinct devices per reported model name."""
        return count_models(self.devices.values())


def count_models(models: Iterable[str]) -> dict[str, int]:
    """How many times each model name occurs."""
    out: dict[str, int] = defaultdict(int)
    for model in models:
        out[model] += 1
    return dict(sorted(out.items()))


def parse_samples(text: str) -> list[Sample]:
    """Every sample of a text exposition (format 0.0.4), or ExporterOutputError."""
    try:
        return [s for family in text_string_to_metric_families(text) for s in family.samples]
    except (ValueError, IndexError, KeyError, TypeError):
        # The parser's message quotes the response; a centre reads last_error, so never echo it.
        raise ExporterOutputError("not the Prometheus text format") from None


HOST_LABELS = ("Hostname", "hostname", "host", "node", "instance")


def _host(labels: Mapping[str, str], default: str) -> str:
    # dcgm-exporter wrote `Hostname` before 3.3 and `hostname` after; npu-exporter has none.
    for name in HOST_LABELS:
        if labels.get(name):
            return labels[name]
    return default


def _machine(samples: list[Sample], target_host: str) -> str:
    """The host of unlabelled series: the one host the others name, else the target itself."""
    named = {_host(s.labels, "") for s in samples} - {""}
    return named.pop() if len(named) == 1 else target_host


def _count(raw: float, what: str) -> int:
    value = float(raw)  # the parser gives int or float
    if value != value or value < 0 or value > MAX_DEVICES_PER_HOST or not value.is_integer():
        raise ExporterOutputError(f"{what} is {value!r}, not a device count")
    return int(value)


def is_exporter_series(name: str, labels: Mapping[str, str]) -> bool:
    """Whether a series is one that detect() or the device readers below look at."""
    return (
        (name.startswith("DCGM_") and "UUID" in labels)
        or name.endswith("gpu_nodes_total")
        or "card_model" in labels
        or name == "machine_npu_nums"
        or name.startswith("npu_chip_info")
    )


def detect(samples: list[Sample]) -> ExporterKind | None:
    """Which exporter wrote these samples, from the series only it serves."""
    for s in samples:
        if "UUID" in s.labels and s.name.startswith("DCGM_"):
            return ExporterKind.DCGM
    for s in samples:
        if s.name.endswith("gpu_nodes_total") or "card_model" in s.labels:
            return ExporterKind.AMD
    for s in samples:
        if s.name == "machine_npu_nums" or s.name.startswith("npu_chip_info"):
            return ExporterKind.NPU
    return None


def dcgm_devices(samples: list[Sample]) -> dict[str, str]:
    """dcgm-exporter: one device per distinct UUID; MIG instances repeat their GPU's UUID."""
    devices: dict[str, str] = {}
    for s in samples:
        uuid = s.labels.get("UUID")
        if uuid and s.name.startswith("DCGM_"):
            devices[f"{DCGM_UUID}{uuid}"] = s.labels.get("modelName", NO_MODEL).strip()
    return devices


@dataclass
class _Host:
    """What one host's series say: the count series, and per-chip series with a model."""

    counted: dict[str, int] = field(default_factory=dict)  # model (maybe NO_MODEL) -> count
    chips: dict[str, str] = field(default_factory=dict)  # chip id -> model
    hardware: dict[str, str] = field(default_factory=dict)  # chip id -> serial or die id


def hardware_id(value: str | None) -> str | None:
    """A serial number or die id as reported, or None where the board reports none."""
    if value is None:
        return None
    value = value.strip()
    if value.casefold() in NOT_AN_ID or len(value) > MAX_ID_LENGTH:
        return None
    return value


def _ids_by_model(seen: _Host, fallback: str) -> dict[str, list[str]]:
    """Each model's distinct hardware ids on one host, a chip without a model under fallback.

    Compute partitions of one GPU repeat its serial number: they are one physical device.
    """
    out: dict[str, list[str]] = defaultdict(list)
    taken: set[str] = set()
    for chip, ident in sorted(seen.hardware.items()):
        if ident not in taken:
            taken.add(ident)
            out[seen.chips.get(chip, fallback)].append(ident)
    return out


def _resolve(host: str, seen: _Host, prefix: str, fallback: str, id_prefix: str) -> dict[str, str]:
    """One host's devices: the exporter's own count, with models from its per-chip series.

    As many of a model's devices as the host's chips show hardware ids for are keyed by those
    ids, so another centre reporting the same hardware can be seen; the rest by host.
    """
    named = {m: n for m, n in seen.counted.items() if m != NO_MODEL}
    if named:
        per_model = named
    elif NO_MODEL in seen.counted:
        per_model = _assign_unnamed(seen.counted[NO_MODEL], seen.chips, fallback)
    else:
        # No count series: every distinct chip is a device.
        per_model = count_models(seen.chips.values())
    ids = _ids_by_model(seen, fallback)
    devices: dict[str, str] = {}
    for model, n in per_model.items():
        known = ids.get(model, [])
        for i in range(n):
            key = f"{id_prefix}{known[i]}" if i < len(known) else f"{prefix}:{host}:{model}#{i}"
            devices[key] = model
    return devices


def _assign_unnamed(count: int, chips: dict[str, str], fallback: str) -> dict[str, int]:
    """Give models to a host's unlabelled device count, from its chips' labels or the fallback."""
    chip_counts = count_models(chips.values())
    if not chip_counts:
        return {fallback: count}
    if len(chip_counts) == 1:
        (model,) = chip_counts
        # Chips seen beyond the count are devices too: take the larger evidence.
        return {model: max(count, chip_counts[model])}
    # Several models on one host: the chips say which; any remainder gets the fallback.
    rest = count - sum(chip_counts.values())
    if rest > 0:
        chip_counts[fallback] = chip_counts.get(fallback, 0) + rest
    return chip_counts


def amd_devices(samples: list[Sample], default_host: str, fallback: str) -> dict[str, str]:
    """AMD device-metrics-exporter: gpu_nodes_total per host, model from `card_model`, each
    GPU's identity from `serial_number`."""
    hosts: dict[str, _Host] = defaultdict(_Host)
    default_host = _machine(samples, default_host)
    for s in samples:
        host = _host(s.labels, default_host)
        model = s.labels.get("card_model", NO_MODEL).strip()
        if s.name.endswith("gpu_nodes_total"):
            n = _count(s.value, s.name)
            seen = hosts[host]
            seen.counted[model] = max(seen.counted.get(model, 0), n)
        elif "gpu_id" in s.labels:
            if model:
                hosts[host].chips[s.labels["gpu_id"]] = model
            serial = hardware_id(s.labels.get("serial_number"))
            if serial is not None:
                hosts[host].hardware[s.labels["gpu_id"]] = serial
    return _expand(hosts, "amd", fallback, AMD_SERIAL)


def npu_devices(samples: list[Sample], default_host: str, fallback: str) -> dict[str, str]:
    """Huawei npu-exporter: machine_npu_nums per host, model from `model_name` (or `name`),
    each chip's identity from `vdie_id`."""
    hosts: dict[str, _Host] = defaultdict(_Host)
    default_host = _machine(samples, default_host)
    for s in samples:
        host = _host(s.labels, default_host)
        if s.name == "machine_npu_nums":
            n = _count(s.value, s.name)
            seen = hosts[host]
            seen.counted[NO_MODEL] = max(seen.counted.get(NO_MODEL, 0), n)
            continue
        if not s.name.startswith("npu_chip_info") or "id" not in s.labels:
            continue
        # v5+ put `model_name` on every chip series; older versions only npu_chip_info_name.
        model = s.labels.get("model_name") or (
            s.labels.get("name", "") if s.name == "npu_chip_info_name" else ""
        )
        if model.strip():
            hosts[host].chips[s.labels["id"]] = model.strip()
        die = hardware_id(s.labels.get("vdie_id"))
        if die is not None:
            hosts[host].hardware[s.labels["id"]] = die
    return _expand(hosts, "npu", fallback, NPU_DIE)


def _expand(
    hosts: Mapping[str, _Host], prefix: str, fallback: str, id_prefix: str
) -> dict[str, str]:
    devices: dict[str, str] = {}
    for host, seen in sorted(hosts.items()):
        devices |= _resolve(host, seen, prefix, fallback, id_prefix)
    return devices


def read_inventory(
    text: str, kind: ExporterKind, default_host: str, fallback_model: str | None = None
) -> Inventory:
    """The devices an exporter's output shows, per its kind (or the kind it turns out to be)."""
    return inventory_of(parse_samples(text), kind, default_host, fallback_model)


def inventory_of(
    samples: list[Sample], kind: ExporterKind, default_host: str, fallback_model: str | None
) -> Inventory:
    """The devices these samples show, scraped or pushed, per the exporter's kind."""
    found = detect(samples)
    if kind is ExporterKind.AUTO:
        if found is None:
            raise ExporterOutputError(
                "no dcgm-exporter, device-metrics-exporter or npu-exporter series found"
            )
        kind = found
    fallback = fallback_model or NO_MODEL
    if kind is ExporterKind.DCGM:
        devices = dcgm_devices(samples)
    elif kind is ExporterKind.AMD:
        devices = amd_devices(samples, default_host, fallback)
    else:
        devices = npu_devices(samples, default_host, fallback)
    if not devices and found is not kind:
        raise ExporterOutputError(f"no {kind.value} exporter series found")
    return Inventory(kind, devices)
