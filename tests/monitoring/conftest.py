"""Watched domains: a customer domain of Mailhawk served by the loopback DNS server, and the
task engine the monitoring tests run on.

The engine is chosen by MONITOR_TASK_BACKEND: "database" (default: django-tasks-db, its
queue drained by the site's own `task_worker`) or "celery" (a real Celery worker in a
thread, consuming from the broker in CELERY_BROKER_URL, Redis on CI). Tests that queue
work take the `tasks` fixture and call `tasks.drain()` to run everything queued.
"""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.tasks.signals import task_enqueued

from tests.factories import make_mailhawk, make_user

BACKEND = os.environ.get("MONITOR_TASK_BACKEND", "database")

ALL = ("dkim-s1", "dkim-s2", "return-path")
SHOP_RECORDS = {
    "dkim-s1": "s1._domainkey  CNAME s1.dkim.u7001.mailhawk.test.",
    "dkim-s2": "s2._domainkey  CNAME s2.dkim.u7001.mailhawk.test.",
    "return-path": "bounces        CNAME u7001.bounce.mailhawk.test.",
}


def shop_zone(*record_ids: str) -> str:
    """shop.test's zone with only these of Mailhawk's records published."""
    lines = [
        "$ORIGIN shop.test.",
        "$TTL 300",
        "@ SOA ns1 hostmaster 1 3600 600 86400 300",
        "@ NS ns1",
        "ns1 A 127.0.0.1",
        '@ TXT "v=spf1 -all"',
        '_dmarc TXT "v=DMARC1; p=none"',
    ]
    lines += [SHOP_RECORDS[record_id] for record_id in record_ids]
    return "\n".join(lines) + "\n"


class Zone:
    """shop.test on the test DNS server; `publish` replaces what it serves."""

    def __init__(self, server) -> None:
        self.server = server

    def publish(self, *record_ids: str) -> None:
        self.server.reset()
        self.server.add_zone_text(shop_zone(*record_ids))


@pytest.fixture
def shop(dns_server) -> Zone:
    zone = Zone(dns_server)
    zone.publish()  # nothing of Mailhawk's yet
    return zone


@pytest.fixture
def mailhawk(db):
    return make_mailhawk()


@pytest.fixture
def owner(db):
    return make_user("owner", email="owner@shop.test")


@pytest.fixture
def other_user(db):
    return make_user("other", email="other@elsewhere.test")


class TaskRunner:
    """Runs what the monitoring code queued, on the engine under test."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.queued: list[str] = []
        task_enqueued.connect(self._record)

    def _record(self, sender, task_result, **kwargs) -> None:
        self.queued.append(task_result.id)

    def close(self) -> None:
        task_enqueued.disconnect(self._record)

    def drain(self) -> int:
        """Run queued tasks (and the tasks they queue) until none is left; how many ran."""
        ran = 0
        if self.backend == "database":
            from django_tasks_db.models import DBTaskResult

            while self.queued:
                ids, self.queued[:] = list(self.queued), []
                ran += len(ids)
                call_command(
                    "task_worker",
                    queue_name="*",
                    batch=True,
                    reload=False,
                    startup_delay=False,
                    verbosity=0,
                )
                failed = DBTaskResult.objects.filter(pk__in=ids, status="FAILED")
                assert not failed.exists(), [r.traceback for r in failed]
            return ran
        from directory.celery import app

        while self.queued:
            ids, self.queued[:] = list(self.queued), []
            for task_id in ids:
                app.AsyncResult(task_id).get(timeout=120, propagate=True)
                ran += 1
        return ran


@pytest.fixture
def tasks(settings, transactional_db):
    """The task engine under test (see the module docstring), with a runner to drain it."""
    if BACKEND == "database":
        settings.TASKS = {
            "default": {
                "BACKEND": "django_tasks_db.DatabaseBackend",
                "QUEUES": settings.TASK_QUEUES,
            }
        }
        runner = TaskRunner("database")
        yield runner
        runner.close()
        return
    if BACKEND != "celery":
        raise pytest.UsageError(f"MONITOR_TASK_BACKEND must be database or celery: {BACKEND}")
    from celery.contrib.testing.worker import start_worker

    from directory.celery import app, register_tasks

    broker = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
    app.conf.broker_url = broker
    app.conf.result_backend = os.environ.get("CELERY_RESULT_BACKEND", broker)
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_celery.CeleryBackend",
            "QUEUES": settings.TASK_QUEUES,
            "OPTIONS": {"CELERY_APP": "directory.celery.app"},
        }
    }
    register_tasks()
    app.control.purge()  # nothing left over from an interrupted run
    runner = TaskRunner("celery")
    with start_worker(
        app,
        pool="solo",
        perform_ping_check=False,
        queues=list(settings.TASK_QUEUES),
        shutdown_timeout=30,
    ):
        yield runner
    runner.close()
