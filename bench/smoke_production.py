"""Smoke test of the production set-up (docs/deploy.md), end to end, on this machine.

Starts what the deployment guide describes, with production settings: gunicorn
with uvicorn's ASGI worker (two processes, shared Prometheus counters),
PostgreSQL (a fresh database on 127.0.0.1:5432), Redis, and the two task
workers (queues `default` and `bulk`). The checker asks the test DNS server
(tests/dnsserver.py) in a child process. Requests carry `X-Forwarded-Proto:
https` as the reverse proxy sets it. Then it checks, printing each step:

- /healthz by IP address, /readyz ready with the workers up;
- the home page and its static files, search, a vendor page, the API and its schema;
- a single check through the API (pass) and a bulk check run by the bulk worker;
- a moderator made with create_moderator signs in to the admin;
- /metrics with its token counts the checks, summed over both web processes;
- the JSON logs carry the request id a response returned;
- a pg_dump of the database restores into another one with the same rows;
- /readyz says "not ready" once the workers stop, and ready again once one is back;
- with --stop-database: /readyz names the database while PostgreSQL is stopped,
  and is ready again after it starts (pg_ctlcluster; used by CI).

Exit status 0 when every step passed.

    .venv/bin/python bench/smoke_production.py [--stop-database]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
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

ZONE_ORIGIN = "smoke.test"
BULK_DOMAINS = 20
failures: list[str] = []


def step(name: str, ok: bool, detail: str = "") -> bool:
    print(f"  {'ok  ' if ok else 'FAIL'}  {name}" + (f": {detail}" if detail else ""), flush=True)
    if not ok:
        failures.append(name)
    return ok


def zone() -> str:
    lines = [
        f"$ORIGIN {ZONE_ORIGIN}.",
        "$TTL 300",
        "@ SOA ns1.mailhawk.test. hostmaster 1 3600 600 86400 300",
    ]
    lines += mailhawk_customer("shop")
    for index in range(BULK_DOMAINS):
        lines += mailhawk_customer(f"c{index:02d}")
    return "\n".join(lines) + "\n"


class Client:
    """HTTP as the reverse proxy forwards it (HTTPS said by X-Forwarded-Proto)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body=None, headers=None, form=None):
        data = None
        sent = {"X-Forwarded-Proto": "https", **(headers or {})}
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
            response = opener.open(request, timeout=30)  # noqa: S310
        except urllib.error.HTTPError as exc:
            response = exc
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers, response.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def ready(client: Client) -> tuple[int, dict]:
    status, _, body = client.request("GET", "/readyz", headers={"Host": "10.0.0.1"})
    return status, json.loads(body)


