"""/healthz and /readyz as a load balancer sees them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from sources.models import WorkerHeartbeat
from sources.ops.heartbeat import Heartbeat, beat

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def production_like(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["directory.example.org"]
    settings.SECURE_SSL_REDIRECT = True


def test_liveness_answers_a_probe_by_address_over_plain_http(client, production_like):
    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    # Everything else still goes through the host check and the HTTPS redirect.
    assert client.get("/", HTTP_HOST="10.1.2.3:8000").status_code == 400
    assert client.get("/", HTTP_HOST="directory.example.org").status_code == 301


@pytest.mark.django_db
def test_not_ready_without_a_worker_and_ready_with_one(client, production_like):
    response = client.get("/readyz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["cache"] == {"ok": True}
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["detail"] == "no task worker seen recently"

    beat("worker-a", started_at=timezone.now())
    response = client.get("/readyz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["worker"]["alive"] == 1
    assert body["checks"]["queue"]["by_status"]["READY"] == 0


@pytest.mark.django_db
def test_a_worker_that_stopped_beating_is_not_alive(client, settings):
    settings.WORKER_STALE_SECONDS = 60
    beat("worker-b", started_at=timezone.now())
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timezone.timedelta(seconds=61))
    body = client.get("/readyz").json()
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["last_seen_seconds"] >= 61


@pytest.mark.django_db
def test_the_queue_is_reported(client, settings):
    from sources.services.verification import verifications_recheck

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "bulk"]}
    }

    verifications_recheck.enqueue()
    beat("worker-c", started_at=timezone.now())
    body = client.get("/readyz").json()
    assert body["checks"]["queue"]["by_status"]["READY"] == 1
    assert body["checks"]["queue"]["oldest_ready_seconds"] >= 0


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_records_and_forgets_its_worker():
    # One beat, then none for an hour: the test reads while the thread is idle (SQLite's
    # shared in-memory test database locks a table another connection is writing).
    heartbeat = Heartbeat("worker-thread", every=3600)
    heartbeat.start()
    assert heartbeat.beaten.wait(30)
    row = WorkerHeartbeat.objects.get(worker_id="worker-thread")
    assert row.started_at <= row.seen_at
    heartbeat.stop()
    assert not WorkerHeartbeat.objects.filter(worker_id="worker-thread").exists()


def test_a_stopped_database_makes_the_site_not_ready():
    """Against a PostgreSQL address nothing listens on: 503 with the database named."""
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/readyz');"
        "print(r.status_code, json.dumps(r.json()))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/none",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    status, body = out.stdout.strip().split(" ", 1)
    body = json.loads(body)
    assert status == "503"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["database"]["detail"].startswith("database unavailable")
    assert "worker" not in body["checks"]
