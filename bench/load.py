"""Load test: mixed traffic against the production set-up, with a client whose DNS is slow.

The site runs as the README's production section says: gunicorn with uvicorn's
ASGI worker (--workers, 2 by default), PostgreSQL (a fresh database on
127.0.0.1:5432 unless --database-url), Redis for the shared rate limits and
check counters, the real catalog (import_catalog) plus the test vendor
Mailhawk. The test DNS server runs in its own process; its `slow.load.test`
answers every query after --slow-delay seconds (4.5 s, as in the security
review of issue 12).

Locust (the `bench` dependency group) then runs bench/load_traffic.py for
--duration seconds:
- visitors, each from its own address (X-Forwarded-For, NUM_PROXIES=1):
  vendor pages, search, the API's vendor list, API checks and web checks
  (the form, then a POST with its CSRF token) of a domain with fast DNS;
- the slow-DNS client: four users from one address, checking slow.load.test
  through the API, 24 a minute as in the review (its checks end at
  CHECK_TIME_BUDGET with a partial result; beyond CHECK_CONCURRENCY at once
  it gets 429).

Printed: requests per second, p95 per kind of request, the errors other than
429 (there should be none), and whether every check answered 201 was stored.

    .venv/bin/python -m pip install --group bench
    .venv/bin/python bench/load.py [--users 30] [--duration 60] [--workers 2]
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sitestack import (
    CREATE_VENDOR,
    ROOT,
    free_port,
    fresh_postgres,
    mailhawk_customer,
    manage,
    stop,
    wait_for,
)

LOCUSTFILE = Path(__file__).with_name("load_traffic.py")
SLOW = "slow.load.test"
SLOW_CLIENTS = 4  # load_traffic.SlowDNSClient.fixed_count
COUNT_CHECKS = "from sources.models import CheckResult; print(CheckResult.objects.count())"
CHECK_KINDS = ("api check", "web check", "slow check")


def zone() -> str:
    lines = [
        "$ORIGIN load.test.",
        "$TTL 300",
        "@ SOA ns1.mailhawk.test. hostmaster 1 3600 600 86400 300",
    ]
    for name in ("fast", "slow"):
        lines += mailhawk_customer(name)
    return "\n".join(lines) + "\n"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


def report(prefix: Path, duration: float, stored: int) -> None:
    rows = read_csv(Path(f"{prefix}_stats.csv"))
    failures = read_csv(Path(f"{prefix}_failures.csv"))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    print(f"duration:         {duration:.0f} s")
    print(f"requests:         {total['Request Count']} ({float(total['Requests/s']):.1f}/s)")
    print(f"{'kind':<14}{'requests':>10}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'429s':>7}")
    throttled = {}
    for row in failures:
        if "'429'" in row["Error"]:
            throttled[row["Name"]] = throttled.get(row["Name"], 0) + int(row["Occurrences"])
    for row in rows:
        if row["Name"] == "Aggregated":
            continue
        print(
            f"{row['Name']:<14}{row['Request Count']:>10}{row['50%']:>9}{row['95%']:>9}"
            f"{float(row['Max Response Time']):>9.0f}{throttled.get(row['Name'], 0):>7}"
        )
    errors = [row for row in failures if "'429'" not in row["Error"]]
    print(f"errors other than 429: {sum(int(row['Occurrences']) for row in errors)}")
    for row in errors:
        print(f"  {row['Name']}: {row['Error']} x{row['Occurrences']}")
    answered = sum(
        int(row["Request Count"]) - int(row["Failure Count"])
        for row in rows
        if row["Name"] in CHECK_KINDS
    )
    # A check still running when locust stops is stored without its answer being read.
    print(f"checks answered 201: {answered}; stored: {stored} (nothing lost: {stored >= answered})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=30, help="visitors (plus 4 slow clients)")
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--slow-delay", type=float, default=4.5, help="seconds")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/load_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.dnsserver_process import spawn_server

    tmp = Path(tempfile.mkdtemp(prefix="load-bench-"))
    dns = spawn_server()
    dns.add_zone_text((ROOT / "tests" / "zones" / "customer-mailhawk.zone").read_text())
    dns.add_zone_text(zone())
    dns.set_delay(SLOW, args.slow_delay)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": fresh_postgres(args.database_url)
        if args.database_url.startswith("postgres")
        else args.database_url,
        "REDIS_URL": args.redis_url,
        "DB_POOL_SIZE": "10",
        "CACHE_KEY_PREFIX": f"load-bench-{os.getpid()}",
        "CHECKER_NAMESERVERS": dns.address,
        "CHECKER_ALLOW_TEST_DOMAINS": "true",  # the bench's zones are under .test
        "NUM_PROXIES": "1",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    processes: list[subprocess.Popen] = []
    try:
        manage("migrate", "--noinput", env=env)
        manage("collectstatic", "--noinput", env=env)
        manage("import_catalog", env=env)
        manage("shell", "-c", CREATE_VENDOR, env=env)
        command = ["gunicorn", "directory.asgi:application", "-k", "uvicorn_worker.UvicornWorker"]
        command += ["--workers", str(args.workers), "--bind", f"127.0.0.1:{port}"]
        command += ["--timeout", "30", "--no-control-socket", "--log-level", "warning"]
        # Idle connections outlive the visitors' pauses (up to 2 s): otherwise a request
        # can race the server closing its connection, a client-side error in any set-up.
        command += ["--keep-alive", "10"]
        site = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).with_name(command[0])), *command[1:]], cwd=ROOT, env=env
        )
        processes.append(site)
        wait_for(base + "/")
        prefix = tmp / "locust"
        started = time.monotonic()
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--users",
                str(args.users + SLOW_CLIENTS),
                "--spawn-rate",
                str(args.users),
                "--run-time",
                f"{args.duration}s",
                "--host",
                base,
                "--csv",
                str(prefix),
                "--stop-timeout",
                "20",
                "--only-summary",
                "--loglevel",
                "ERROR",
            ],
            cwd=ROOT,
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
        )
        duration = time.monotonic() - started
        stored = int(manage("shell", "-c", COUNT_CHECKS, env=env).strip().splitlines()[-1])
        print(f"site: gunicorn + uvicorn worker x{args.workers}, {env['DATABASE_URL']}, Redis")
        print(f"traffic: {args.users} visitors + {SLOW_CLIENTS} slow-DNS clients")
        report(prefix, duration, stored)
    finally:
        stop(processes)
        dns.stop()


if __name__ == "__main__":
    main()
