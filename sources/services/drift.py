"""The drift monitor: resolve every published vendor's own DNS names and keep the result.

Vendors are checked oldest-checked first, `VENDOR_DNS_CONCURRENCY` at a time, each with
the checker's own time budget (`CHECK_TIME_BUDGET`) and the whole run with
`VENDOR_DNS_RUN_BUDGET`: vendors not started by then stay due for the next run, which
the task queues at once. Each vendor's result replaces its last one, which is kept as
`previous_findings` so changes show.

A finding that needs the moderators (`MODERATED_CODES`) opens one report, the first
time it is seen; the report is resolved, with a note, when a later run no longer finds
it. A lookup that fails proves nothing: the findings a target had before are kept (marked
`unconfirmed`) and their reports stay open.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone

from sources.checker.dns import Resolver
from sources.checker.drift import DriftReport, check_records
from sources.models import RecordRequirement, Vendor, VendorDnsCheck
from sources.services.checks import check_resolver
from sources.services.reports import report_clear, report_create

logger = logging.getLogger(__name__)

# Findings that say customers following the entry now get a failing set-up.
MODERATED_CODES = frozenset(
    {
        "target-nxdomain",
        "spf-missing",
        "spf-invalid",
        "spf-include-costly",
        "dkim-key-missing",
        "dkim-key-invalid",
        "dkim-key-revoked",
        "dkim-key-too-short",
        "host-no-address",
    }
)
BATCH = 200  # vendors whose records are read (one query) and checked together


@dataclass
class DriftRun:
    """What one run did, counted."""

    checked: int = 0
    with_findings: int = 0
    reports_opened: int = 0
    reports_resolved: int = 0
    left: int = 0  # due vendors not reached within the run's time budget
    slugs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (without the slugs)."""
        return {
            "checked": self.checked,
            "with_findings": self.with_findings,
            "reports_opened": self.reports_opened,
            "reports_resolved": self.reports_resolved,
            "left": self.left,
        }


def _vendor_ids(*, slugs: Sequence[str] | None, due_only: bool, now: dt.datetime) -> list[int]:
    vendors = Vendor.objects.published()
    if slugs:
        vendors = vendors.filter(slug__in=slugs)
    if due_only:
        since = now - dt.timedelta(hours=settings.VENDOR_DNS_INTERVAL_HOURS)
        vendors = vendors.filter(
            Q(dns_check__isnull=True)
            | Q(dns_check__checked_at__isnull=True)
            | Q(dns_check__checked_at__lte=since)
        ).exclude(dns_check__claimed_until__gt=now)
    ordered = vendors.order_by(F("dns_check__checked_at").asc(nulls_first=True), "pk")
    return list(ordered.values_list("pk", flat=True))


def _claim(vendor_ids: list[int], *, token: str, until: dt.datetime) -> list[int]:
    """The vendors of `vendor_ids` this run now holds (no other run holds them till `until`).

    One conditional UPDATE takes the unclaimed (or expired) rows: atomic on PostgreSQL and
    SQLite alike, so of two runs at once each vendor goes to exactly one.
    """
    VendorDnsCheck.objects.bulk_create(
        [VendorDnsCheck(vendor_id=vendor_id) for vendor_id in vendor_ids], ignore_conflicts=True
    )
    now = timezone.now()
    VendorDnsCheck.objects.filter(vendor_id__in=vendor_ids).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    ).update(claimed_by=token, claimed_until=until)
    held = set(
        VendorDnsCheck.objects.filter(vendor_id__in=vendor_ids, claimed_by=token).values_list(
            "vendor_id", flat=True
        )
    )
    return [vendor_id for vendor_id in vendor_ids if vendor_id in held]


def _release(vendor_ids: Iterable[int], *, token: str) -> None:
    VendorDnsCheck.objects.filter(vendor_id__in=list(vendor_ids), claimed_by=token).update(
        claimed_by="", claimed_until=None
    )


