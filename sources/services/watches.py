"""Watched domains: create them, re-check them with the checker service, keep their states.

A watch is a domain checked on a schedule against one vendor's method (with
its parameters), or on its own (a generic report: the domain's DMARC and SPF
records stand in as its requirements). Checks go through
sources/services/checks.py exactly like the page's and the API's; each
requirement's status moves its record's state through sources/watchstate.py
(hysteresis: WATCH_FLIP_AFTER agreeing results). Only state changes are kept
as history (WatchEvent); the latest report is stored as a CheckResult for its
permalink.

The scheduler (sources/services/watchscheduler.py) claims due watches and
runs `watches_check` on a batch of one owner's watches in a task; the
alerts for what changed go out from sources/services/watchalerts.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sources import watchstate
from sources.checker.fixes import zone_line
from sources.checker.specs import derived_values, expand
from sources.models import Watch, WatchEvent, WatchRecord
from sources.selectors import catalog_knowledge
from sources.services.checks import (
    CheckInput,
    CheckInputError,
    UnknownVendor,
    check_input_clean,
    check_resolver,
    check_run_async,
    check_store,
    vendor_lookup_data,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WatchOutcome:
    """What one run of one watch changed."""

    watch: Watch
    events: list[WatchEvent]
    report: dict[str, Any] | None


# -- creating --------------------------------------------------------------------------


def interval_clean(value: Any) -> int:
    """Minutes between checks, within the site's limits; ValueError naming them."""
    low, high = settings.WATCH_MIN_INTERVAL_MINUTES, settings.WATCH_MAX_INTERVAL_MINUTES
    if value in (None, ""):
        return max(low, min(high, settings.WATCH_DEFAULT_INTERVAL_MINUTES))
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise ValueError("give the interval as a whole number of minutes") from None
    if not low <= minutes <= high:
        raise ValueError(f"the interval must be between {low} and {high} minutes")
    return minutes


def records_to_publish(check: CheckInput) -> list[dict[str, Any]]:
    """The records a domain needs for the watch's method: id, purpose, host, type, value."""
    if check.method is None:
        return [
            {
                "id": item["id"],
                "purpose": item["purpose"],
                "type": item["type"],
                "host": item["host"],
                "value": "",
                "required": True,
            }
            for item in watchstate.generic_statuses({"domain": check.domain})
        ]
    values = {**derived_values(check.domain), **check.params}
    rows = []
    for spec in check.method.records:
        item = expand(spec, check.domain, values)
        rows.append(
            {
                "id": spec.id,
                "purpose": spec.purpose,
                "type": spec.type,
                "host": item.host or spec.host,
                "value": item.value or spec.pattern or "",
                "required": spec.required,
            }
        )
    return rows


def record_zone_line(record: WatchRecord) -> str:
    """A watch record in zone-file form ("" when it is not a whole record: an SPF include)."""
    if not record.host or not record.value or record.purpose == "spf" or not record.type:
        return ""
    if record.value.startswith(("^", "include:")):
        return ""
    return zone_line(record.host, record.type, record.value)


def watch_create(
    *,
    owner,
    domain: str,
    vendor: str | None = None,
    method: str | None = None,
    params: Mapping[str, str] | None = None,
    interval_minutes: Any = None,
    reference: str = "",
    source: str = "web",
) -> Watch:
    """Watch a domain (for a vendor's method); raises CheckInputError with every problem."""
    errors: dict[str, Any] = {}
    try:
        check = check_input_clean(domain=domain, vendor=vendor, method=method, params=params)
    except CheckInputError as exc:
        errors.update(exc.errors)
        check = None
    try:
        minutes = interval_clean(interval_minutes)
    except ValueError as exc:
        errors["interval_minutes"] = str(exc)
    if len(reference) > 100:
        errors["reference"] = "at most 100 characters"
    if check is not None and not errors:
        same = Watch.objects.filter(
            owner=owner,
            domain=check.domain,
            vendor_slug=check.vendor_slug,
            method_kind=check.method_kind,
            parameters=dict(check.params),
        )
        if same.exists():
            errors["domain"] = "you already watch this domain for this vendor and method"
        elif Watch.objects.filter(owner=owner).count() >= settings.WATCH_MAX_PER_USER:
            errors["domain"] = f"an account watches at most {settings.WATCH_MAX_PER_USER} domains"
    if errors:
        raise CheckInputError(errors)
    assert check is not None
    with transaction.atomic():
        watch = Watch.objects.create(
            owner=owner,
            domain=check.domain,
            vendor_id=check.vendor.get("id") if check.vendor else None,
            vendor_slug=check.vendor_slug,
            vendor_name=check.vendor_name,
            method_kind=check.method_kind,
            parameters=dict(check.params),
            interval_minutes=minutes,
            reference=reference.strip(),
            source=source,
            next_run_at=timezone.now(),
        )
        WatchRecord.objects.bulk_create(
            WatchRecord(
                watch=watch,
                requirement_id=row["id"],
                purpose=row["purpose"],
                type=row["type"],
                host=row["host"][:300],
                value=row["value"],
                required=row["required"],
                position=position,
            )
            for position, row in enumerate(records_to_publish(check))
        )
    return watch


