"""Liveness and readiness for load balancers and monitoring.

`/healthz` says the process answers (no database, no cache): restart it when it
does not. `/readyz` checks what serving needs: the database, the cache, a task
worker seen recently, and reports the queue; it answers 503 when one of them
fails, with the reasons in JSON. Both are answered by `HealthMiddleware` ahead of
the host check and the HTTPS redirect, since load balancers probe by address and
over plain HTTP.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.utils import timezone

HEALTH_PATHS = {"/healthz", "/readyz"}


def _db_check() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "detail": f"database unavailable: {exc.__class__.__name__}"}
    return {"ok": True}


def _cache_check() -> dict:
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", 10)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception as exc:  # any cache backend's connection error
        return {"ok": False, "detail": f"cache unavailable: {exc.__class__.__name__}"}
    return {"ok": ok} if ok else {"ok": False, "detail": "cache did not keep a value"}


def worker_figures(now: dt.datetime | None = None) -> dict:
    """Workers whose heartbeat is recent (WORKER_STALE_SECONDS)."""
    from sources.models import WorkerHeartbeat

    now = now or timezone.now()
    since = now - dt.timedelta(seconds=settings.WORKER_STALE_SECONDS)
    try:
        alive = WorkerHeartbeat.objects.filter(seen_at__gte=since).count()
        last = (
            WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
        )
    except DatabaseError:
        return {"alive": 0, "last_seen_seconds": None}
    return {
        "alive": alive,
        "last_seen_seconds": round((now - last).total_seconds(), 1) if last else None,
    }


def queue_figures(now: dt.datetime | None = None) -> dict:
    """Background tasks by status, and how long the oldest waiting one has waited."""
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    try:
        by_status = dict(
            DBTaskResult.objects.values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        oldest = (
            DBTaskResult.objects.ready()
            .order_by("enqueued_at")
            .values_list("enqueued_at", flat=True)
            .first()
        )
    except DatabaseError:
        return {"by_status": {}, "oldest_ready_seconds": 0.0}
    for status in ("READY", "RUNNING", "FAILED", "SUCCESSFUL"):
        by_status.setdefault(status, 0)
    return {
        "by_status": by_status,
        "oldest_ready_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0.0,
    }


def readiness() -> tuple[bool, dict]:
    """Whether this process can serve, and why not."""
    checks = {"database": _db_check(), "cache": _cache_check()}
    if checks["database"]["ok"]:
        workers = worker_figures()
        checks["worker"] = (
            {"ok": True, **workers}
            if workers["alive"] or not settings.READY_REQUIRES_WORKER
            else {"ok": False, "detail": "no task worker seen recently", **workers}
        )
        checks["queue"] = {"ok": True, **queue_figures()}
    ready = all(check["ok"] for check in checks.values())
    return ready, checks


def _json(status: int, body: dict) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


class HealthMiddleware:
    """Answers /healthz and /readyz before anything else runs (host checks, redirects)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.path not in HEALTH_PATHS or request.method not in {"GET", "HEAD"}:
            return self.get_response(request)
        if request.path == "/healthz":
            return _json(200, {"status": "ok"})
        ready, checks = readiness()
        return _json(
            200 if ready else 503, {"status": "ready" if ready else "not ready", "checks": checks}
        )
