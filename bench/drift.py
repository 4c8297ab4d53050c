"""Benchmark: the drift monitor over a large catalog, against a DNS server with latency.

A fresh database (a temporary SQLite file, or --database-url) gets --vendors
vendors, each pointing customers at an SPF include (with one nested include),
a DKIM CNAME target, a bounce CNAME target and an MX host, all served by the
test DNS server (tests/dnsserver.py) in its own process with --latency seconds
per answer. Every tenth vendor's DKIM target is gone (NXDOMAIN), so reports are
opened too. Then `manage.py check_vendor_dns --format json` runs as it would
from cron, and the benchmark reports vendors checked per second, those left
for a next run, reports opened, and the command's peak resident memory.

    .venv/bin/python bench/drift.py [--vendors 2000] [--latency 0.02] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sitestack import manage  # noqa: E402

from tests.checker.helpers import RSA_2048_SPKI  # noqa: E402
from tests.dnsserver_process import spawn_server  # noqa: E402

# Vendors built in bulk (make_vendor validates each one: too slow for ten thousand).
CREATE_VENDORS = """
import datetime as dt, os
from sources.models import Category, RecordRequirement, SetupMethod, Vendor
count = int(os.environ["DRIFT_BENCH_VENDORS"])
category = Category.objects.get_or_create(slug="transactional-email", name="Transactional")[0]
vendors = Vendor.objects.bulk_create(
    Vendor(slug=f"v{i:05d}", name=f"Vendor {i:05d}", website="https://vendors.test/",
           summary="A benchmark vendor.", last_verified=dt.date(2026, 1, 1))
    for i in range(count)
)
Vendor.categories.through.objects.bulk_create(
    Vendor.categories.through(vendor=v, category=category) for v in vendors
)
methods = SetupMethod.objects.bulk_create(
    SetupMethod(vendor=v, kind="cname-delegation", title="CNAMEs", steps="Add them.")
    for v in vendors
)
records = []
for i, method in enumerate(methods):
    zone = f"v{i:05d}.vendors.test"
    records += [
        RecordRequirement(method=method, record_id="spf", rtype="TXT", host="{domain}",
                          value=f"include:_spf.{zone}", check_type="spf-include", purpose="spf"),
        RecordRequirement(method=method, record_id="dkim", rtype="CNAME",
                          host="s1._domainkey.{domain}", value=f"dkim.{zone}",
                          check_type="dkim-key", purpose="dkim", selector="s1"),
        RecordRequirement(method=method, record_id="bounce", rtype="CNAME",
                          host="bounce.{domain}", value=f"bounce.{zone}", purpose="return-path"),
        RecordRequirement(method=method, record_id="mx", rtype="MX", host="mail.{domain}",
                          value=f"mx.{zone}", priority=10, purpose="return-path"),
        RecordRequirement(method=method, record_id="dkim2", rtype="CNAME",
                          host="s2._domainkey.{domain}", value="s2.u{account_id}." + zone,
                          check_type="dkim-key", purpose="dkim", selector="s2"),
    ]
RecordRequirement.objects.bulk_create(records, batch_size=2000)
"""


def vendors_zone(count: int) -> str:
    key = f'"{RSA_2048_SPKI[:200]}" "{RSA_2048_SPKI[200:]}"'
    lines = ["$ORIGIN vendors.test.", "$TTL 300", "@ SOA ns1 hostmaster 1 3600 600 86400 300"]
    for i in range(count):
        v = f"v{i:05d}"
        lines += [
            f'_spf.{v} TXT "v=spf1 include:_net.{v}.vendors.test ip4:192.0.2.0/24 -all"',
            f'_net.{v} TXT "v=spf1 ip4:198.51.100.0/24 -all"',
            f'bounce.{v} TXT "v=spf1 include:_spf.{v}.vendors.test -all"',
            f"mx.{v} A 192.0.2.10",
        ]
        if i % 10:
            lines.append(f'dkim.{v} TXT "v=DKIM1; k=rsa; p=" {key}')
    return "\n".join(lines) + "\n"


def peak_memory_kb(pid: int) -> int:
    """The process's peak resident set size so far (VmHWM), in kB; 0 once it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per DNS answer")
    parser.add_argument("--concurrency", type=int, default=20, help="VENDOR_DNS_CONCURRENCY")
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--profile", metavar="FILE", help="write the command's cProfile here")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="drift-bench-"))
    server = spawn_server(latency=args.latency)
    try:
        server.add_zone_text(vendors_zone(args.vendors))
        env = {
            **os.environ,
            "DATABASE_URL": args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
            "CHECKER_NAMESERVERS": server.address,
            "CHECKER_TIMEOUT": "5",
            "VENDOR_DNS_CONCURRENCY": str(args.concurrency),
            "MODERATOR_DIGEST_DELAY": "0",
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key",
            "LOG_LEVEL": "WARNING",
            "DRIFT_BENCH_VENDORS": str(args.vendors),
        }
        manage("migrate", "--noinput", env=env)
        manage("shell", "-c", CREATE_VENDORS, env=env)
        server.reset_count()
        started = time.monotonic()
        output = (tmp / "out.json").open("w+")
        errors = (tmp / "err.txt").open("w+")
        command = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                *(["-m", "cProfile", "-o", args.profile] if args.profile else []),
                "manage.py",
                "check_vendor_dns",
                "--format",
                "json",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,  # a file: a pipe nobody reads while polling would fill up
            stderr=errors,
        )
        peak_kb = 0
        while command.poll() is None:
            peak_kb = max(peak_kb, peak_memory_kb(command.pid))
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        output.seek(0)
        errors.seek(0)
        if command.returncode not in (0, 1):
            raise SystemExit(f"check_vendor_dns failed:\n{errors.read()[-3000:]}")
        result = json.load(output)
        print(
            json.dumps(
                {
                    "vendors": args.vendors,
                    "latency_s": args.latency,
                    "concurrency": args.concurrency,
                    "checked": result["checked"],
                    "left": result["left"],
                    "with_findings": result["with_findings"],
                    "reports_opened": result["reports_opened"],
                    "dns_queries": server.query_count,
                    "seconds": round(elapsed, 1),
                    "vendors_per_second": round(result["checked"] / elapsed, 1),
                    "peak_rss_mb": round(peak_kb / 1024, 1),
                },
                indent=2,
            )
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
