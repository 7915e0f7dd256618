"""Fixtures of the scraping tests: a real exporter server on 127.0.0.1 and a registered centre."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from collectors.scraping.scraper import Round, run_due_scrapes
from tests.conftest import bearer, load_registry, make_token
from tests.helpers import CREDIT, center, unit

EXPORTERS = Path(__file__).parent / "exporters"
HUNG_SECONDS = 10  # a hung exporter answers after this; the scraper gives up long before


def dcgm_text(
    count: int, model: str = "NVIDIA H100 80GB HBM3", host: str = "gpu-node", header: bool = True
) -> str:
    """dcgm-exporter output for `count` GPUs of one model, eight per host as in a DGX."""
    lines = [
        "# HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (in C).",
        "# TYPE DCGM_FI_DEV_GPU_TEMP gauge",
    ]
    if not header:
        lines = []
    for i in range(count):
        uuid = f"GPU-{zlib.crc32(f'{model}/{host}'.encode()):08x}-0000-0000-0000-{i:012d}"
        lines.append(
            f'DCGM_FI_DEV_GPU_TEMP{{gpu="{i % 8}",UUID="{uuid}",device="nvidia{i % 8}",'
            f'modelName="{model}",Hostname="{host}-{i // 8:02d}",'
            f'DCGM_FI_DRIVER_VERSION="535.161.08"}} 41'
        )
    return "\n".join(lines) + "\n"


def amd_text(count: int, host: str, serials: str, model: str = "AMD Instinct MI300X") -> str:
    """AMD device-metrics-exporter (v1.2+) output for one host: `gpu_nodes_total` and three
    per-GPU series, each with the exporter's mandatory labels (`serial_number` among them)."""
    common = (
        f'card_model="{model}",card_series="{model} OAM",'
        'card_vendor="Advanced Micro Devices, Inc. [AMD/ATI]",driver_version="6.10.5"'
    )
    lines = [
        "# HELP gpu_nodes_total Number of GPUs in the node",
        "# TYPE gpu_nodes_total gauge",
        f'gpu_nodes_total{{{common},hostname="{host}"}} {count}',
    ]
    for name, help_text, value in (
        ("gpu_package_power", "Current socket power in Watts", 612),
        ("gpu_junction_temperature", "Current junction/hotspot temperature in Celsius", 48),
        ("gpu_gfx_activity", "Graphics engine usage in Percentage", 37),
    ):
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
        for i in range(count):
            serial = f"{serials}{i:04d}"  # the board's serial, as amd-smi prints it
            uuid = f"{zlib.crc32(serial.encode()):08x}-0000-1000-80ff-{i:012x}"
            lines.append(
                f'{name}{{{common},gpu_compute_partition_type="spx",gpu_id="{i}",'
                f'gpu_memory_partition_type="nps1",gpu_partition_id="0",gpu_uuid="{uuid}",'
                f'hostname="{host}",serial_number="{serial}",vbios_version="113-M3000100-106"}}'
                f" {value}"
            )
    return "\n".join(lines) + "\n"


def npu_die_id(seed: str, chip: int) -> str:
    """A die id as npu-exporter prints `vdie_id`: five upper-case 8-digit hex words."""
    words = [zlib.crc32(f"{seed}/{chip}/{w}".encode()) for w in range(4)] + [0]
    return "-".join(f"{w:08X}" for w in words)


def npu_text(count: int, seed: str | None, model: str = "Ascend910B3") -> str:
    """Huawei npu-exporter (v6) output for one machine: `machine_npu_nums` and per-chip
    `npu_chip_info_*` series labelled id, model_name, pcie_bus_info and vdie_id (empty when
    the driver gives none, as the exporter then prints it)."""
    lines = [
        "# HELP npu_exporter_version_info exporter version with value '1'",
        "# TYPE npu_exporter_version_info gauge",
        'npu_exporter_version_info{exporterVersion="v6.0.0"} 1',
        "# HELP machine_npu_nums Amount of npu installed on the machine.",
        "# TYPE machine_npu_nums gauge",
        f"machine_npu_nums {count}",
    ]
    for name, help_text, value in (
        ("npu_chip_info_health_status", "the npu health status", 1),
        ("npu_chip_info_utilization", "the ai core utilization", 42),
        ("npu_chip_info_hbm_total_memory", "the npu hbm total memory", 65536),
    ):
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
        for i in range(count):
            die = "" if seed is None else npu_die_id(seed, i)
            bus = f"0000:{0xC1 + 2 * i:02X}:00.0"
            lines.append(
                f'{name}{{id="{i}",model_name="{model}",pcie_bus_info="{bus}",vdie_id="{die}"}}'
                f" {value}"
            )
    return "\n".join(lines) + "\n"


