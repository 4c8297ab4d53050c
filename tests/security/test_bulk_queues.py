"""Bulk work queues fairly and recovers (issue 12, finding 4): its own queue, one client's
bulks taking turns with everyone else's, a dead worker's bulk resumed or failed cleanly,
a worker that outlives a database outage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sources.management.commands.task_worker import ResilientWorker
from sources.models import BulkCheck, CheckResult
from sources.services.bulkchecks import (
    bulk_check_run,
    bulk_checks_recover,
    bulk_create,
    bulk_rows_parse,
    bulk_run,
)
from sources.services.checks import check_input_clean

pytestmark = pytest.mark.django_db(transaction=True)

ALICE, BOB = "ip:192.0.2.10", "ip:192.0.2.20"


@pytest.fixture(autouse=True)
def database_task_backend(settings, dns_server):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "bulk"]}
    }
    settings.BULK_SLICE_DOMAINS = 10
    settings.CHECKER_TIMEOUT = 0.05


def queue_bulk(client: str, count: int, name: str) -> BulkCheck:
    check = check_input_clean(domain=None, vendor="mailhawk", params={"account_id": "7001"})
    text = "\n".join(f"{name}{i}.brightfield.example" for i in range(count))
    bulk = bulk_create(check=check, rows=bulk_rows_parse(text), client=client)
    bulk.refresh_from_db()
    return bulk


def work(*queues: str) -> None:
    call_command("task_worker", "--batch", "--no-startup-delay", "--queue-name", ",".join(queues))


def test_bulk_checks_have_their_own_queue(mailhawk):
    bulk = queue_bulk(ALICE, 3, "q")
    task = DBTaskResult.objects.get(pk=bulk.task_id)
    assert task.queue_name == "bulk"
    work("default")  # the mail worker leaves it alone
    assert BulkCheck.objects.get().status == "queued"
    work("bulk")
    assert BulkCheck.objects.get().status == "done"


def test_one_clients_many_bulks_do_not_delay_anothers_small_one(mailhawk):
    alices = [queue_bulk(ALICE, 30, f"a{n}-") for n in range(3)]
    bobs = queue_bulk(BOB, 3, "b")
    # One task per client in the queue; Alice's other bulks wait their turn without one.
    assert DBTaskResult.objects.filter(status="READY").count() == 2
    work("bulk")
    finished = {b.pk: b.finished_at for b in BulkCheck.objects.all()}
    assert all(BulkCheck.objects.filter(status="done").values_list("done", flat=True))
    assert BulkCheck.objects.filter(status="done").count() == 4
    # Bob's bulk, queued last, ended before any of Alice's: she had 90 domains ahead of it.
    assert finished[bobs.pk] < min(finished[a.pk] for a in alices)
    # Alice's own bulks ran in the order she queued them.
    assert [finished[a.pk] for a in alices] == sorted(finished[a.pk] for a in alices)


def die_mid_bulk(bulk: BulkCheck, after: int) -> None:
    """What kill -9 leaves: the task claimed and running, some results stored, nothing else."""
    DBTaskResult.objects.get(pk=bulk.task_id).claim("worker-that-died")
    bulk_run(bulk_id=str(bulk.pk), limit=after)


def later(settings) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=settings.BULK_STALE_SECONDS + 1)


def test_a_bulk_whose_worker_died_is_resumed_where_it_stopped(mailhawk, settings):
    bulk = queue_bulk(ALICE, 30, "r")
    die_mid_bulk(bulk, after=12)
    bulk.refresh_from_db()
    assert (bulk.status, bulk.done) == ("running", 12)
    # Before BULK_STALE_SECONDS without progress it may just be slow: left alone.
    assert bulk_checks_recover() == {"resumed": 0, "failed": 0}

    assert bulk_checks_recover(now=later(settings)) == {"resumed": 1, "failed": 0}
    dead = DBTaskResult.objects.get(worker_ids=["worker-that-died"])
    assert dead.status == "FAILED"  # the task says what happened, as the bulk does
    work("bulk")
    bulk.refresh_from_db()
    assert (bulk.status, bulk.done, bulk.attempts) == ("done", 30, 1)
    assert CheckResult.objects.filter(bulk=bulk).count() == 30  # nothing checked twice
    assert not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()


def test_a_bulk_that_keeps_losing_its_worker_fails_with_its_results_downloadable(
    client, mailhawk, settings
):
    settings.BULK_MAX_ATTEMPTS = 0
    bulk = queue_bulk(ALICE, 30, "f")
    waiting = queue_bulk(ALICE, 2, "w")
    die_mid_bulk(bulk, after=12)

    assert bulk_checks_recover(now=later(settings)) == {"resumed": 0, "failed": 1}
    bulk.refresh_from_db()
    assert bulk.status == "failed" and "12 results so far" in bulk.error
    assert DBTaskResult.objects.get(worker_ids=["worker-that-died"]).status == "FAILED"
    csv = client.get(f"/check/bulk/{bulk.pk}/results.csv")
    assert csv.status_code == 200
    assert len(b"".join(csv.streaming_content).decode().splitlines()) == 1 + 12
    # The client's next bulk got its turn.
    work("bulk")
    assert BulkCheck.objects.get(pk=waiting.pk).status == "done"


def test_the_worker_outlives_a_lost_database_connection(mailhawk, monkeypatch, caplog):
    bulk = queue_bulk(ALICE, 3, "d")
    ready = DBTaskResult.objects.ready
    calls = []

    def ready_after_an_outage():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return ready()

    monkeypatch.setattr(DBTaskResult.objects, "ready", ready_after_an_outage)
    monkeypatch.setattr(ResilientWorker, "reconnect_wait", 0.01)
    work("bulk")
    assert BulkCheck.objects.get(pk=bulk.pk).status == "done"
    assert "Database unavailable" in caplog.text


def test_the_task_is_importable_by_its_stored_path():
    assert bulk_check_run.module_path == "sources.services.bulkchecks.bulk_check_run"