def watch_update(
    *, watch: Watch, interval_minutes: Any = None, active: bool | None = None
) -> Watch:
    """Change how often a watch runs, or pause and resume it."""
    fields = []
    if interval_minutes is not None:
        try:
            watch.interval_minutes = interval_clean(interval_minutes)
        except ValueError as exc:
            raise CheckInputError({"interval_minutes": str(exc)}) from None
        fields.append("interval_minutes")
    if active is not None:
        watch.active = active
        fields.append("active")
        if active:
            watch.next_run_at = timezone.now()
            fields.append("next_run_at")
    if fields:
        watch.save(update_fields=fields)
    return watch


def watch_input(watch: Watch, *, vendors: dict[str, Any] | None = None) -> CheckInput:
    """The check a watch runs, cleaned against today's catalog.

    `vendors` caches the vendors' data by slug across the watches of a batch (most
    share a few vendors): one lookup per vendor instead of one per watch.
    """
    vendor: Any = watch.vendor_slug or None
    if vendor and vendors is not None:
        if vendor not in vendors:
            try:
                vendors[vendor] = vendor_lookup_data(vendor)
            except UnknownVendor:
                vendors[vendor] = vendor  # looked up again below, for its error
        vendor = vendors[vendor]
    return check_input_clean(
        domain=watch.domain,
        vendor=vendor,
        method=watch.method_kind or None,
        params=watch.parameters,
    )


# -- running ---------------------------------------------------------------------------


def _statuses(report: Mapping[str, Any], check: CheckInput) -> list[dict[str, Any]]:
    if check.method is None:
        return watchstate.generic_statuses(dict(report))
    return list(report.get("requirements") or [])


def watch_apply(
    *,
    watch: Watch,
    report: Mapping[str, Any],
    check: CheckInput,
    run: uuid.UUID | None = None,
    now: dt.datetime | None = None,
) -> list[WatchEvent]:
    """Move the watch's records (and the watch) by one report; its state changes, saved."""
    now = now or timezone.now()
    flip_after = settings.WATCH_FLIP_AFTER
    records = {record.requirement_id: record for record in watch.records.all()}
    events: list[WatchEvent] = []
    touched: list[WatchRecord] = []
    for position, item in enumerate(_statuses(report, check)):
        record = records.get(item["id"])
        if record is None:  # the vendor's entry gained a record since the watch began
            record = WatchRecord(
                watch=watch,
                requirement_id=item["id"],
                purpose=item.get("purpose") or "",
                type=item.get("type") or "",
                host=(item.get("host") or "")[:300],
                required=bool(item.get("required", True)),
                position=position,
            )
            record.save()
            records[item["id"]] = record
        observed = watchstate.observation(item["status"], untested=bool(item.get("untested")))
        before = watchstate.RecordState(record.state, record.candidate, record.streak)
        after = watchstate.advance(before, observed, flip_after=flip_after)
        record.state, record.candidate, record.streak = after.state, after.candidate, after.streak
        record.last_status = item["status"]
        record.message = str(item.get("message") or "")[:2000]
        record.checked_at = now
        if item.get("host"):
            record.host = str(item["host"])[:300]
        if after.state != before.state:
            record.changed_at = now
            events.append(
                WatchEvent(
                    watch=watch,
                    requirement_id=record.requirement_id,
                    from_state=before.state,
                    to_state=after.state,
                    message=record.message[:500],
                    run=run,
                )
            )
        touched.append(record)
    state = watchstate.overall([(r.state, r.required) for r in records.values()])
    if state != watch.state:
        events.append(WatchEvent(watch=watch, from_state=watch.state, to_state=state, run=run))
        watch.state = state
    with transaction.atomic():
        WatchRecord.objects.bulk_update(
            touched,
            ["state", "candidate", "streak", "last_status", "message", "checked_at", "host"]
            + ["changed_at"],
        )
        WatchEvent.objects.bulk_create(events)
        result = check_store(check=check, data=report, source="watch")
        watch.last_result = result
        watch.last_checked_at = now
        watch.last_verdict = str(report.get("verdict", ""))[:10]
        watch.runs += 1
        watch.error = ""
        watch.save(
            update_fields=["state", "last_result", "last_checked_at", "last_verdict", "runs"]
            + ["error"]
        )
    return events


