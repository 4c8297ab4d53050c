"""Counters in Prometheus' text format at /metrics (prometheus_client).

Per process by default. Under gunicorn with several workers, set
PROMETHEUS_MULTIPROC_DIR to an empty directory (cleared at each start) and every
worker's counters are summed at the scrape. The queue figures are read from the
database at the scrape, so any web process reports the same.

/metrics answers requests with `Authorization: Bearer <METRICS_TOKEN>`; with no
token set, only requests from loopback (a local Prometheus or agent).
"""

from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

CHECKS = Counter(
    "directory_checks",
    "DNS checks run, by kind (vendor or domain) and verdict.",
    ["kind", "verdict"],
)
CHECK_TIMEOUTS = Counter("directory_check_timeouts", "Checks that ran out of their time budget.")
REQUESTS = Counter(
    "directory_http_requests", "HTTP responses, by method and status class.", ["method", "status"]
)
REQUEST_SECONDS = Histogram(
    "directory_http_request_seconds",
    "Time to answer an HTTP request.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def observe_request(method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method if method in _METHODS else "other", f"{status // 100}xx").inc()
    REQUEST_SECONDS.observe(seconds)


def observe_check(*, vendor: bool, verdict: str, timed_out: bool) -> None:
    CHECKS.labels("vendor" if vendor else "domain", verdict).inc()
    if timed_out:
        CHECK_TIMEOUTS.inc()


class QueueCollector:
    """Queue depth and worker heartbeats, read from the database at each scrape."""

    def collect(self):
        from sources.ops.health import queue_figures, worker_figures

        queue = queue_figures()
        depth = GaugeMetricFamily(
            "directory_task_queue", "Background tasks by status.", labels=["status"]
        )
        for status, count in queue["by_status"].items():
            depth.add_metric([status], count)
        yield depth
        yield GaugeMetricFamily(
            "directory_task_oldest_ready_seconds",
            "Age of the oldest task waiting for a worker (0 when none waits).",
            value=queue["oldest_ready_seconds"],
        )
        yield GaugeMetricFamily(
            "directory_workers_alive",
            "Task workers seen recently.",
            value=worker_figures()["alive"],
        )


def registry() -> CollectorRegistry:
    """What one scrape reports: this process's (or all processes') counters and the queue."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        reg = CollectorRegistry()
        multiprocess.MultiProcessCollector(reg)
    else:
        from prometheus_client import REGISTRY as reg  # noqa: N811
    scrape = CollectorRegistry()
    scrape.register(_Merged(reg))
    scrape.register(QueueCollector())
    return scrape


class _Merged:
    def __init__(self, reg: CollectorRegistry) -> None:
        self.reg = reg

    def collect(self):
        yield from self.reg.collect()


def allowed(request) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    return request.META.get("REMOTE_ADDR") in {"127.0.0.1", "::1"}


def metrics_view(request) -> HttpResponse:
    if not allowed(request):
        return HttpResponseForbidden("Metrics need the METRICS_TOKEN bearer token.\n")
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
