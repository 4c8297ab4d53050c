"""Soak benchmark: steady mixed traffic for a long time, with every process's memory sampled.

Runs the production stack (bench/prodstack.py) under bench/prodtraffic.py's
traffic at --rate requests per second for --duration seconds (30 minutes by
default), samples the resident memory of every process (gunicorn master and
workers, task workers, DNS server) every --every seconds, and prints the
samples, each process's growth from the end of the warm-up (the first
--warmup seconds) to the end, and whether it stayed within --bound MB. Then it
checks that every acknowledged check is stored and every bulk finished.

    .venv/bin/python bench/soak.py [--duration 1800] [--rate 10] [--bound 25]
"""

from __future__ import annotations

import argparse
import sys
import time

from prodstack import Stack, rss_mb
from prodtraffic import Traffic, summary, verify


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=1800, help="seconds (1800)")
    parser.add_argument("--rate", type=float, default=10, help="requests per second in all (10)")
    parser.add_argument("--every", type=float, default=60, help="seconds between samples (60)")
    parser.add_argument(
        "--warmup", type=float, default=300, help="seconds before the baseline (300)"
    )
    parser.add_argument(
        "--bound", type=float, default=25, help="MB of growth allowed per process (25)"
    )
    args = parser.parse_args()
    customers = 40
    limits = {
        "CHECK_RATE": "100000/min",
        "BULK_CHECK_RATE": "100000/hour",
        "API_ANON_RATE": "100000/min",
    }
    with Stack(customers=customers, extra_env=limits) as stack:
        traffic = Traffic(stack, rate=args.rate, customers=customers).start()
        samples: list[tuple[float, dict[str, float]]] = []
        while True:
            elapsed = time.monotonic() - traffic.started
            samples.append(
                (elapsed, {role: rss_mb(pid) for role, pid in stack.processes().items()})
            )
            print(
                f"  {elapsed:6.0f} s  "
                + "  ".join(f"{r}: {m:.0f}" for r, m in samples[-1][1].items()),
                flush=True,
            )
            if elapsed >= args.duration:
                break
            time.sleep(min(args.every, args.duration - elapsed + 0.1))
        seen = traffic.stop()
        outcome = verify(stack, seen)
    baseline = next((s for t, s in samples if t >= args.warmup), samples[0][1])
    final = samples[-1][1]
    print(f"\nSoak: {args.rate:g} requests/s for {samples[-1][0]:.0f} s; memory in MB (RSS)")
    print(f"{'process':<22}{'after warm-up':>14}{'end':>8}{'growth':>8}{'max':>8}")
    within = True
    for role in final:
        start = baseline.get(role, 0.0)
        peak = max(s.get(role, 0.0) for _, s in samples)
        growth = final[role] - start
        within &= growth <= args.bound
        print(f"{role:<22}{start:>14.0f}{final[role]:>8.0f}{growth:>+8.0f}{peak:>8.0f}")
    print(f"growth within {args.bound:g} MB per process after warm-up: {within}")
    print("\n".join(summary(seen)))
    for key, value in outcome.items():
        print(f"{key + ':':<22}{value}")
    ok = within and outcome["checks stored"] >= outcome["checks acknowledged"]
    ok &= outcome["bulks done"] >= outcome["bulks acknowledged"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
