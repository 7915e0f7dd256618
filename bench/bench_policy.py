"""Benchmark the policy engine: vouchers over many invoices, awards over many centres.

Run: .venv/bin/python bench/bench_policy.py [--invoices N --buyers M --centres K]
Each size runs in its own process, so peak memory (ru_maxrss) belongs to that size alone.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incentives.engine import evaluate
from incentives.facts import (
    CenterFacts,
    Facts,
    InvoiceFacts,
    KeyProviderListing,
    UnitFacts,
)
from incentives.policy import Policy, load_policy

AS_OF = date(2026, 6, 30)
PROVIDERS = 50


def peak_mib() -> float:
    """Peak resident memory of this process in MiB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def voucher_facts(invoices: int, buyers: int, seed: int = 7) -> Facts:
    """Buyers, listed providers and invoices with a few duplicates, reversals and strays."""
    rng = random.Random(seed)
    kinds = ("university", "research_institute", "enterprise", "enterprise", "compute_provider")
    units = [
        UnitFacts(f"B{i}", kinds[i % len(kinds)], i % 50 != 0, i % 997 == 0) for i in range(buyers)
    ]
    units += [UnitFacts(f"P{i}", "compute_provider", True) for i in range(PROVIDERS + 5)]
    listings = [KeyProviderListing(f"P{i}", date(2023, 6, 1)) for i in range(PROVIDERS)]
    days = [date(2023, 10, 1) + timedelta(days=d) for d in range(1000)]
    days = [d for d in days if d <= AS_OF]
    buyer_codes = [u.code for u in units[:buyers]]
    seller_codes = [f"P{i}" for i in range(PROVIDERS + 5)]  # the last 5 are not listed
    items: list[InvoiceFacts] = []
    for i in range(invoices):
        roll = rng.random()
        if roll < 0.005 and items:  # a number claimed again
            first = items[rng.randrange(len(items))]
            items.append(
                InvoiceFacts(
                    first.number,
                    rng.choice(buyer_codes),
                    first.seller,
                    first.issued_on,
                    first.amount,
                )
            )
            continue
        if roll < 0.01 and items:  # a red-letter invoice reversing part of an earlier one
            orig = items[rng.randrange(len(items))]
            items.append(
                InvoiceFacts(
                    f"26{i:018d}",
                    orig.buyer,
                    orig.seller,
                    rng.choice(days),
                    (orig.amount / 2).quantize(Decimal("0.01")),
                    "red",
                    orig.number,
                )
            )
            continue
        items.append(
            InvoiceFacts(
                f"25{i:018d}",
                rng.choice(buyer_codes),
                rng.choice(seller_codes),
                rng.choice(days),
                Decimal(rng.randrange(1_000, 20_000_000)).scaleb(-2),
                confirmed=roll > 0.02,
            )
        )
    return Facts(
        as_of=AS_OF, units=tuple(units), key_providers=tuple(listings), invoices=tuple(items)
    )


def centre_facts(centres: int, seed: int = 11) -> Facts:
    """Centres spread over construction units, most eligible, several per unit."""
    rng = random.Random(seed)
    units = [UnitFacts(f"U{i}", "enterprise", True, i % 499 == 0) for i in range(centres // 4 + 1)]
    kinds = ("intelligent", "intelligent", "supercomputing", "general")
    items = []
    for i in range(centres):
        kind = kinds[i % len(kinds)]
        precision = "FP64" if kind == "supercomputing" else "FP16"
        items.append(
            CenterFacts(
                f"C{i}",
                f"U{rng.randrange(len(units))}",
                kind,
                {precision: Decimal(rng.randrange(20, 400))},
                "operational" if rng.random() > 0.1 else "planned",
                date(2023, 6, 1) + timedelta(days=rng.randrange(1100)),
                {
                    "equipment": Decimal(rng.randrange(10**6, 10**8)),
                    "software": Decimal(10**6),
                    "civil_works": Decimal(5 * 10**6),
                },
            )
        )
    return Facts(as_of=AS_OF, units=tuple(units), centers=tuple(items))


def best_of(repeat: int, facts: Facts, policy: Policy) -> tuple[float, int]:
    """The fastest of several runs (the machine is shared), and the number of awards."""
    best, awards = float("inf"), 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        outcome = evaluate(facts, policy)
        best = min(best, time.perf_counter() - t0)
        awards = len(outcome.awards)
        del outcome
    return best, awards


def run_one(invoices: int, buyers: int, centres: int, repeat: int) -> None:
    """Time one size; print one line of key=value figures."""
    policy = load_policy()
    t0 = time.perf_counter()
    facts = voucher_facts(invoices, buyers)
    generated = time.perf_counter() - t0
    before = peak_mib()
    voucher_s, awards = best_of(repeat, facts, policy)
    voucher_peak = peak_mib()
    del facts
    centre_s, centre_awards = best_of(repeat, centre_facts(centres), policy)
    print(
        f"invoices={invoices} buyers={buyers} voucher_seconds={voucher_s:.3f} "
        f"voucher_awards={awards} generate_seconds={generated:.3f} "
        f"rss_before_mib={before:.0f} peak_rss_mib={voucher_peak:.0f} "
        f"centres={centres} centre_seconds={centre_s:.3f} centre_awards={centre_awards} "
        f"final_peak_rss_mib={peak_mib():.0f}"
    )


def main() -> int:
    """Run the full and the half size in separate processes and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--buyers", type=int, default=10_000)
    parser.add_argument("--centres", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="keep the fastest of N runs")
    parser.add_argument("--one", action="store_true", help="run this size only, in this process")
    args = parser.parse_args()
    if args.one:
        run_one(args.invoices, args.buyers, args.centres, args.repeat)
        return 0
    figures = {}
    for scale in (1, 2):
        cmd = [
            sys.executable,
            __file__,
            "--one",
            f"--invoices={args.invoices // scale}",
            f"--buyers={args.buyers // scale}",
            f"--centres={args.centres // scale}",
            f"--repeat={args.repeat}",
        ]
        line = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=600).stdout
        print(line.strip())
        figures[scale] = dict(kv.split("=") for kv in line.split())
    full, half = figures[1], figures[2]
    for key in ("voucher_seconds", "centre_seconds"):
        ratio = float(full[key]) / max(float(half[key]), 1e-9)
        print(f"{key}: full {full[key]} s, half {half[key]} s, ratio {ratio:.2f} (2.00 = linear)")
    print(f"peak memory (RSS, inputs included), full size: {full['peak_rss_mib']} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
