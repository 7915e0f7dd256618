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
            devices[f"dcgm:{uuid}"] = s.labels.get("modelName", NO_MODEL).strip()
    return devices


@dataclass
class _Host:
    """What one host's series say: the count series, and per-chip series with a model."""

    counted: dict[str, int] = field(default_factory=dict)  # model (maybe NO_MODEL) -> count
    chips: dict[str, str] = field(default_factory=dict)  # chip id -> model


def _resolve(host: str, seen: _Host, prefix: str, fallback: str) -> dict[str, str]:
    """One host's devices: the exporter's own count, with models from its per-chip series."""
    named = {m: n for m, n in seen.counted.items() if m != NO_MODEL}
    if named:
        per_model = named
    elif NO_MODEL in seen.counted:
        per_model = _assign_unnamed(seen.counted[NO_MODEL], seen.chips, fallback)
    else:
        # No count series: every distinct chip is a device.
        per_model = count_models(seen.chips.values())
    devices: dict[str, str] = {}
    for model, n in per_model.items():
        for i in range(n):
            devices[f"{prefix}:{host}:{model}#{i}"] = model
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
    """AMD device-metrics-exporter: gpu_nodes_total per host, model from `card_model`."""
    hosts: dict[str, _Host] = defaultdict(_Host)
    default_host = _machine(samples, default_host)
    for s in samples:
        host = _host(s.labels, default_host)
        model = s.labels.get("card_model", NO_MODEL).strip()
        if s.name.endswith("gpu_nodes_total"):
            n = _count(s.value, s.name)
            seen = hosts[host]
            seen.counted[model] = max(seen.counted.get(model, 0), n)
        elif model and "gpu_id" in s.labels:
            hosts[host].chips[s.labels["gpu_id"]] = model
    return _expand(hosts, "amd", fallback)


def npu_devices(samples: list[Sample], default_host: str, fallback: str) -> dict[str, str]:
    """Huawei npu-exporter: machine_npu_nums per host, model from `model_name` (or `name`)."""
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
    return _expand(hosts, "npu", fallback)


def _expand(hosts: Mapping[str, _Host], prefix: str, fallback: str) -> dict[str, str]:
    devices: dict[str, str] = {}
    for host, seen in sorted(hosts.items()):
        devices |= _resolve(host, seen, prefix, fallback)
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
