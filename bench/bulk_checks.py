"""Benchmark: a bulk check of 1,000 domains through the API, run by the real task worker.

Everything runs as it would in production, each part in its own process:
the test DNS server (tests/dnsserver.py, with a fixed latency per query), a
fresh database (a temporary SQLite file, or --database-url), the site under
`manage.py runserver`, and `manage.py db_worker`. The customer domains are
copies of tests/zones/customer-domains.zone's fully correct set-up for the
vendor Mailhawk (tests/factories.py).

The bulk is posted to POST /api/v1/bulk-checks and followed with
GET /api/v1/bulk-checks/{id} until it is done. Reported: domains per second
(from the moment the worker started the task to its end, and from the POST),
and the worker's peak resident memory (VmHWM from /proc).

    .venv/bin/python bench/bulk_checks.py [--domains 1000] [--latency 0.02]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sitestack import CREATE_VENDOR, free_port, mailhawk_customer, manage, stop, wait_for  # noqa: E402

from tests.dnsserver_process import spawn_server  # noqa: E402

ZONES = ROOT / "tests" / "zones"


def customer_zone(count: int) -> str:
    lines = [
        "$ORIGIN bulk.",
        "$TTL 300",
        "@ SOA ns1.mailhawk.test. hostmaster 1 3600 600 86400 300",
    ]
    for i in range(count):
        name = f"c{i:05d}"
        lines += mailhawk_customer(name, f"v=DMARC1; p=reject; rua=mailto:dmarc@{name}.bulk")
    return "\n".join(lines) + "\n"


def http(method: str, url: str, body: dict | None = None) -> tuple[int, dict, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - localhost
    request.add_header("Content-Type", "application/json")
    request.add_header("Accept", "application/json")
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - localhost
        return response.status, dict(response.headers), json.loads(response.read())


def peak_memory_kb(pid: int) -> int:
    """The process's peak resident set size so far (VmHWM), in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per DNS answer")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bulk-bench-"))
    server = spawn_server(latency=args.latency)
    for path in (ZONES / "customer-mailhawk.zone",):
        server.add_zone_text(path.read_text())
    server.add_zone_text(customer_zone(args.domains))
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
        "CHECKER_NAMESERVERS": server.address,
        "CHECKER_TIMEOUT": "5",
        "BULK_CHECK_MAX_DOMAINS": str(max(args.domains, 5000)),
        "BULK_CHECK_CONCURRENCY": str(args.concurrency),
        "BULK_CHECK_RATE": "1000/min",
        "API_ANON_RATE": "100000/min",  # the progress polls
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key",
        "CHECKER_ALLOW_TEST_DOMAINS": "true",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    processes: list[subprocess.Popen] = []
    try:
        manage("migrate", "--noinput", env=env)
        manage("shell", "-c", CREATE_VENDOR, env=env)
        site = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env={**env, "DEBUG": "true"},  # runserver serves static files only with DEBUG
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(site)
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/")
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "task_worker", "--queue-name", "*", "--no-startup-delay"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        processes.append(worker)
        time.sleep(1.0)  # let the worker start polling
        baseline_kb = peak_memory_kb(worker.pid)

        domains = [f"c{i:05d}.bulk" for i in range(args.domains)]
        body = {"domains": domains, "vendor": "mailhawk", "parameters": {"account_id": "7001"}}
        posted = time.monotonic()
        status, headers, created = http("POST", base + "/api/v1/bulk-checks", body)
        assert status in (201, 202), (status, created)
        location = headers.get("Location") or f"/api/v1/bulk-checks/{created['id']}"
        url = location if location.startswith("http") else base + location
        peak_kb = baseline_kb
        while True:
            _, _, state = http("GET", url)
            peak_kb = max(peak_kb, peak_memory_kb(worker.pid))
            if state["status"] in ("done", "failed"):
                break
            time.sleep(0.25)
        wall = time.monotonic() - posted
        peak_kb = max(peak_kb, peak_memory_kb(worker.pid))
        started = dt.datetime.fromisoformat(state["started_at"])
        finished = dt.datetime.fromisoformat(state["finished_at"])
        task_seconds = (finished - started).total_seconds()
        print(f"domains:            {state['done']} of {state['total']} ({state['status']})")
        print(f"verdicts:           {state['counts']}")
        print(f"DNS latency:        {args.latency * 1000:.0f} ms per query")
        print(f"concurrency:        {args.concurrency}")
        rate = state["done"] / task_seconds
        print(f"task time:          {task_seconds:.2f} s -> {rate:.0f} domains/s")
        print(f"POST to done:       {wall:.2f} s -> {state['done'] / wall:.0f} domains/s")
        idle = baseline_kb / 1024
        print(f"worker peak memory: {peak_kb / 1024:.0f} MB (idle worker: {idle:.0f} MB)")
        print(f"DNS queries:        {server.query_count}")
    finally:
        stop(processes)
        server.stop()


if __name__ == "__main__":
    main()
