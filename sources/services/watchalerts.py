"""Alerts on watch state changes: one e-mail digest per owner per run, and webhooks.

A scheduler run checks an owner's watches in one or more batches; each batch
sends its webhooks at once (one `watch.state_changed` delivery per watch that
changed, per endpoint), and the owner's last batch to finish sends one digest
e-mail of every change not mailed yet. Events are claimed before sending and
released if sending fails, so nothing is mailed twice and nothing is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from sources.models import WatchEvent, WatchRun
from sources.services.notifications import absolute_url, send_safely
from sources.services.webhooks import deliveries_create

if TYPE_CHECKING:
    from sources.services.watches import WatchOutcome

logger = logging.getLogger(__name__)

DIGEST_LIMIT = 500  # changes listed in one e-mail; the rest go in the next one
EVENT = "watch.state_changed"


def watch_payload(watch, events: Iterable[WatchEvent]) -> dict[str, Any]:
    """The webhook body of one watch's changes in one run (records' states included)."""
    return {
        "watch": {
            "id": str(watch.pk),
            "domain": watch.domain,
            "vendor": watch.vendor_slug or None,
            "method": watch.method_kind or None,
            "reference": watch.reference,
            "state": watch.state,
            "url": absolute_url(watch.get_absolute_url()),
            "records": [
                {"id": r.requirement_id, "state": r.state, "host": r.host, "type": r.type}
                for r in watch.records.all()
            ],
        },
        "changes": [
            {
                "record": event.requirement_id or None,
                "from": event.from_state,
                "to": event.to_state,
                "message": event.message,
            }
            for event in events
        ],
        "checked_at": watch.last_checked_at.isoformat() if watch.last_checked_at else None,
    }


def alerts_dispatch(*, owner_id: int, outcomes: Iterable[WatchOutcome], email: bool = True) -> int:
    """Webhooks for every watch that changed, then (with `email`) the owner's digest."""
    sent = 0
    for outcome in outcomes:
        if outcome.events:
            deliveries_create(
                owner_id=owner_id, event=EVENT, payload=watch_payload(outcome.watch, outcome.events)
            )
            sent += 1
    if email:
        digest_send(owner_id=owner_id)
    return sent


def run_batch_finished(*, run_id) -> bool:
    """After a batch: when it was the owner's last of the run, send the digest."""
    run = WatchRun.objects.filter(pk=run_id, batches_left__lte=0).first()
    if run is None:
        return False
    # Only one batch deletes the run (the last one), so only one sends.
    if WatchRun.objects.filter(pk=run.pk).delete()[0] == 0:
        return False
    digest_send(owner_id=run.owner_id)
    return True


def digest_send(*, owner_id: int) -> int:
    """E-mail the owner every watch state change not mailed yet, in one message."""
    owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
    if owner is None or not owner.email:
        return 0
    stamp = timezone.now()
    pending = WatchEvent.objects.filter(watch__owner_id=owner_id, emailed_at=None)
    ids = list(pending.order_by("created_at", "id").values_list("pk", flat=True)[:DIGEST_LIMIT])
    if not ids:
        return 0
    with transaction.atomic():
        WatchEvent.objects.filter(pk__in=ids, emailed_at=None).update(emailed_at=stamp)
    events = list(
        WatchEvent.objects.filter(pk__in=ids, emailed_at=stamp)
        .select_related("watch")
        .order_by("watch__domain", "watch__vendor_slug", "requirement_id")
    )
    if not events:
        return 0
    watches: dict[Any, dict[str, Any]] = {}
    for event in events:
        entry = watches.setdefault(
            event.watch_id, {"watch": event.watch, "overall": None, "records": []}
        )
        if event.requirement_id:
            entry["records"].append(event)
        else:
            entry["overall"] = event
    for entry in watches.values():
        entry["url"] = absolute_url(entry["watch"].get_absolute_url())
    count = len(watches)
    sent = send_safely(
        subject=f"Watched domains: {count} changed" if count != 1 else "A watched domain changed",
        template="watches/email/digest.txt",
        context={"watches": list(watches.values()), "dashboard_url": absolute_url("/watches/")},
        to=[owner.email],
    )
    if not sent:
        WatchEvent.objects.filter(pk__in=ids, emailed_at=stamp).update(emailed_at=None)
        return 0
    return len(events)
