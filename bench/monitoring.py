"""Benchmark: watched domains re-checked per second per worker, and the queue depth over time.

Everything runs as in production, each part in its own process: the test DNS
server (tests/dnsserver.py, with a fixed latency per query, 20 ms by default)
serving Mailhawk's zone and N customer domains set up for it; a fresh
database (a temporary SQLite file, or --database-url); the scheduler
(`manage.py watch_scheduler --once`), which claims every due watch and queues
one task per batch of WATCH_BATCH_SIZE watches on the "monitor" queue; and
W task workers (`manage.py task_worker --queue-name monitor`).

The queue depth (tasks waiting, and watches not yet checked) is sampled every
half second while the workers drain it. Reported: watches re-checked per
second per worker, and from it the number of workers that one million watched
domains a day need (each checked once a day).

    .venv/bin/python bench/monitoring.py [--watches 2000] [--workers 1] [--latency 0.02]
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sitestack import CREATE_VENDOR, mailhawk_customer, manage, stop  # noqa: E402

from tests.dnsserver_process import spawn_server  # noqa: E402

ZONES = ROOT / "tests" / "zones"
SECONDS_PER_DAY = 86400
# Round trips on the longest lookup chain of a Mailhawk check (SPF include tree, DKIM
# CNAME then key): what one check costs in latency when its lookups run concurrently.
DEPTH = 4

# Watches are made like the site makes one (watch_create), then copied for the other
# domains: the same records, due now.
CREATE_WATCHES = """
import sys
from django.contrib.auth import get_user_model
from django.utils import timezone
from sources.models import Watch, WatchRecord
from sources.services.watches import watch_create

count, owners = {count}, {owners}
User = get_user_model()
users = [User.objects.create_user(f"owner{{i}}", f"owner{{i}}@bench.test") for i in range(owners)]
first = watch_create(owner=users[0], domain="c00000.watch", vendor="mailhawk",
                     params={{"account_id": "7001"}})
