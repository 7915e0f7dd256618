"""Benchmark Pushgateway-format ingest against a real Prometheus Pushgateway.

Run: .venv/bin/python bench/bench_pushgateway.py [--db sqlite|postgresql]
         [--series 100 1000] [--facilities 200] [--pushers 16] [--seconds 20]

Needs the Debian package prometheus-pushgateway (apt-get install -y prometheus-pushgateway).
The script starts the gateway itself on 127.0.0.1 with default flags on a free port, and the
service as `infra-incentives serve` in a child process; the same client (aiohttp, 16
concurrent pushers, each owning its facilities) PUTs the same payloads to both:
/metrics/job/bench/facility/<CODE>, a group of N series per facility, for --seconds each.
Afterwards it checks that the service stored every sample it acknowledged.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.bench_telemetry_json import PG_ADMIN, count_stored, pg_database
from registry.audit import Actor
from registry.db import create_engine, session_factory
from registry.importer import import_sections
from registry.keys import create_key
from registry.migrate import upgrade
from service.demo import MIGRATING_PACKAGES
from tests.helpers import CREDIT, center, unit
from tests.server_process import ServerProcess, free_port

GATEWAY = "prometheus-pushgateway"


def group_text(facility: int, series: int) -> bytes:
    """A dcgm-exporter-like group: a few gauges over GPUs, HELP and TYPE, escaped labels."""
    metrics = ("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_POWER_USAGE",
               "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_SM_CLOCK")  # fmt: skip
    per_metric = series // len(metrics)
    lines = []
    for m, name in enumerate(metrics):
        lines.append(f"# HELP {name} {name.lower()} as reported by dcgm-exporter")
        lines.append(f"# TYPE {name} gauge")
        count = per_metric + (1 if m < series % len(metrics) else 0)
        for gpu in range(count):
            uuid_ = f"GPU-{facility:04d}{gpu:04d}-aaaa-bbbb"
            lines.append(
                f'{name}{{gpu="{gpu}",UUID="{uuid_}",modelName="NVIDIA H100 80GB HBM3",'
                f'Hostname="node{gpu // 8}"}} {(facility * 31 + gpu * 7 + m) % 100}.5'
            )
    return ("\n".join(lines) + "\n").encode()


async def prepare(url: str, facilities: int) -> str:
    """Migrate, register the centres, and make a centre token."""
    upgrade(url, MIGRATING_PACKAGES)
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            sections = {
                "units": [unit("U1", CREDIT["U1"])],
                "computing_centers": [center(f"F{i:04d}", "U1") for i in range(facilities)],
            }
            await import_sections(session, sections, Actor.cli("bench"))
            _, token = await create_key(session, "U1", "center", Actor.cli("bench"))
    finally:
        await engine.dispose()
    return token


async def push_for(
    base: str, token: str, bodies: list[bytes], pushers: int, seconds: float
) -> tuple[int, int, float]:
    """PUT groups for `seconds` from concurrent pushers; returns pushes, samples, elapsed."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/plain; version=0.0.4"}
    done = {"pushes": 0, "samples": 0}
    series = [body.count(b"\n") - 2 * body.count(b"\n# TYPE") for body in bodies]
    deadline = time.perf_counter() + seconds

    async def pusher(k: int) -> None:
        mine = list(range(k, len(bodies), pushers))  # disjoint groups: no concurrent same group
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            i = 0
            while time.perf_counter() < deadline:
                f = mine[i % len(mine)]
                url = f"{base}/metrics/job/bench/facility/F{f:04d}"
                async with session.put(url, data=bodies[f], headers=headers) as r:
                    if r.status >= 400:
                        raise RuntimeError(f"{r.status}: {(await r.text())[:300]}")
                    await r.read()
                done["pushes"] += 1
                done["samples"] += series[f]
                i += 1

    started = time.perf_counter()
    await asyncio.gather(*(pusher(k) for k in range(pushers)))
    return done["pushes"], done["samples"], time.perf_counter() - started


def start_gateway(scratch: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The real Pushgateway, default flags, on a free port of 127.0.0.1."""
    binary = shutil.which(GATEWAY)
    if binary is None:
        raise SystemExit(f"{GATEWAY} not found: apt-get install -y prometheus-pushgateway")
    port = free_port()
    log = (scratch / "pushgateway.log").open("ab")
    process = subprocess.Popen(
        [binary, f"--web.listen-address=127.0.0.1:{port}"], stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/-/ready", timeout=1) as r:
                if r.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the Pushgateway did not become ready")


def run(args: argparse.Namespace, scratch: Path) -> None:
    """Each group size against the gateway, then against the service."""
    tag = uuid.uuid4().hex[:8]
    if args.db == "sqlite":
        url = f"sqlite+aiosqlite:///{scratch / f'service-{tag}.sqlite3'}"
    else:
        url = asyncio.run(pg_database(args.pg_admin, "create", f"bench_pgw_{tag}"))
    try:
        token = asyncio.run(prepare(url, args.facilities))
        server = ServerProcess(url, scratch / "server.log")
        server.start()
        gateway, gateway_url = start_gateway(scratch)
        stored_before = 0
        try:
            for series in args.series:
                bodies = [group_text(f, series) for f in range(args.facilities)]
                g_pushes, g_samples, g_secs = asyncio.run(
                    push_for(gateway_url, token, bodies, args.pushers, args.seconds)
                )
                s_pushes, s_samples, s_secs = asyncio.run(
                    push_for(server.url, token, bodies, args.pushers, args.seconds)
                )
                stored, _ = asyncio.run(count_stored(url))
                new = stored - stored_before
                stored_before = stored
                g_rate, s_rate = g_samples / g_secs, s_samples / s_secs
                print(f"[{args.db}] {args.facilities} facilities x {series} series, "
                      f"{args.pushers} pushers, {args.seconds:.0f} s each")  # fmt: skip
                print(f"  pushgateway: {g_pushes:7,} pushes {g_rate:>10,.0f} samples/s")
                print(f"  service:     {s_pushes:7,} pushes {s_rate:>10,.0f} samples/s")
                print(f"  ratio service/pushgateway: {s_rate / g_rate:.2f} (aim: above 1)")
                verdict = "OK" if new == s_samples else "MISMATCH"
                print(f"  stored {new:,} of {s_samples:,} acknowledged samples -> {verdict}")
                if new != s_samples:
                    raise SystemExit(1)
        finally:
            gateway.terminate()
            gateway.wait(timeout=10)
            server.stop()
    finally:
        if args.db == "postgresql":
            asyncio.run(pg_database(args.pg_admin, "drop", f"bench_pgw_{tag}"))


def main() -> None:
    """Parse options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--series", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--facilities", type=int, default=200)
    parser.add_argument("--pushers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--pg-admin", default=os.environ.get("BENCH_PG_ADMIN", PG_ADMIN))
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="bench-pushgateway-") as scratch:
        run(args, Path(scratch))


if __name__ == "__main__":
    main()
