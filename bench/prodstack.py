"""The production stack on one machine, for the smoke, soak and fault benchmarks.

gunicorn with uvicorn's ASGI worker, PostgreSQL (a fresh database), Redis, the
task workers for the `default` and `bulk` queues, and the test DNS server
serving Mailhawk and customer domains under `prod.test`, all with production
settings (DEBUG off, JSON logs, HTTPS said by the proxy header).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from sitestack import (
    CREATE_VENDOR,
    ROOT,
    drop_postgres,
    free_port,
    fresh_postgres,
    mailhawk_customer,
    manage,
    stop,
    wait_for,
)

ORIGIN = "prod.test"


def zone(customers: int) -> str:
    lines = [
        f"$ORIGIN {ORIGIN}.",
        "$TTL 300",
        "@ SOA ns1.mailhawk.test. hostmaster 1 3600 600 86400 300",
    ]
    lines += mailhawk_customer("shop")
    for index in range(customers):
        lines += mailhawk_customer(f"c{index:04d}")
    return "\n".join(lines) + "\n"


def customer(index: int) -> str:
    return f"c{index:04d}.{ORIGIN}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """HTTP as the reverse proxy forwards it (HTTPS said by X-Forwarded-Proto)."""

    def __init__(self, base: str, address: str = "") -> None:
        self.base = base
        self.address = address  # X-Forwarded-For: the visitor this client plays
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body=None, headers=None, form=None, timeout=30):
        data = None
        sent = {"X-Forwarded-Proto": "https", **(headers or {})}
        if self.address:
            sent["X-Forwarded-For"] = self.address
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        url = self.base + path  # always http://127.0.0.1:<port>
        request = urllib.request.Request(url, data=data, method=method, headers=sent)  # noqa: S310
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            response = opener.open(request, timeout=timeout)  # noqa: S310
        except urllib.error.HTTPError as exc:
            response = exc
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers, response.read()


class Stack:
    """Start with `with Stack(...) as stack:`; everything stops on the way out."""

    def __init__(
        self,
        *,
        customers: int = 20,
        web_workers: int = 2,
        database_url: str = "postgres://postgres@127.0.0.1:5432/prod_stack",
        redis_url: str = "redis://127.0.0.1:6379/0",
        latency: float = 0.0,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        sys.path.insert(0, str(ROOT))
        from tests.dnsserver_process import spawn_server

        self.tmp = Path(tempfile.mkdtemp(prefix="prod-stack-"))
        (self.tmp / "metrics").mkdir()
        self.dns = spawn_server(latency=latency)
        self.dns.add_zone_text((ROOT / "tests" / "zones" / "customer-mailhawk.zone").read_text())
        self.dns.add_zone_text(zone(customers))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.metrics_token = secrets.token_urlsafe(24)
        self.database_url = database_url
        self.web_workers = web_workers
        self.env = {
            **os.environ,
            "DATABASE_URL": fresh_postgres(database_url),
            "REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": f"prod-stack-{os.getpid()}",
            "DB_POOL_SIZE": "5",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "NUM_PROXIES": "1",
            "CHECKER_NAMESERVERS": self.dns.address,
            "CHECKER_ALLOW_TEST_DOMAINS": "true",  # the stack's zones are under .test
            "METRICS_TOKEN": self.metrics_token,
            "PROMETHEUS_MULTIPROC_DIR": str(self.tmp / "metrics"),
            "WORKER_HEARTBEAT_SECONDS": "1",
            "WORKER_STALE_SECONDS": "4",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
            "MODERATOR_PASSWORD": secrets.token_urlsafe(16),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            **(extra_env or {}),
        }
        self.site: subprocess.Popen | None = None
        self.workers: dict[str, subprocess.Popen] = {}
        self.site_log = (self.tmp / "site.log").open("w+")

    # -- lifecycle ---------------------------------------------------------------------

    def __enter__(self) -> Stack:
        manage("migrate", "--noinput", env=self.env)
        manage("collectstatic", "--noinput", env=self.env)
        manage("import_catalog", env=self.env)
        manage("shell", "-c", CREATE_VENDOR, env=self.env)
        manage("create_moderator", "moderator", "moderator@example.org", "--no-input", env=self.env)
        self.start_site()
        for queue in ("default", "bulk"):
            self.start_worker(queue)
        wait_for(self.base + "/healthz")
        return self

    def __exit__(self, *exc) -> None:
        stop([p for p in [self.site, *self.workers.values()] if p is not None])
        self.dns.stop()
        self.site_log.close()
        try:
            drop_postgres(self.database_url)
        except Exception as error:  # noqa: BLE001 - cleaning up; the result is already known
            print(f"(could not drop the stack's database: {error})")

    def start_site(self) -> None:
        bindir = Path(sys.executable).parent
        command = [str(bindir / "gunicorn"), "directory.asgi:application"]
        command += ["-k", "uvicorn_worker.UvicornWorker", "--workers", str(self.web_workers)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--timeout", "30", "--no-control-socket"]
        command += ["--keep-alive", "10"]
        self.site = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=self.env, stdout=self.site_log, stderr=self.site_log
        )

    def start_worker(self, queue: str) -> subprocess.Popen:
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "task_worker", "--queue-name", queue],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.workers[queue] = worker
        return worker

    def stop_workers(self) -> None:
        stop(list(self.workers.values()))
        self.workers.clear()

    def kill_worker(self, queue: str) -> None:
        """kill -9 a task worker, then start another, as its supervisor would."""
        self.workers[queue].send_signal(signal.SIGKILL)
        self.workers[queue].wait()
        self.start_worker(queue)

    def web_worker_pids(self) -> list[int]:
        assert self.site is not None
        children = Path(f"/proc/{self.site.pid}/task/{self.site.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill_web_worker(self) -> int:
        """kill -9 one gunicorn worker process; gunicorn's master starts another."""
        pid = self.web_worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def processes(self) -> dict[str, int]:
        """Every process of the stack by role, for memory sampling."""
        assert self.site is not None
        found = {"gunicorn master": self.site.pid, "dns server": self.dns.pid}
        for index, pid in enumerate(self.web_worker_pids()):
            found[f"web worker {index + 1}"] = pid
        for queue, worker in self.workers.items():
            found[f"task worker {queue}"] = worker.pid
        return found

    # -- reading the stack ---------------------------------------------------------------

    def client(self, address: str = "") -> Client:
        return Client(self.base, address)

    def ready(self) -> tuple[int, dict]:
        status, _, body = self.client().request("GET", "/readyz", headers={"Host": "10.0.0.1"})
        return status, json.loads(body)

    def wait_ready(self, want: int, seconds: float = 30) -> tuple[int, dict]:
        deadline = time.monotonic() + seconds
        status, body = self.ready()
        while status != want and time.monotonic() < deadline:
            time.sleep(0.5)
            status, body = self.ready()
        return status, body

    def shell(self, code: str) -> str:
        return manage("shell", "-c", code, env=self.env).strip().splitlines()[-1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process now (VmRSS), in MB; 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return 0.0
    return 0.0


def pg_cluster(action: str) -> None:
    cluster = os.listdir("/etc/postgresql")[0]
    subprocess.run(  # noqa: S603
        ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", action],  # noqa: S607
        check=True,
    )
