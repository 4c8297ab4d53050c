"""The scheduler: claims due watches, retries and periodic tasks in the database, and queues them.

Many schedulers (and many workers) can run at once without running anything
twice: due work is claimed in the database before it is queued. On
PostgreSQL the claim is `SELECT … FOR UPDATE SKIP LOCKED` (a second scheduler
skips the rows the first is claiming instead of waiting for them); on SQLite,
which has one writer at a time, it is a single conditional UPDATE that stamps
the due rows with this run's token (the second scheduler's UPDATE finds them
claimed). A claim is a lease (WATCH_LEASE_SECONDS): a watch whose worker
died is claimed again once it expires.

One run (`schedule_run`) groups the claimed watches by owner, in batches of
at most WATCH_BATCH_SIZE, and queues a `watches_check_batch` task for each on
the "monitor" queue; the owner's last batch to finish sends their digest.
It also queues webhook retries that are due and the periodic tasks listed in
settings.PERIODIC_TASKS (name → seconds between runs), each claimed the same
way, so they run once per period whatever the number of schedulers.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

from sources.models import PeriodicJob, Watch, WatchRun, WebhookDelivery
from sources.services.watchalerts import alerts_dispatch, run_batch_finished
from sources.services.watches import watches_check
from sources.services.webhooks import webhook_deliver

logger = logging.getLogger(__name__)


def _skip_locked() -> bool:
    return connection.features.has_select_for_update_skip_locked


def claim_due(
    model,
    due: Q,
    *,
    limit: int,
    lease_seconds: int,
    now: dt.datetime,
    order_by: str,
) -> list[Any]:
    """Claim up to `limit` due rows of `model` (with `claimed_until`, `claim_token`); their ids.

    A row is claimed when its lease is free (null or expired); claiming sets the
    lease. Rows claimed by another scheduler are skipped, never waited for.
    """
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    until = now + dt.timedelta(seconds=lease_seconds)
    token = str(uuid.uuid4())
    stamp = {"claimed_until": until, "claim_token": token}
    if _skip_locked():
        with transaction.atomic():
            ids = list(
                model.objects.select_for_update(skip_locked=True)
                .filter(due & free)
                .order_by(order_by)
                .values_list("pk", flat=True)[:limit]
            )
            model.objects.filter(pk__in=ids).update(**stamp)
        return ids
    # SQLite: a compare-and-set. The UPDATE is atomic under SQLite's single-writer
    # lock and tests the due and free conditions again, so rows another scheduler
    # claimed since the SELECT are left alone; the token then names ours. (No
    # transaction around the three: a read lock upgraded to a write lock in two
    # connections at once would fail with "database is locked".)
    candidates = list(
        model.objects.filter(due & free).order_by(order_by).values_list("pk", flat=True)[:limit]
    )
    if not candidates:
        return []
    model.objects.filter(pk__in=candidates).filter(due & free).update(**stamp)
    return list(
        model.objects.filter(pk__in=candidates, claim_token=token).values_list("pk", flat=True)
    )


def watches_claim(*, limit: int | None = None, now: dt.datetime | None = None) -> list[uuid.UUID]:
    """Claim the active watches that are due; their ids, most overdue first."""
    return claim_due(
        Watch,
        Q(active=True, next_run_at__lte=now or timezone.now()),
        limit=limit or settings.WATCH_CLAIM_LIMIT,
        lease_seconds=settings.WATCH_LEASE_SECONDS,
        now=now or timezone.now(),
        order_by="next_run_at",
    )


def watches_enqueue(ids: list[uuid.UUID]) -> int:
    """Queue claimed watches: one task per batch of one owner's watches; tasks queued."""
    by_owner: dict[int, list[str]] = defaultdict(list)
    for pk, owner_id in Watch.objects.filter(pk__in=ids).values_list("pk", "owner_id"):
        by_owner[owner_id].append(str(pk))
    size = max(1, settings.WATCH_BATCH_SIZE)
    work: list[tuple[str, list[str]]] = []
    with transaction.atomic():
        for owner_id, watch_ids in by_owner.items():
            batches = [watch_ids[i : i + size] for i in range(0, len(watch_ids), size)]
            run = WatchRun.objects.create(owner_id=owner_id, batches_left=len(batches))
            work += [(str(run.pk), batch) for batch in batches]
    # Queued once the runs are saved: a worker on another machine must find them.
    for run_id, batch in work:
        watches_check_batch.enqueue(run_id, batch)
    return len(work)