def wait_ready(client: Client, want: int, seconds: float = 30) -> tuple[int, dict]:
    deadline = time.monotonic() + seconds
    status, body = ready(client)
    while status != want and time.monotonic() < deadline:
        time.sleep(0.5)
        status, body = ready(client)
    return status, body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/smoke_production"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--stop-database", action="store_true", help="stop and start PostgreSQL")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.dnsserver_process import spawn_server

    tmp = Path(tempfile.mkdtemp(prefix="smoke-production-"))
    (tmp / "metrics").mkdir()
    dns = spawn_server()
    dns.add_zone_text((ROOT / "tests" / "zones" / "customer-mailhawk.zone").read_text())
    dns.add_zone_text(zone())
    port = free_port()
    metrics_token = secrets.token_urlsafe(24)
    env = {
        **os.environ,
        "DATABASE_URL": fresh_postgres(args.database_url),
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": f"smoke-{os.getpid()}",
        "DB_POOL_SIZE": "5",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "NUM_PROXIES": "1",
        "CHECKER_NAMESERVERS": dns.address,
        "CHECKER_ALLOW_TEST_DOMAINS": "true",  # the smoke zones are under .test
        "METRICS_TOKEN": metrics_token,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp / "metrics"),
        "WORKER_HEARTBEAT_SECONDS": "1",
        "WORKER_STALE_SECONDS": "4",
        "LOG_FORMAT": "json",
        "MODERATOR_PASSWORD": secrets.token_urlsafe(16),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    bindir = Path(sys.executable).parent
    processes: list[subprocess.Popen] = []
    workers: list[subprocess.Popen] = []
    site_log = (tmp / "site.log").open("w+")

    def start_workers() -> None:
        for queue in ("default", "bulk"):
            worker = subprocess.Popen(  # noqa: S603
                [sys.executable, "manage.py", "task_worker", "--queue-name", queue],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            workers.append(worker)
            processes.append(worker)

    try:
        print("Setting up (migrate, collectstatic, import_catalog, create_moderator)", flush=True)
        manage("migrate", "--noinput", env=env)
        manage("collectstatic", "--noinput", env=env)
        manage("import_catalog", env=env)
        manage("shell", "-c", CREATE_VENDOR, env=env)
        manage(
            "create_moderator", "smoke-moderator", "moderator@example.org", "--no-input", env=env
        )
        command = [str(bindir / "gunicorn"), "directory.asgi:application"]
        command += ["-k", "uvicorn_worker.UvicornWorker", "--workers", "2"]
        command += ["--bind", f"127.0.0.1:{port}", "--timeout", "30", "--no-control-socket"]
        processes.append(
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=site_log, stderr=site_log)  # noqa: S603
        )
        start_workers()
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/healthz")
        client = Client(base)
        print(f"Stack: gunicorn x2 on {base}, PostgreSQL, Redis, task workers default + bulk")

        status, _, body = client.request("GET", "/healthz", headers={"Host": "10.0.0.1"})
        step(
            "/healthz answers a probe by address",
            status == 200 and json.loads(body)["status"] == "ok",
        )
        status, body = wait_ready(client, 200)
        step(
            "/readyz is ready with the workers up",
            status == 200,
            json.dumps(body["checks"]["worker"]),
        )

        status, headers, page = client.request("GET", "/")
        html = page.decode()
        step("home page", status == 200 and "X-Request-ID" in headers)
        css = (
            html.split('href="/static/css/', 1)[1].split('"', 1)[0]
            if "/static/css/" in html
            else ""
        )
        status, headers, _ = client.request("GET", "/static/css/" + css)
        step(
            "static files (hashed, cached for ever)",
            status == 200 and "immutable" in headers.get("Cache-Control", ""),
            css,
        )
        status, _, page = client.request("GET", "/search/?q=sendgrid")
        step("search", status == 200 and b"SendGrid" in page)
        status, _, page = client.request("GET", "/vendors/mailhawk/")
        step("vendor page", status == 200 and b"Mailhawk" in page)
        status, _, body = client.request("GET", "/api/v1/vendors?q=postmark")
        step("API vendor search", status == 200 and "postmark" in body.decode())
        status, _, body = client.request("GET", "/api/v1/schema/")
        step("OpenAPI schema", status == 200 and body.startswith(b"openapi"))

        check = {
            "domain": f"shop.{ZONE_ORIGIN}",
            "vendor": "mailhawk",
            "parameters": {"account_id": "7001"},
        }
        status, headers, body = client.request("POST", "/api/v1/checks", check)
        result = json.loads(body)
        request_id = headers.get("X-Request-ID", "")
        step(
            "API check passes",
            status == 201 and result.get("verdict") == "pass",
            result.get("verdict", body[:200]),
        )

        domains = [f"c{index:02d}.{ZONE_ORIGIN}" for index in range(BULK_DOMAINS)]
        bulk = {"domains": domains, "vendor": "mailhawk", "parameters": {"account_id": "7001"}}
        status, headers, body = client.request("POST", "/api/v1/bulk-checks", bulk)
        location = headers.get("Location", "")
        state = {}
        deadline = time.monotonic() + 120
        while status in (201, 202) and time.monotonic() < deadline:
            _, _, body = client.request("GET", location.replace(base, ""))
            state = json.loads(body)
            if state["status"] in ("done", "failed"):
                break
            time.sleep(0.5)
        step(
            f"bulk check of {BULK_DOMAINS} domains run by the bulk worker",
            state.get("status") == "done" and state.get("counts", {}).get("pass") == BULK_DOMAINS,
            f"{state.get('status')} {state.get('counts')}",
        )

        client.request("GET", "/admin/login/")
        token = client.cookies.get("csrftoken", "")
        status, headers, _ = client.request(
            "POST",
            "/admin/login/?next=/admin/",
            form={
                "csrfmiddlewaretoken": token,
                "username": "smoke-moderator",
                "password": env["MODERATOR_PASSWORD"],
                "next": "/admin/",
            },
            headers={
                "Referer": f"https://127.0.0.1:{port}/admin/login/",
                "Origin": f"https://127.0.0.1:{port}",
            },
        )
        status_admin, _, page = client.request("GET", "/admin/sources/submission/")
        step(
            "the moderator signs in and sees the queue",
            status == 302 and status_admin == 200,
            f"{status} then {status_admin}",
        )

        status, _, _ = client.request("GET", "/metrics")
        denied = status == 403
        status, _, body = client.request(
            "GET", "/metrics", headers={"Authorization": f"Bearer {metrics_token}"}
        )
        text = body.decode()
        checks = sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("directory_checks_total{")
        )
        step(
            "/metrics needs its token and counts the API check",
            denied and status == 200 and checks >= 1,
            f"{checks:g} checks",
        )

        site_log.flush()
        site_log.seek(0)
        entries = []
        for line in site_log:
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue
        mine = [
            e
            for e in entries
            if e.get("request_id") == request_id and e.get("path") == "/api/v1/checks"
        ]
        step("JSON access log carries the response's request id", bool(mine), request_id)

        dump = tmp / "backup.dump"
        url = env["DATABASE_URL"]
        restored_url = url + "_restore"
        subprocess.run(["pg_dump", "-Fc", "-f", str(dump), url], check=True)  # noqa: S603, S607
        fresh_postgres(restored_url)
        subprocess.run(["pg_restore", "--no-owner", "-d", restored_url, str(dump)], check=True)  # noqa: S603, S607
        count = (
            "from sources.models import Vendor, CheckResult;"
            "print(Vendor.objects.count(), CheckResult.objects.count())"
        )
        here = manage("shell", "-c", count, env=env).strip().splitlines()[-1]
        there = manage("shell", "-c", count, env={**env, "DATABASE_URL": restored_url})
        there = there.strip().splitlines()[-1]
        drop_postgres(restored_url)
        step(
            "pg_dump restores into a new database with the same rows",
            here == there,
            f"vendors, checks: {here} / {there}",
        )

        stop(workers)
        workers.clear()
        status, body = wait_ready(client, 503)
        step(
            "/readyz not ready once the workers stop",
            status == 503 and not body["checks"]["worker"]["ok"],
            body["checks"]["worker"].get("detail", ""),
        )
        start_workers()
        status, _ = wait_ready(client, 200)
        step("/readyz ready again once a worker is back", status == 200)

        if args.stop_database:
            cluster = os.listdir("/etc/postgresql")[0]
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "stop"], check=True
            )  # noqa: S603, S607
            try:
                status, body = wait_ready(client, 503)
                step(
                    "/readyz names the database while PostgreSQL is stopped",
                    status == 503 and not body["checks"]["database"]["ok"],
                    body["checks"]["database"].get("detail", ""),
                )
                status, _, _ = client.request("GET", "/healthz")
                step("/healthz still answers (the process lives)", status == 200)
            finally:
                subprocess.run(
                    ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "start"],
                    check=True,
                )  # noqa: S603, S607
            status, _ = wait_ready(client, 200, seconds=60)
            step("/readyz ready again after PostgreSQL starts", status == 200)
    finally:
        stop(processes)
        dns.stop()
        site_log.close()
        try:
            drop_postgres(args.database_url)
        except Exception as exc:  # noqa: BLE001 - cleaning up; the result is already known
            print(f"(could not drop the smoke database: {exc})")
    print("\nSmoke test: " + ("passed" if not failures else f"FAILED ({', '.join(failures)})"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