def _release(watch: Watch, *, now: dt.datetime, error: str = "") -> None:
    """Hand the watch back to the scheduler, due again after its interval."""
    Watch.objects.filter(pk=watch.pk).update(
        claimed_until=None,
        claim_token="",
        next_run_at=now + dt.timedelta(minutes=watch.interval_minutes),
        **({"error": error[:2000]} if error else {}),
    )


def watches_check(
    watch_ids: Iterable[str | uuid.UUID],
    *,
    run: uuid.UUID | None = None,
    nameservers: list[str] | None = None,
) -> list[WatchOutcome]:
    """Check these watches concurrently (WATCH_CHECK_CONCURRENCY), apply and release them."""
    watches = list(Watch.objects.filter(pk__in=list(watch_ids)).prefetch_related("records"))
    inputs: list[tuple[Watch, CheckInput]] = []
    outcomes: list[WatchOutcome] = []
    vendors: dict[str, Any] = {}
    for watch in watches:
        try:
            inputs.append((watch, watch_input(watch, vendors=vendors)))
        except CheckInputError as exc:
            _release(watch, now=timezone.now(), error=f"cannot check: {exc.first_message()}")
            outcomes.append(WatchOutcome(watch, [], None))
    catalog = catalog_knowledge() if any(c.vendor is None for _, c in inputs) else None
    reports = asyncio.run(_run_all(inputs, catalog=catalog, nameservers=nameservers))
    # One transaction for the batch: one commit (a disk sync) instead of a few per watch.
    with transaction.atomic():
        for (watch, check), report in zip(inputs, reports, strict=True):
            now = timezone.now()
            if isinstance(report, BaseException):
                logger.error("watch %s: check raised %r", watch.pk, report)
                _release(watch, now=now, error=f"{type(report).__name__}: {report}")
                outcomes.append(WatchOutcome(watch, [], None))
                continue
            events = watch_apply(watch=watch, report=report, check=check, run=run, now=now)
            _release(watch, now=now)
            outcomes.append(WatchOutcome(watch, events, report))
    return outcomes


async def _run_all(inputs, *, catalog, nameservers) -> list[Any]:
    limit = asyncio.Semaphore(max(1, settings.WATCH_CHECK_CONCURRENCY))
    budget = settings.CHECK_TIME_BUDGET

    async def one(check: CheckInput) -> dict[str, Any]:
        async with limit:
            resolver = check_resolver(nameservers=nameservers, time_budget=budget)
            return await check_run_async(check, resolver=resolver, catalog=catalog)

    return await asyncio.gather(*(one(check) for _, check in inputs), return_exceptions=True)


def watch_check_now(*, watch: Watch) -> WatchOutcome:
    """Re-check one watch at once (the page's and the API's "verify now"), then alert."""
    from sources.services.watchalerts import alerts_dispatch

    outcome = watches_check([watch.pk])[0]
    alerts_dispatch(owner_id=watch.owner_id, outcomes=[outcome])
    outcome.watch.refresh_from_db()
    return outcome


def watch_delete(*, watch: Watch) -> None:
    """Stop watching (its history goes with it)."""
    watch.delete()