records = list(first.records.all())
now = timezone.now()
watches = [
    Watch(owner=users[i % owners], domain=f"c{{i:05d}}.watch", vendor_id=first.vendor_id,
          vendor_slug=first.vendor_slug, vendor_name=first.vendor_name,
          method_kind=first.method_kind, parameters=first.parameters, next_run_at=now)
    for i in range(1, count)
]
Watch.objects.bulk_create(watches, batch_size=500)
WatchRecord.objects.bulk_create(
    [WatchRecord(watch=w, requirement_id=r.requirement_id, purpose=r.purpose, type=r.type,
                 host=r.host.replace("c00000", w.domain.split(".")[0]), value=r.value,
                 required=r.required, position=r.position)
     for w in watches for r in records],
    batch_size=1000,
)
print(Watch.objects.count())
"""


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def customer_zone(count: int) -> str:
    lines = [
        "$ORIGIN watch.",
        "$TTL 300",
        "@ SOA ns1.mailhawk.test. hostmaster 1 3600 600 86400 300",
    ]
    for i in range(count):
        lines += mailhawk_customer(f"c{i:05d}")
    return "\n".join(lines) + "\n"


def progress() -> tuple[int, int, int]:
    """(tasks waiting, watches not checked yet, watches verified), read from the database."""
    from django_tasks_db.models import DBTaskResult

    from sources.models import Watch

    ready = DBTaskResult.objects.filter(status="READY", queue_name="monitor").count()
    left = Watch.objects.filter(runs=0).count()
    return ready, left, Watch.objects.filter(state="verified").count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watches", type=int, default=2000)
    parser.add_argument("--owners", type=int, default=20, help="accounts the watches belong to")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per DNS answer")
    parser.add_argument("--batch", type=int, default=100, help="WATCH_BATCH_SIZE")
    parser.add_argument("--concurrency", type=int, default=50, help="WATCH_CHECK_CONCURRENCY")
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="monitoring-bench-"))
    server = spawn_server(latency=args.latency)
    server.add_zone_text((ZONES / "customer-mailhawk.zone").read_text())
    server.add_zone_text(customer_zone(args.watches))
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
        "CHECKER_NAMESERVERS": server.address,
        "CHECKER_TIMEOUT": "5",
        "CHECKER_ALLOW_TEST_DOMAINS": "true",
        "WATCH_BATCH_SIZE": str(args.batch),
        "WATCH_CHECK_CONCURRENCY": str(args.concurrency),
        "WATCH_MAX_PER_USER": str(args.watches),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }
    processes: list[subprocess.Popen] = []
    try:
        manage("migrate", "--noinput", env=env)
        manage("shell", "-c", CREATE_VENDOR, env=env)
        script = CREATE_WATCHES.format(count=args.watches, owners=args.owners)
        made = int(manage("shell", "-c", script, env=env).split()[-1])
        os.environ.update(env, DJANGO_SETTINGS_MODULE="directory.settings")
        import django

        django.setup()
        started = time.monotonic()
        scheduled = manage("watch_scheduler", "--once", env=env).strip()
        schedule_seconds = time.monotonic() - started
        server.reset_count()
        began = time.monotonic()
        for _ in range(args.workers):
            processes.append(
                subprocess.Popen(  # noqa: S603
                    [
                        sys.executable,
                        "manage.py",
                        "task_worker",
                        "--queue-name",
                        "monitor",
                        "--no-startup-delay",
                        "--interval",
                        "0.2",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        samples = []
        cpu = dict.fromkeys((p.pid for p in processes), 0.0)
        while True:
            ready, left, verified = progress()
            samples.append((time.monotonic() - began, ready, left))
            for process in processes:
                cpu[process.pid] = cpu_seconds(process.pid)
            if left == 0:
                break
            time.sleep(0.5)
        seconds = time.monotonic() - began
        load = os.getloadavg()[0]
        queries = server.query_count
        rate = made / seconds
        per_worker = rate / args.workers
        worker_cpu = sum(cpu.values())
        per_cpu_second = made / worker_cpu
        # A worker with a core of its own is bound by its CPU time per check, or else by
        # the DNS round trips of WATCH_CHECK_CONCURRENCY checks in flight at once.
        per_worker_dedicated = min(
            per_cpu_second, args.concurrency / (depth_seconds := (DEPTH * args.latency))
        )
        per_day = per_worker * SECONDS_PER_DAY
        needed = math.ceil(1_000_000 / per_day)
        needed_dedicated = math.ceil(1_000_000 / (per_worker_dedicated * SECONDS_PER_DAY))
        print(f"watched domains:       {made} ({args.owners} accounts), {verified} verified")
        print(f"DNS latency:           {args.latency * 1000:.0f} ms per query")
        print(f"batch / concurrency:   {args.batch} watches per task, {args.concurrency} at once")
        print(f"scheduler run:         {schedule_seconds:.2f} s ({scheduled})")
        print(f"workers:               {args.workers}")
        print(f"drained in:            {seconds:.2f} s")
        print(f"re-checks per second:  {rate:.1f} ({per_worker:.1f} per worker)")
        print(f"DNS queries per check: {queries / made:.1f}")
        print(f"machine load average:  {load:.1f} on {os.cpu_count()} cores")
        print(
            f"worker CPU time:       {worker_cpu:.1f} s -> {per_cpu_second:.1f} re-checks "
            "per CPU-second"
        )
        print(
            f"dedicated core:        {per_worker_dedicated:.1f} re-checks/s per worker (CPU "
            f"bound; DNS bound at {args.concurrency / depth_seconds:.0f}/s)"
        )
        print("queue depth over time (s, tasks waiting, watches not yet checked):")
        step = max(1, len(samples) // 20)
        for at, ready, left in samples[::step] + ([samples[-1]] if len(samples) % step else []):
            print(f"  {at:6.1f} s  {ready:5d} tasks  {left:6d} watches")
        print(f"per worker per day:    {per_day:,.0f} re-checks")
        print(
            f"1,000,000 watches/day: {1_000_000 / SECONDS_PER_DAY:.1f} re-checks/s -> "
            f"{needed} worker(s) at the measured rate ({2 * needed} with 2x headroom); "
            f"{needed_dedicated} with a core each ({2 * needed_dedicated} with 2x headroom)"
        )
    finally:
        stop(processes)
        server.stop()


if __name__ == "__main__":
    main()
