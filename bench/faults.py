"""Fault benchmark: what users see while parts of the production stack fail under load.

Runs the production stack (bench/prodstack.py) under steady mixed traffic
(bench/prodtraffic.py) and, one after another with a quiet spell between:
restarts PostgreSQL, restarts Redis, kills a task worker with SIGKILL (its
supervisor's restart is played by starting another), and kills a gunicorn
worker with SIGKILL (gunicorn starts another). For each fault it prints the
requests that failed around it; at the end, that every check acknowledged (201)
is stored and every bulk acknowledged finished.

Needs PostgreSQL (pg_ctlcluster) and Redis (redis-cli) on this machine.

    .venv/bin/python bench/faults.py [--rate 20] [--quiet 20]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from prodstack import Stack, pg_cluster
from prodtraffic import Traffic, summary, verify


def restart_postgres(stack: Stack) -> None:
    pg_cluster("restart")


def restart_redis(stack: Stack) -> None:
    # Redis keeps nothing on disk here: a restart loses the cache and the rate-limit counters.
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"], check=False)  # noqa: S607
    time.sleep(1)
    subprocess.run(  # noqa: S603
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            "6379",
            "--save",
            "",
        ],  # noqa: S607
        check=True,
        stdout=subprocess.DEVNULL,
    )


def kill_task_worker(stack: Stack) -> None:
    stack.kill_worker("bulk")
    stack.kill_worker("default")


def kill_web_worker(stack: Stack) -> None:
    stack.kill_web_worker()


FAULTS = [
    ("PostgreSQL restart", restart_postgres),
    ("Redis restart", restart_redis),
    ("task workers kill -9", kill_task_worker),
    ("gunicorn worker kill -9", kill_web_worker),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20, help="requests per second in all")
    parser.add_argument("--quiet", type=float, default=20, help="seconds between faults")
    args = parser.parse_args()
    customers = 40
    with Stack(
        customers=customers,
        extra_env={
            "CHECK_RATE": "100000/min",
            "BULK_CHECK_RATE": "100000/hour",
            "API_ANON_RATE": "100000/min",
        },
    ) as stack:
        traffic = Traffic(stack, rate=args.rate, customers=customers).start()
        marks = []
        time.sleep(args.quiet)
        for name, fault in FAULTS:
            at = time.monotonic() - traffic.started
            fault(stack)
            status, _ = stack.wait_ready(200, seconds=60)
            recovered = time.monotonic() - traffic.started
            marks.append((name, at, recovered, status))
            time.sleep(args.quiet)
        seen = traffic.stop()
        outcome = verify(stack, seen)
    duration = time.monotonic() - traffic.started
    print(
        f"\nFaults under {args.rate:g} requests/s for {duration:.0f} s"
        " (gunicorn x2, PostgreSQL, Redis)"
    )
    print(f"{'fault':<26}{'at s':>6}{'ready again s':>14}{'failed requests near it':>25}")
    for index, (name, at, recovered, status) in enumerate(marks):
        until = marks[index + 1][1] if index + 1 < len(marks) else duration
        near = [e for e in seen.errors if at - 1 <= e[0] < until]
        kinds = {}
        for _, kind, error in near:
            kinds[f"{kind}: {error[:60]}"] = kinds.get(f"{kind}: {error[:60]}", 0) + 1
        ready = f"{recovered - at:.1f}" if status == 200 else "never"
        print(f"{name:<26}{at:>6.0f}{ready:>14}{len(near):>25}")
        for what, count in sorted(kinds.items(), key=lambda kv: -kv[1])[:4]:
            print(f"    {count:>4} x {what}")
    before = [e for e in seen.errors if e[0] < marks[0][1] - 1]
    print(f"failed requests before the first fault: {len(before)}")
    print("\n".join(summary(seen)))
    for key, value in outcome.items():
        print(f"{key + ':':<22}{value}")
    lost = outcome["checks stored"] < outcome["checks acknowledged"]
    unfinished = outcome["bulks done"] < outcome["bulks acknowledged"]
    print(f"\nnothing acknowledged lost: {not lost}; every queued bulk finished: {not unfinished}")
    return 1 if lost or unfinished else 0


if __name__ == "__main__":
    sys.exit(main())