def _records_of(vendor_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Catalog-form records of the vendors' methods (one query)."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = RecordRequirement.objects.filter(method__vendor_id__in=list(vendor_ids)).values_list(
        "method__vendor_id", "rtype", "check_type", "purpose", "value"
    )
    for vendor_id, rtype, check, purpose, value in rows:
        found[vendor_id].append({"type": rtype, "check": check, "purpose": purpose, "value": value})
    return found


async def _check_batch(
    records: dict[int, list[dict[str, Any]]],
    vendor_ids: list[int],
    *,
    resolver_factory: Callable[[], Resolver],
    deadline: float,
) -> dict[int, DriftReport]:
    """Check the vendors, a bounded number at a time; those not started by `deadline` wait."""
    semaphore = asyncio.Semaphore(max(1, settings.VENDOR_DNS_CONCURRENCY))
    done: dict[int, DriftReport] = {}

    async def one(vendor_id: int) -> None:
        async with semaphore:
            if time.monotonic() >= deadline:
                return
            done[vendor_id] = await check_records(resolver_factory(), records.get(vendor_id, []))

    await asyncio.gather(*(one(vendor_id) for vendor_id in vendor_ids))
    return done


def _key(finding: dict[str, Any]) -> str:
    return f"{finding['code']} {finding['name']}"


def _merge(report: DriftReport, previous: list[dict[str, Any]], now: dt.datetime) -> list[dict]:
    """This run's findings, each with the time it was first seen, plus the earlier findings
    of targets this run could not look up (a failed lookup clears nothing)."""
    first_seen = {_key(f): f.get("since") for f in previous}
    stamp = now.isoformat()
    findings = [{**f.to_dict(), "since": first_seen.get(f.key) or stamp} for f in report.findings]
    failed = {f["name"] for f in findings if f["code"] == "lookup-failed"}
    current = {_key(f) for f in findings}
    for old in previous:
        if old["name"] in failed and old["code"] != "lookup-failed" and _key(old) not in current:
            findings.append({**old, "unconfirmed": True})
    return findings


def _report_note(vendor: Vendor, finding: dict[str, Any], now: dt.datetime) -> str:
    return (
        f"The drift monitor found a problem in {vendor.name}'s own DNS on "
        f"{now:%Y-%m-%d}:\n\n{finding['detail']}\n\n"
        f"Finding: {finding['code']} at {finding['name']}. The entry's records that point "
        "there may need updating (check the vendor's documentation). This report is "
        "resolved automatically if a later check no longer finds the problem."
    )


def _moderate(
    vendor: Vendor, findings: list[dict], reports: dict[str, int], now: dt.datetime, run: DriftRun
) -> dict[str, int]:
    """Open a report for each new moderated finding; resolve those of findings now gone."""
    kept: dict[str, int] = {}
    for finding in findings:
        key = _key(finding)
        if finding["code"] not in MODERATED_CODES or key in kept:
            continue
        if key in reports:
            kept[key] = reports[key]
            continue
        kept[key] = report_create(vendor=vendor, note=_report_note(vendor, finding, now)).pk
        run.reports_opened += 1
    for key, report_id in reports.items():
        if key in kept:
            continue
        code, _, name = key.partition(" ")
        comment = (
            f"Resolved by the drift monitor on {now:%Y-%m-%d}: {code} no longer found at {name}."
        )
        if report_clear(report_id=report_id, comment=comment):
            run.reports_resolved += 1
    return kept


def _changed(before: list[dict], after: list[dict]) -> bool:
    def shape(findings: list[dict]) -> set[tuple]:
        return {(f["code"], f["name"], f["severity"]) for f in findings}

    return shape(before) != shape(after)