@dataclass
class ExporterServer:
    """Serves exporter output: fixture files, texts set by a test, errors and a hang."""

    server: TestServer
    texts: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)

    def url(self, path: str) -> str:
        """The full URL of a path on this server."""
        return str(self.server.make_url(path))


@pytest.fixture
async def exporter_server() -> Any:
    """A real HTTP server on 127.0.0.1 playing the centre's exporters."""
    state: dict[str, ExporterServer] = {}
    hang = asyncio.Event()

    async def serve_file(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        srv = state["srv"]
        srv.hits[request.path_qs] += 1
        return web.Response(text=(EXPORTERS / name).read_text(), content_type="text/plain")

    async def serve_text(request: web.Request) -> web.Response:
        key = request.match_info["key"]
        srv = state["srv"]
        srv.hits[request.path_qs] += 1
        if key in srv.statuses:
            return web.Response(status=srv.statuses[key], text="exporter failed")
        return web.Response(text=srv.texts[key], content_type="text/plain")

    async def serve_hang(request: web.Request) -> web.Response:
        state["srv"].hits[request.path_qs] += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(hang.wait(), HUNG_SECONDS)
        return web.Response(text="")

    app = web.Application()
    app.router.add_get("/file/{name}", serve_file)
    app.router.add_get("/text/{key}", serve_text)
    app.router.add_get("/hang", serve_hang)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    state["srv"] = ExporterServer(server)
    yield state["srv"]
    hang.set()
    await server.close()


@dataclass
class World:
    """A registered centre operator, an official, and the ways to drive the scraper."""

    client: Any
    app: web.Application
    database_url: str
    exporters: ExporterServer
    admin: dict[str, str]
    operator: dict[str, str]
    other_operator: dict[str, str]
    started: dt.datetime | None = None

    @property
    def now(self) -> dt.datetime:
        """The frozen clock of the test: the time of its first scrape."""
        if self.started is None:
            self.started = dt.datetime.now(dt.UTC)
        return self.started

    async def add_target(self, center_code: str, path: str, **extra: Any) -> dict[str, Any]:
        """Register a target on the exporter server as the centre's operator."""
        body = {"url": self.exporters.url(path), "interval_seconds": 60, **extra}
        r = await self.client.post(
            f"/api/v1/computing-centers/{center_code}/exporter-targets",
            json=body,
            headers=self.operator,
        )
        assert r.status == 201, await r.text()
        return await r.json()  # type: ignore[no-any-return]

    async def scrape(self, after: dt.timedelta = dt.timedelta(0)) -> Round:
        """Run the scheduled job once, as if at `now + after`."""
        return await run_due_scrapes(self.app, self.now + after)

    async def target(self, center_code: str, target_id: int) -> dict[str, Any]:
        """A target as the API shows it."""
        r = await self.client.get(
            f"/api/v1/computing-centers/{center_code}/exporter-targets?limit=1000",
            headers=self.operator,
        )
        assert r.status == 200, await r.text()
        found = [t for t in (await r.json())["items"] if t["id"] == target_id]
        assert len(found) == 1
        target: dict[str, Any] = found[0]
        return target

    async def attestation(self, center_code: str) -> dict[str, Any]:
        """A centre's current attestation as the API shows it."""
        r = await self.client.get(
            f"/api/v1/computing-centers/{center_code}/attestation", headers=self.operator
        )
        assert r.status == 200, await r.text()
        return await r.json()  # type: ignore[no-any-return]


@pytest.fixture
async def world(
    client: Any, app: web.Application, database_url: str, exporter_server: ExporterServer
) -> World:
    """Units U1 (operator of C1, 60P FP16 declared) and U2 (operator of C2), with tokens."""
    await load_registry(
        database_url,
        {
            "units": [unit("U1", CREDIT["U1"]), unit("U2", CREDIT["U2"])],
            "computing_centers": [
                center("C1", "U1"),
                center("C2", "U2"),
                center("SC1", "U1", kind="supercomputing", capacity_pflops={"FP64": "2"}),
            ],
        },
    )
    return World(
        client=client,
        app=app,
        database_url=database_url,
        exporters=exporter_server,
        admin=bearer(await make_token(database_url, "GOV", "admin")),
        operator=bearer(await make_token(database_url, "U1", "center")),
        other_operator=bearer(await make_token(database_url, "U2", "center")),
    )
