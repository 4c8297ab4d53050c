"""What the end-to-end benchmarks share: the site's processes and Mailhawk's customer zones.

bench/bulk_checks.py and bench/load.py each run the site as separate
processes (a DNS server, manage.py commands, a web server) and serve customer
domains set up correctly for the test vendor Mailhawk (tests/factories.py).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CREATE_VENDOR = "from tests.factories import make_mailhawk; make_mailhawk()"


def mailhawk_customer(name: str, dmarc: str = "v=DMARC1; p=reject") -> list[str]:
    """Zone lines for a customer domain `name` with Mailhawk's SPF, DKIM and bounce records."""
    return [
        f"{name} MX 10 mx.{name}",
        f"mx.{name} A 192.0.2.30",
        f'{name} TXT "v=spf1 mx include:_spf.mailhawk.test -all"',
        f'_dmarc.{name} TXT "{dmarc}"',
        f"s1._domainkey.{name} CNAME s1.dkim.u7001.mailhawk.test.",
        f"s2._domainkey.{name} CNAME s2.dkim.u7001.mailhawk.test.",
        f"bounces.{name} CNAME u7001.bounce.mailhawk.test.",
    ]


def fresh_postgres(url: str) -> str:
    """A new empty database on the server of `url` (postgres://user@host:port/name)."""
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def drop_postgres(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str, env: dict) -> str:
    """Run one manage.py command in `env`; its output, or exit with its error."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def wait_for(url: str, seconds: float = 60) -> None:
    """Return once `url` answers, or exit after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - localhost
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def stop(processes: list[subprocess.Popen]) -> None:
    """Terminate the processes, last started first; kill one that does not exit in 10 s."""
    for process in reversed(processes):
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
