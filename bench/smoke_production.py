"""Smoke test of the production set-up (docs/deploy.md), end to end, on this machine.

Starts what the deployment guide describes, with production settings: gunicorn
with uvicorn's ASGI worker (two processes, shared Prometheus counters),
PostgreSQL (a fresh database on 127.0.0.1:5432), Redis, and a task
worker per queue (`default`, `bulk`, `monitor`). The checker asks the test DNS server
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
import subprocess
import sys
import time

from prodstack import QUEUES, Stack, customer, pg_cluster
from sitestack import drop_postgres, fresh_postgres

BULK_DOMAINS = 20
failures: list[str] = []


def step(name: str, ok: bool, detail: str = "") -> bool:
    print(f"  {'ok  ' if ok else 'FAIL'}  {name}" + (f": {detail}" if detail else ""), flush=True)
    if not ok:
        failures.append(name)
    return ok


def site_checks(stack: Stack) -> str:
    """Pages, API, a check and a bulk; the request id of the API check."""
    client = stack.client()
    status, _, body = client.request("GET", "/healthz", headers={"Host": "10.0.0.1"})
    step(
        "/healthz answers a probe by address", status == 200 and json.loads(body)["status"] == "ok"
    )
    status, body = stack.wait_ready(200)
    step(
        "/readyz is ready with the workers up", status == 200, json.dumps(body["checks"]["worker"])
    )

    status, headers, page = client.request("GET", "/")
    html = page.decode()
    step("home page", status == 200 and "X-Request-ID" in headers)
    css = html.split('href="/static/css/', 1)[1].split('"', 1)[0] if "/static/css/" in html else ""
    status, headers, _ = client.request("GET", "/static/css/" + css)
    cached = "immutable" in headers.get("Cache-Control", "")
    step("static files (hashed, cached for ever)", status == 200 and cached, css)
    status, _, page = client.request("GET", "/search/?q=sendgrid")
    step("search", status == 200 and b"SendGrid" in page)
    status, _, page = client.request("GET", "/vendors/mailhawk/")
    step("vendor page", status == 200 and b"Mailhawk" in page)
    status, _, body = client.request("GET", "/api/v1/vendors?q=postmark")
    step("API vendor search", status == 200 and "postmark" in body.decode())
    status, _, body = client.request("GET", "/api/v1/schema/")
    step("OpenAPI schema", status == 200 and body.startswith(b"openapi"))

    account = {"vendor": "mailhawk", "parameters": {"account_id": "7001"}}
    status, headers, body = client.request(
        "POST", "/api/v1/checks", {"domain": customer(0), **account}
    )
    verdict = json.loads(body).get("verdict")
    step("API check passes", status == 201 and verdict == "pass", str(verdict))
    request_id = headers.get("X-Request-ID", "")

    domains = [customer(index) for index in range(BULK_DOMAINS)]
    status, headers, body = client.request(
        "POST", "/api/v1/bulk-checks", {"domains": domains, **account}
    )
    location = headers.get("Location", "").replace(stack.base, "")
    state: dict = {}
    deadline = time.monotonic() + 120
    while status in (201, 202) and time.monotonic() < deadline:
        state = json.loads(client.request("GET", location)[2])
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.5)
    step(
        f"bulk check of {BULK_DOMAINS} domains run by the bulk worker",
        state.get("status") == "done" and state.get("counts", {}).get("pass") == BULK_DOMAINS,
        f"{state.get('status')} {state.get('counts')}",
    )
    return request_id


def moderator_signs_in(stack: Stack) -> None:
    client = stack.client()
    client.request("GET", "/admin/login/")
    form = {
        "csrfmiddlewaretoken": client.cookies.get("csrftoken", ""),
        "username": "moderator",
        "password": stack.env["MODERATOR_PASSWORD"],
        "next": "/admin/",
    }
    origin = f"https://127.0.0.1:{stack.port}"
    status, _, _ = client.request(
        "POST",
        "/admin/login/?next=/admin/",
        form=form,
        headers={"Referer": origin + "/admin/login/", "Origin": origin},
    )
    queue, _, _ = client.request("GET", "/admin/sources/submission/")
    step(
        "the moderator signs in and sees the queue",
        status == 302 and queue == 200,
        f"{status}, {queue}",
    )


def observability(stack: Stack, request_id: str) -> None:
    client = stack.client()
    denied = client.request("GET", "/metrics")[0] == 403
    bearer = {"Authorization": f"Bearer {stack.metrics_token}"}
    status, _, body = client.request("GET", "/metrics", headers=bearer)
    checks = sum(
        float(line.rsplit(" ", 1)[1])
        for line in body.decode().splitlines()
        if line.startswith("directory_checks_total{")
    )
    ok = denied and status == 200 and checks >= 1
    step("/metrics needs its token and counts the API check", ok, f"{checks:g} checks")
    stack.site_log.flush()
    stack.site_log.seek(0)
    entries = []
    for line in stack.site_log:
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


def restore_drill(stack: Stack) -> None:
    dump = stack.tmp / "backup.dump"
    url = stack.env["DATABASE_URL"]
    restored = url + "_restore"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), url], check=True)  # noqa: S603, S607
    fresh_postgres(restored)
    subprocess.run(["pg_restore", "--no-owner", "-d", restored, str(dump)], check=True)  # noqa: S603, S607
    count = (
        "from sources.models import Vendor, CheckResult;"
        "print(Vendor.objects.count(), CheckResult.objects.count())"
    )
    here = stack.shell(count)
    stack.env, saved = {**stack.env, "DATABASE_URL": restored}, stack.env
    try:
        there = stack.shell(count)
    finally:
        stack.env = saved
        drop_postgres(restored)
    step(
        "pg_dump restores into a new database with the same rows",
        here == there,
        f"{here} / {there}",
    )


def readiness_follows_failures(stack: Stack, stop_database: bool) -> None:
    stack.stop_workers()
    status, body = stack.wait_ready(503)
    worker = body["checks"]["worker"]
    step(
        "/readyz not ready once the workers stop",
        status == 503 and not worker["ok"],
        worker.get("detail", ""),
    )
    for queue in QUEUES:
        stack.start_worker(queue)
    status, body = stack.wait_ready(200, seconds=60)
    step("/readyz ready again once a worker is back", status == 200, json.dumps(body["checks"]))
    if not stop_database:
        return
    pg_cluster("stop")
    try:
        status, body = stack.wait_ready(503)
        database = body["checks"]["database"]
        ok = status == 503 and not database["ok"]
        step(
            "/readyz names the database while PostgreSQL is stopped", ok, database.get("detail", "")
        )
        step(
            "/healthz still answers (the process lives)",
            stack.client().request("GET", "/healthz")[0] == 200,
        )
    finally:
        pg_cluster("start")
    step("/readyz ready again after PostgreSQL starts", stack.wait_ready(200, seconds=60)[0] == 200)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/smoke_production"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--stop-database", action="store_true", help="stop and start PostgreSQL")
    args = parser.parse_args()
    print("Setting up (migrate, collectstatic, import_catalog, create_moderator)", flush=True)
    with Stack(
        customers=BULK_DOMAINS, database_url=args.database_url, redis_url=args.redis_url
    ) as stack:
        print(f"Stack: gunicorn x2 on {stack.base}, PostgreSQL, Redis, a task worker per queue")
        request_id = site_checks(stack)
        moderator_signs_in(stack)
        observability(stack, request_id)
        restore_drill(stack)
        readiness_follows_failures(stack, args.stop_database)
    print("\nSmoke test: " + ("passed" if not failures else f"FAILED ({', '.join(failures)})"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