def vendor_dns_store(
    *,
    vendor: Vendor,
    report: DriftReport,
    now: dt.datetime | None = None,
    run: DriftRun | None = None,
) -> VendorDnsCheck:
    """Save a vendor's check (the last one becomes `previous`) and update its reports."""
    now = now or timezone.now()
    run = run if run is not None else DriftRun()
    with transaction.atomic():
        # Locked, so that two runs at once cannot both open a report for one finding.
        check = VendorDnsCheck.objects.select_for_update().filter(vendor=vendor).first()
        first = check is None
        if first:
            try:
                with transaction.atomic():
                    check = VendorDnsCheck.objects.create(vendor=vendor, checked_at=now)
            except IntegrityError:  # another run created it meanwhile; wait for it
                first = False
                check = VendorDnsCheck.objects.select_for_update().get(vendor=vendor)
        assert check is not None
        check.vendor = vendor  # the caller's instance: its dns_check is now this row
        first = first or check.checked_at is None  # a row a run claimed, never stored
        previous = [] if first else list(check.findings)
        findings = _merge(report, previous, now)
        if not first:
            check.previous_checked_at = check.checked_at
            check.previous_findings = previous
        if first or _changed(previous, findings):
            check.changed_at = now
        check.checked_at = now
        check.findings = findings
        check.targets = [result.to_dict() for result in report.targets]
        check.skipped = report.skipped
        check.stats = report.stats
        check.reports = _moderate(vendor, findings, dict(check.reports), now, run)
        check.claimed_by, check.claimed_until = "", None
        check.save()
    return check


def _site_resolver() -> Resolver:
    return check_resolver(time_budget=settings.CHECK_TIME_BUDGET)


def vendors_dns_check(
    *,
    slugs: Sequence[str] | None = None,
    due_only: bool = False,
    resolver_factory: Callable[[], Resolver] | None = None,
    on_checked: Callable[[VendorDnsCheck], None] | None = None,
) -> DriftRun:
    """Check published vendors' names now (all, these slugs, or those due) and store them.

    Each vendor gets a resolver of its own from `resolver_factory` (default: the site's
    checker settings, within CHECK_TIME_BUDGET).
    """
    factory = resolver_factory or _site_resolver
    now = timezone.now()
    deadline = time.monotonic() + settings.VENDOR_DNS_RUN_BUDGET
    # Claims outlive the run's budget by one vendor's: the run has ended by then.
    until = now + dt.timedelta(
        seconds=settings.VENDOR_DNS_RUN_BUDGET + settings.CHECK_TIME_BUDGET + 60
    )
    token = uuid.uuid4().hex
    ids = _vendor_ids(slugs=slugs, due_only=due_only, now=now)
    run = DriftRun()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        if time.monotonic() >= deadline:
            run.left += len(batch)
            continue
        if due_only:  # scheduled runs share the work; a run asked for by hand does it all
            batch = _claim(batch, token=token, until=until)
        records = _records_of(batch)
        reports = async_to_sync(_check_batch)(
            records, batch, resolver_factory=factory, deadline=deadline
        )
        run.left += len(batch) - len(reports)
        if due_only:
            _release((vendor_id for vendor_id in batch if vendor_id not in reports), token=token)
        vendors = Vendor.objects.in_bulk(list(reports))
        stored = []
        with transaction.atomic():  # one commit per batch, not one per vendor
            for vendor_id in batch:
                if vendor_id in reports:
                    report, vendor = reports[vendor_id], vendors[vendor_id]
                    stored.append(
                        vendor_dns_store(vendor=vendor, report=report, now=timezone.now(), run=run)
                    )
        for check in stored:
            run.checked += 1
            run.with_findings += bool(check.findings)
            run.slugs.append(check.vendor.slug)
            if on_checked is not None:
                on_checked(check)
    return run


@task(queue_name="bulk")
def vendors_dns_check_due() -> dict:
    """Check the vendors not checked for VENDOR_DNS_INTERVAL_HOURS; queue the rest if the
    run's time budget ran out first."""
    run = vendors_dns_check(due_only=True)
    logger.info("drift monitor: %s", run.to_dict())
    if run.left:
        vendors_dns_check_due.enqueue()
    return run.to_dict()