def deliveries_claim(*, now: dt.datetime | None = None, limit: int = 500) -> list[uuid.UUID]:
    """Claim webhook deliveries whose next attempt is due."""
    now = now or timezone.now()
    return claim_due(
        WebhookDelivery,
        Q(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now),
        limit=limit,
        lease_seconds=settings.WEBHOOK_TIMEOUT * 4 + 60,
        now=now,
        order_by="next_attempt_at",
    )


def periodic_claim(*, now: dt.datetime | None = None) -> list[str]:
    """The periodic tasks due now, each claimed for one scheduler (its next time moved on)."""
    now = now or timezone.now()
    names = list(settings.PERIODIC_TASKS)
    existing = set(PeriodicJob.objects.filter(name__in=names).values_list("name", flat=True))
    for name in names:
        if name not in existing:
            PeriodicJob.objects.get_or_create(name=name, defaults={"next_run_at": now})
    claimed = []
    for name in names:
        period = dt.timedelta(seconds=int(settings.PERIODIC_TASKS[name]))
        # Compare-and-set on next_run_at: of two schedulers, one UPDATE matches.
        job = PeriodicJob.objects.filter(name=name, next_run_at__lte=now).first()
        if job is None:
            continue
        moved = PeriodicJob.objects.filter(pk=job.pk, next_run_at=job.next_run_at).update(
            next_run_at=now + period, last_run_at=now
        )
        if moved:
            claimed.append(name)
    return claimed


def schedule_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One scheduler run: queue due watches, webhook retries and periodic tasks."""
    now = now or timezone.now()
    outcome = {"watches": 0, "batches": 0, "deliveries": 0, "periodic": 0}
    # A run whose last batch never finished (its worker died): its watches were claimed
    # again when their lease expired, and its changes go in the owner's next digest.
    stale = now - dt.timedelta(seconds=2 * settings.WATCH_LEASE_SECONDS)
    WatchRun.objects.filter(created_at__lt=stale).delete()
    ids = watches_claim(now=now)
    outcome["watches"] = len(ids)
    if ids:
        outcome["batches"] = watches_enqueue(ids)
    for delivery_id in deliveries_claim(now=now):
        webhook_deliver.enqueue(str(delivery_id))
        outcome["deliveries"] += 1
    for name in periodic_claim(now=now):
        try:
            import_string(name).enqueue()
            outcome["periodic"] += 1
        except Exception:
            logger.exception("could not queue the periodic task %s", name)
    return outcome


# -- the background tasks ------------------------------------------------------------


@task(queue_name="monitor")
def watches_check_batch(run_id: str, watch_ids: list[str]) -> dict:
    """Check a batch of one owner's watches, send webhooks, and the digest after the last batch."""
    run = WatchRun.objects.filter(pk=run_id).first()
    outcomes = watches_check(watch_ids, run=uuid.UUID(run_id))
    changed = sum(1 for outcome in outcomes if outcome.events)
    if run is not None:
        alerts_dispatch(owner_id=run.owner_id, outcomes=outcomes, email=False)
        WatchRun.objects.filter(pk=run.pk).update(batches_left=F("batches_left") - 1)
        run_batch_finished(run_id=run.pk)
    return {"checked": len(outcomes), "changed": changed}


@task
def schedule_tick() -> dict:
    """One scheduler run, as a task (for a task worker's or Celery beat's own schedule)."""
    return schedule_run()
