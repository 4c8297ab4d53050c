"""Recording demand (checks run against a vendor) and keeping the leaderboard's scores.

`demand_record` is called by `check_store` for every check the site runs for a
vendor (the check page and the API; bulk portfolio checks are not counted, so one
portfolio does not outweigh every other customer). It adds to per-day counters,
which outlive the stored check results that `prune_checks` deletes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone

from sources.models import Vendor, VendorCheckDay, VendorFailureDay, VendorScore
from sources.scorecard import vendor_scorecard
from sources.selectors import vendor_to_data

logger = logging.getLogger(__name__)

SCORE_BATCH = 200
# Scores a page view recomputes itself; more (a fresh import) go to the task worker.
INLINE_SCORES = 50
QUEUED_KEY = "scores-refresh-queued"


def _increment(model, key: dict, counts: dict[str, int], **fields) -> None:
    """Add `counts` to the row at `key` (setting `fields`), creating it if it is the day's first."""
    changes = {**fields, **{name: F(name) + n for name, n in counts.items()}}
    if model.objects.filter(**key).update(**changes):
        return
    try:
        with transaction.atomic():
            model.objects.create(**key, **counts, **fields)
    except IntegrityError:  # another check created it meanwhile
        if not model.objects.filter(**key).update(**changes):
            raise


def failed_requirements(report: Mapping[str, Any]) -> list[str]:
    """Ids of the requirements a check report found failing (not errors: those prove nothing)."""
    ids = {
        str(item.get("id"))[:60]
        for item in report.get("requirements") or []
        if item.get("status") == "fail" and item.get("id")
    }
    return sorted(ids)


def demand_record(*, vendor_id: int | None, report: Mapping[str, Any]) -> None:
    """Count one check against a vendor: checks, passes and each failing requirement."""
    if vendor_id is None:
        return
    now = timezone.now()
    day = now.date()
    passed = 1 if report.get("verdict") == "pass" else 0
    with transaction.atomic():
        key = {"vendor_id": vendor_id, "day": day}
        _increment(VendorCheckDay, key, {"checks": 1, "passes": passed}, updated_at=now)
        for requirement in failed_requirements(report):
            key = {"vendor_id": vendor_id, "day": day, "requirement": requirement}
            _increment(VendorFailureDay, key, {"failures": 1})


def _score_rows(ids: list[int]) -> None:
    for start in range(0, len(ids), SCORE_BATCH):
        vendors = Vendor.objects.filter(pk__in=ids[start : start + SCORE_BATCH]).with_details()
        rows = []
        for vendor in vendors:
            card = vendor_scorecard(vendor_to_data(vendor))
            rows.append(
                VendorScore(
                    vendor=vendor,
                    met=card.met,
                    not_met=card.not_met,
                    unknown=card.unknown,
                    states=card.states(),
                    computed_for=vendor.updated_at,
                )
            )
        VendorScore.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["vendor"],
            update_fields=["met", "not_met", "unknown", "states", "computed_for"],
        )


def scores_refresh(*, limit: int | None = None) -> int:
    """Recompute the stored scorecard counts of published vendors changed since they were
    computed; how many were. With `limit`, at most that many now and the rest queued.

    Costs one query when nothing changed, so the leaderboard calls it on every view.
    """
    stale = Vendor.objects.published().filter(
        Q(score__isnull=True) | ~Q(score__computed_for=F("updated_at"))
    )
    ids = list(stale.order_by("pk").values_list("pk", flat=True))
    now = ids if limit is None else ids[:limit]
    _score_rows(now)
    if len(ids) > len(now) and cache.add(QUEUED_KEY, 1, timeout=300):
        try:
            scores_refresh_all.enqueue()
        except Exception:
            cache.delete(QUEUED_KEY)
            logger.exception("could not queue the scorecard refresh")
    return len(now)


@task
def scores_refresh_all() -> int:
    """Recompute every stale stored score (after an import, say)."""
    try:
        return scores_refresh()
    finally:
        cache.delete(QUEUED_KEY)
