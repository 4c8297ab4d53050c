"""The scheduler claims due watches in the database and queues them on the task engine under
test (MONITOR_TASK_BACKEND: the database backend, or Celery with Redis)."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import close_old_connections, connection
from django.utils import timezone

from sources.models import PeriodicJob, Watch, WatchRun
from sources.services.watches import watch_create
from sources.services.watchscheduler import periodic_claim, schedule_run, watches_claim
from tests.factories import make_user

from .conftest import ALL


def make_watches(owner, count: int) -> list[Watch]:
    return [
        watch_create(owner=owner, domain=f"d{i}.shop.test", interval_minutes=60)
        for i in range(count)
    ]


def test_a_run_checks_due_watches_and_mails_one_digest_per_user(
    tasks, owner, other_user, mailhawk, shop, settings
):
    settings.WATCH_BATCH_SIZE = 1  # several batches per owner: still one digest each
    shop.publish(*ALL)
    mine = [
        watch_create(
            owner=owner, domain="shop.test", vendor="mailhawk", params={"account_id": "7001"}
        ),
        watch_create(owner=owner, domain="shop.test"),
    ]
    theirs = watch_create(owner=other_user, domain="shop.test")

    outcome = schedule_run()
    assert outcome["watches"] == 3 and outcome["batches"] == 3
    tasks.drain()

    for watch in [*mine, theirs]:
        watch.refresh_from_db()
        assert watch.state == "verified", watch
        assert watch.runs == 1
        assert watch.claimed_until is None
        assert watch.next_run_at > timezone.now() + dt.timedelta(minutes=59)
    assert sorted(m.to[0] for m in mail.outbox) == ["other@elsewhere.test", "owner@shop.test"]
    digest = next(m for m in mail.outbox if m.to == ["owner@shop.test"])
    assert "dkim-s1: pending → verified" in digest.body
    assert digest.body.count("shop.test for Mailhawk") == 1
    assert not WatchRun.objects.exists()

    # Nothing is due now: a second run queues nothing, and nothing changed, so no mail.
    assert schedule_run()["watches"] == 0


def test_a_run_without_changes_sends_no_mail(tasks, owner, shop):
    watch = watch_create(owner=owner, domain="shop.test")
    schedule_run()
    tasks.drain()
    mail.outbox.clear()
    Watch.objects.filter(pk=watch.pk).update(next_run_at=timezone.now())
    schedule_run()
    tasks.drain()
    assert Watch.objects.get(pk=watch.pk).runs == 2
    assert mail.outbox == []


def test_paused_and_future_watches_are_not_claimed(db, owner):
    paused, later, due = make_watches(owner, 3)
    Watch.objects.filter(pk=paused.pk).update(active=False)
    Watch.objects.filter(pk=later.pk).update(next_run_at=timezone.now() + dt.timedelta(hours=1))
    assert watches_claim() == [due.pk]


def test_a_claim_is_a_lease_taken_again_once_it_expires(db, owner):
    (watch,) = make_watches(owner, 1)
    now = timezone.now()
    assert watches_claim(now=now) == [watch.pk]
    assert watches_claim(now=now + dt.timedelta(seconds=60)) == []
    later = now + dt.timedelta(seconds=3600)
    assert watches_claim(now=later) == [watch.pk]


def test_two_concurrent_schedulers_claim_each_due_watch_once(transactional_db, owner):
    watches = make_watches(owner, 60)
    claimed: list[list] = [[], []]
    barrier = threading.Barrier(2)

    def scheduler(index: int) -> None:
        close_old_connections()
        try:
            barrier.wait()
            for _ in range(10):
                claimed[index].extend(watches_claim(limit=7))
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    both = claimed[0] + claimed[1]
    assert len(both) == len(set(both)), "a watch was claimed by both schedulers"
    assert set(both) == {w.pk for w in watches}


def test_two_schedulers_run_each_due_watch_once(tasks, owner, shop):
    watches = make_watches(make_user("msp", email="msp@shop.test"), 6)
    outcomes = []
    barrier = threading.Barrier(2)

    def scheduler() -> None:
        close_old_connections()
        try:
            barrier.wait()
            outcomes.append(schedule_run())
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(o["watches"] for o in outcomes) == 6
    tasks.drain()
    assert [Watch.objects.get(pk=w.pk).runs for w in watches] == [1] * 6


def test_periodic_tasks_are_queued_once_per_period(db, settings):
    settings.PERIODIC_TASKS = {"sources.services.watchscheduler.schedule_tick": 3600}
    now = timezone.now()
    assert periodic_claim(now=now) == ["sources.services.watchscheduler.schedule_tick"]
    assert periodic_claim(now=now) == []
    assert periodic_claim(now=now + dt.timedelta(seconds=3599)) == []
    job = PeriodicJob.objects.get()
    assert job.next_run_at == now + dt.timedelta(seconds=3600)
    assert periodic_claim(now=now + dt.timedelta(seconds=3600)) == [job.name]


@pytest.mark.parametrize("minutes", [None, 60, 10080])
def test_intervals_within_the_site_limits_are_kept(db, owner, minutes):
    watch = watch_create(owner=owner, domain="shop.test", interval_minutes=minutes)
    assert watch.interval_minutes == (minutes or 1440)


def test_a_run_whose_batch_died_still_gets_its_changes_mailed_later(tasks, owner, shop):
    from sources.models import WatchEvent
    from sources.services.watches import watches_check

    watch = watch_create(owner=owner, domain="shop.test")
    # A batch that checked but died before its digest: the changes are saved, not mailed.
    WatchRun.objects.create(owner=owner, batches_left=1)
    watches_check([watch.pk])
    assert WatchEvent.objects.filter(emailed_at=None).count() == 3
    assert mail.outbox == []

    later = timezone.now() + dt.timedelta(days=1, minutes=1)
    Watch.objects.filter(pk=watch.pk).update(next_run_at=later)
    schedule_run(now=later)
    tasks.drain()
    assert WatchRun.objects.count() == 0  # the dead run is forgotten
    (message,) = mail.outbox
    assert "dmarc: pending → verified" in message.body
    assert not WatchEvent.objects.filter(emailed_at=None).exists()
