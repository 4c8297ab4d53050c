"""Bulk checks: read a CSV of domains, check them in a background task, export the results.

The task (`bulk_check_run`, below, on the "bulk" queue) checks a slice of a
bulk (BULK_SLICE_DOMAINS domains) with the checker's `check_many`: the same
`check_domain` call and report as a single check, with bounded concurrency
and one resolver per domain. Results stream to the database in chunks,
updating the progress counters and a heartbeat as they go, so memory stays
flat whatever the number of domains and a restarted task resumes where it
stopped.

Fair queuing: each client (hashed, as the rate limits know it) has at most one
bulk task in the queue; its other bulks wait without one. After a slice, the
task queues the next slice behind everyone else's, so one client's many large
bulks cannot hold a worker while another's small one waits. When a bulk ends,
the client's next waiting bulk is queued.

Recovery (`bulk_checks_recover`, run by `manage.py task_worker` when it starts
and between tasks): a bulk whose worker died (no progress for
BULK_STALE_SECONDS and its task not waiting in the queue) has that task marked
failed and is resumed from what it stored, up to BULK_MAX_ATTEMPTS times, then
marked failed, its results so far downloadable.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import hashlib
import io
import json
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.tasks import TaskResultStatus, task
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone

from sources.catalogknowledge import CatalogKnowledge
from sources.checker import InvalidDomain, Resolver, check_many, normalise_domain
from sources.models import BulkCheck, CheckResult
from sources.selectors import catalog_knowledge
from sources.services.bulkrows import bulk_row_groups, group_reports, row_cells
from sources.services.checks import (
    CheckInput,
    CheckInputError,
    check_input_clean,
    check_resolver,
)

logger = logging.getLogger(__name__)

CHUNK_SIZE = 50  # results written per INSERT
FLUSH_SECONDS = 2.0  # ... or sooner, so progress moves on slow DNS
MAX_LINE_LENGTH = 2000
# Rows that are not domains are reported up to this many, and the rest counted: a file
# of bad rows must not make every page and response that lists them as large as it is.
INVALID_ROWS_KEPT = 100
# Lines read from a file at most: twice BULK_CHECK_MAX_DOMAINS and some (headers,
# comments and bad rows fit; a file of nothing but bad rows is refused unread).
MAX_LINES_PER_DOMAIN = 2
EXTRA_LINES = 100
HEADER_NAMES = {"domain", "domains", "domain name", "hostname", "host", "name", "email domain"}
VERDICTS = ("pass", "partial", "fail", "error")


class BulkTooLarge(ValueError):
    """More domains than BULK_CHECK_MAX_DOMAINS."""


@dataclass
class ParsedRows:
    """The domains of an uploaded file, and the rows that are not domains."""

    domains: list[tuple[int, str]] = field(default_factory=list)  # (line, normalised domain)
    invalid: list[dict[str, Any]] = field(default_factory=list)  # {line, text, error}, the first
    invalid_count: int = 0  # all of them
    # With a header: each domain row's other cells as [column, value], in input order
    # (per-row vendor and parameters, and columns echoed back; see bulkrows).
    cells: dict[int, list[list[str]]] = field(default_factory=dict)

    def add_invalid(self, line: int, text: str, error: str) -> None:
        """Count a row that is not a domain, and keep it if fewer than INVALID_ROWS_KEPT are."""
        self.invalid_count += 1
        if len(self.invalid) < INVALID_ROWS_KEPT:
            self.invalid.append({"line": line, "text": text, "error": error})


def decode_upload(raw: bytes) -> str:
    """Text of an uploaded file: UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def bulk_rows_parse(text: str, *, limit: int | None = None) -> ParsedRows:
    """Domains from CSV text: a `domain` column if there is a header, else the first column.

    Blank lines and lines starting with # are skipped; every other row that is
    not a domain (or repeats one) is reported with its line number. With a `limit`
    on domains, a text of more than MAX_LINES_PER_DOMAIN times as many lines is
    refused before any row is read.
    """
    if limit is not None:
        max_lines = limit * MAX_LINES_PER_DOMAIN + EXTRA_LINES
        if text.count("\n") + (not text.endswith("\n")) > max_lines:
            raise BulkTooLarge(
                f"the file has more than {max_lines} lines; a bulk check takes at most "
                f"{limit} domains: split it into smaller files"
            )
    parsed = ParsedRows()
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    column: int | None = None
    header: list[str] = []
    seen: dict[str, int] = {}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            parsed.add_invalid(reader.line_num, "", f"bad CSV: {exc}")
            continue
        line = reader.line_num
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if column is None:
            lowered = [cell.lower() for cell in cells]
            named = next((i for i, cell in enumerate(lowered) if cell in HEADER_NAMES), None)
            column = named if named is not None else 0
            if named is not None:
                header = [cell[:100] for cell in cells]
                continue
        text_cell = cells[column] if column < len(cells) else ""
        shown = text_cell[:200]
        if not text_cell:
            parsed.add_invalid(line, ",".join(cells)[:200], "no domain in this row")
            continue
        if len(text_cell) > MAX_LINE_LENGTH:
            parsed.add_invalid(line, shown, "far too long")
            continue
        try:
            domain = normalise_domain(text_cell)
        except InvalidDomain as exc:
            parsed.add_invalid(line, shown, exc.reason)
            continue
        if domain in seen:
            parsed.add_invalid(line, shown, f"duplicate of line {seen[domain]} (checked once)")
            continue
        seen[domain] = line
        parsed.domains.append((line, domain))
        if len(header) > 1:
            parsed.cells[line] = [
                [name, cells[i][:MAX_LINE_LENGTH] if i < len(cells) else ""]
                for i, name in enumerate(header)
                if i != column
            ]
        if limit is not None and len(parsed.domains) > limit:
            raise BulkTooLarge(
                f"the file has more than {limit} domains; split it into files of at most {limit}"
            )
    return parsed


def client_hash(client: str) -> str:
    """How a bulk remembers who asked (client_key(request)), without the address itself."""
    return hashlib.sha256(client.encode()).hexdigest()[:32] if client else ""


def bulk_create(
    *,
    check: CheckInput,
    rows: ParsedRows,
    filename: str = "",
    source: str = "web",
    client: str = "",
) -> BulkCheck:
    """Store a bulk check and queue it (once the transaction commits) behind the client's own.
    Rows whose own vendor or parameters cannot be used are stored as invalid rows, with the
    reason."""
    entries = [
        [line, domain, {"cells": rows.cells[line]}] if line in rows.cells else [line, domain]
        for line, domain in rows.domains
    ]
    groups, unusable = bulk_row_groups(entries, check)
    if unusable:
        bad = {row["line"] for row in unusable}
        entries = [entry for entry in entries if entry[0] not in bad]
        kept = ParsedRows(domains=[(e[0], e[1]) for e in entries])
        kept.invalid_count = max(rows.invalid_count, len(rows.invalid))
        kept.invalid = list(rows.invalid)
        for row in unusable:
            kept.add_invalid(row["line"], row["text"], row["error"])
        kept.invalid.sort(key=lambda row: row["line"])
        rows = kept
    bulk = BulkCheck.objects.create(
        client=client_hash(client),
        vendor_id=check.vendor.get("id") if check.vendor else None,
        vendor_slug=check.vendor_slug,
        vendor_name=check.vendor_name,
        method_kind=check.method_kind,
        parameters=dict(check.params),
        filename=filename[:255],
        domains=entries,
        invalid_rows=rows.invalid[:INVALID_ROWS_KEPT],
        invalid_count=max(rows.invalid_count, len(rows.invalid)),
        total=len(rows.domains),
        status=BulkCheck.Status.QUEUED if rows.domains else BulkCheck.Status.DONE,
        source=source,
        finished_at=None if rows.domains else timezone.now(),
    )
    if rows.domains:
        transaction.on_commit(lambda: bulk_schedule(client=bulk.client))
    return bulk


def bulk_schedule(*, client: str) -> BulkCheck | None:
    """Queue the client's oldest waiting bulk, unless one of theirs is queued or running."""
    active = BulkCheck.objects.filter(
        client=client, status__in=[BulkCheck.Status.QUEUED, BulkCheck.Status.RUNNING]
    )
    if active.exclude(task_id="").exists():
        return None
    bulk = active.filter(task_id="").order_by("created_at").first()
    if bulk is not None:
        bulk_enqueue(bulk)
    return bulk


def bulk_enqueue(bulk: BulkCheck) -> None:
    """Queue the task for the bulk's next slice, and remember it."""
    result = bulk_check_run.enqueue(str(bulk.pk))
    # An immediate backend has run the task (and maybe finished the bulk) by now.
    active = [BulkCheck.Status.QUEUED, BulkCheck.Status.RUNNING]
    BulkCheck.objects.filter(pk=bulk.pk, status__in=active).update(task_id=result.id)


def _finished(bulk: BulkCheck, **fields: Any) -> None:
    """Mark a bulk done or failed, then queue the client's next one."""
    BulkCheck.objects.filter(pk=bulk.pk).update(finished_at=timezone.now(), task_id="", **fields)
    bulk_schedule(client=bulk.client)


def bulk_check_input(bulk: BulkCheck) -> CheckInput:
    """The vendor, method and parameters of a bulk, cleaned against today's catalog."""
    return check_input_clean(
        domain=None,
        vendor=bulk.vendor_slug or None,
        method=bulk.method_kind or None,
        params=bulk.parameters,
    )


def bulk_run(*, bulk_id: str, limit: int | None = None) -> dict[str, Any]:
    """Check the domains of a bulk not checked yet (at most `limit`), saving results and
    progress as they come in; the bulk is done once none remain."""
    bulk = BulkCheck.objects.get(pk=bulk_id)
    if bulk.is_finished:
        return {"status": bulk.status, "done": bulk.done}
    try:
        check = bulk_check_input(bulk)
    except CheckInputError as exc:
        _finished(
            bulk,
            status=BulkCheck.Status.FAILED,
            error=f"The check can no longer run: {exc.first_message()}",
        )
        return {"status": "failed", "error": exc.first_message()}
    # Resume: a task that died half-way keeps what it stored.
    stored = set(CheckResult.objects.filter(bulk=bulk).values_list("domain", flat=True))
    todo = [entry for entry in bulk.domains if entry[1] not in stored]
    remaining = len(todo)
    if limit is not None:
        todo = todo[:limit]
    groups, _ = bulk_row_groups(todo, check)
    counts = Counter(
        dict(
            CheckResult.objects.filter(bulk=bulk)
            .values_list("verdict")
            .annotate(n=Count("pk"))
            .values_list("verdict", "n")
        )
    )
    BulkCheck.objects.filter(pk=bulk.pk).update(
        status=BulkCheck.Status.RUNNING,
        started_at=bulk.started_at or timezone.now(),
        done=len(stored),
        counts=dict(counts),
        heartbeat_at=timezone.now(),
    )
    loop = asyncio.new_event_loop()
    needs_catalog = any(group.check.vendor is None for group in groups)
    catalog = catalog_knowledge() if needs_catalog else None
    reports = group_reports(groups, catalog, bulk_reports)
    lines = {entry[1]: entry[0] for entry in todo}
    try:
        while True:
            chunk = loop.run_until_complete(_take(reports, CHUNK_SIZE, FLUSH_SECONDS))
            if not chunk:
                break
            rows = [
                CheckResult(
                    domain=data["domain"],
                    vendor_id=(row_check.vendor or {}).get("id"),
                    vendor_slug=row_check.vendor_slug,
                    method_kind=row_check.method_kind,
                    parameters=dict(row_check.params),
                    verdict=data["verdict"],
                    result=data,
                    source="bulk",
                    bulk=bulk,
                    line=lines.get(data["domain"]),
                )
                for row_check, data in chunk
            ]
            counts.update(data["verdict"] for _, data in chunk)
            with transaction.atomic():
                CheckResult.objects.bulk_create(rows)
                BulkCheck.objects.filter(pk=bulk.pk).update(
                    done=F("done") + len(rows), counts=dict(counts), heartbeat_at=timezone.now()
                )
    except Exception as exc:
        _finished(bulk, status=BulkCheck.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    finally:
        loop.run_until_complete(reports.aclose())
        loop.close()
    if remaining > len(todo):
        return {"status": "running", "done": bulk.total - remaining + len(todo)}
    _finished(bulk, status=BulkCheck.Status.DONE)
    return {"status": "done", "done": bulk.total, "counts": dict(counts)}


@task(queue_name="bulk")
def bulk_check_run(bulk_id: str) -> dict:
    """Check a slice of a bulk check, then queue the next slice behind other clients' work."""
    outcome = bulk_run(bulk_id=bulk_id, limit=settings.BULK_SLICE_DOMAINS)
    if outcome["status"] == "running":
        bulk_enqueue(BulkCheck.objects.get(pk=bulk_id))
    return outcome


def _task_status(task_id: str) -> TaskResultStatus | None:
    try:
        return bulk_check_run.get_result(task_id).status
    except (TaskResultDoesNotExist, NotImplementedError, ValueError):
        return None


def _task_mark_failed(task_id: str, now: dt.datetime) -> None:
    """Record that a dead worker's task is not running any more (the database backend's)."""
    if "django_tasks_db" not in settings.INSTALLED_APPS:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path="sources.services.bulkchecks.WorkerStopped",
        traceback="The worker stopped while running this task; its bulk check was recovered.",
    )


def bulk_checks_recover(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Resume (or, after BULK_MAX_ATTEMPTS, fail) bulks whose worker stopped mid-way."""
    now = now or timezone.now()
    stale_before = now - dt.timedelta(seconds=settings.BULK_STALE_SECONDS)
    candidates = (
        BulkCheck.objects.filter(status__in=[BulkCheck.Status.QUEUED, BulkCheck.Status.RUNNING])
        .exclude(task_id="")  # without a task it waits behind the client's own bulk
        .filter(
            Q(heartbeat_at__lt=stale_before)
            | Q(heartbeat_at__isnull=True, created_at__lt=stale_before)
        )
        .only("id", "client", "task_id", "attempts", "done", "total")
    )
    outcome = {"resumed": 0, "failed": 0}
    for bulk in candidates:
        if bulk.task_id and _task_status(bulk.task_id) == TaskResultStatus.READY:
            continue  # waiting its turn in the queue, not stuck
        if bulk.task_id:
            _task_mark_failed(bulk.task_id, now)
        if bulk.attempts < settings.BULK_MAX_ATTEMPTS:
            BulkCheck.objects.filter(pk=bulk.pk).update(
                attempts=F("attempts") + 1, heartbeat_at=now, task_id=""
            )
            bulk_schedule(client=bulk.client)
            outcome["resumed"] += 1
            logger.warning("Bulk check %s resumed after its worker stopped", bulk.pk)
        else:
            _finished(
                bulk,
                status=BulkCheck.Status.FAILED,
                error=f"The worker stopped while checking these domains, "
                f"{bulk.attempts + 1} times; the {bulk.done} results so far can be downloaded.",
            )
            outcome["failed"] += 1
            logger.warning("Bulk check %s failed: its worker stopped too often", bulk.pk)
    # A client whose bulks all wait (its queued task lost, say) gets one queued again.
    waiting = BulkCheck.objects.filter(status=BulkCheck.Status.QUEUED, task_id="")
    for client in set(waiting.values_list("client", flat=True)):
        if bulk_schedule(client=client) is not None:
            outcome["resumed"] += 1
    return outcome


async def bulk_reports(
    check: CheckInput,
    domains: list[str],
    *,
    resolver_factory: Callable[[], Resolver] | None = None,
    concurrency: int | None = None,
    catalog: CatalogKnowledge | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Each domain's report JSON, as check_many finishes them (the single check's JSON)."""
    budget = settings.CHECK_TIME_BUDGET
    if resolver_factory is None:

        def resolver_factory() -> Resolver:
            return check_resolver(time_budget=budget)

    async for report in check_many(
        domains,
        setup=check.setup,
        only=check.only,
        catalog=catalog,
        resolver_factory=resolver_factory,
        concurrency=max(1, concurrency or settings.BULK_CHECK_CONCURRENCY),
    ):
        data = report.to_dict()
        data["timed_out"] = report.elapsed_ms >= budget * 1000
        # A bulk keeps thousands of results: the per-lookup timeline stays with single checks.
        data["stats"].pop("trace", None)
        yield data


async def _take[T](source: AsyncIterator[T], size: int, seconds: float) -> list[T]:
    """Up to `size` items, or fewer once `seconds` have passed (progress must move)."""
    items: list[T] = []
    started = time.monotonic()
    while len(items) < size:
        try:
            items.append(await anext(source))
        except StopAsyncIteration:
            break
        if time.monotonic() - started > seconds:
            break
    return items


# -- results -------------------------------------------------------------------

CSV_COLUMNS = [
    "line",
    "domain",
    "verdict",
    "dmarc_pass_routes",
    "dmarc_policy",
    "failing_requirements",
    "fixes",
    "headline",
    "result_url",
    "spf_status",
    "vendor_checked",
]


def bulk_results(bulk: BulkCheck) -> Iterator[CheckResult]:
    """A bulk's results in file order, read in batches."""
    return (
        CheckResult.objects.filter(bulk=bulk)
        .order_by("line", "domain")
        .only("id", "domain", "verdict", "line", "result", "bulk_id")
        .iterator(chunk_size=200)
    )


def bulk_csv_lines(bulk: BulkCheck, *, base_url: str = "") -> Iterator[str]:
    """The results as CSV, one line at a time (for a streaming response or a file)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    # The input's other columns, echoed after ours in input order.
    echoed = {entry[0]: row_cells(entry) for entry in bulk.domains if len(entry) > 2}
    header = next((names for names in echoed.values()), [])
    columns = [name for name, _ in header]

    def echo(line: int | None) -> list[str]:
        values = dict((name, value) for name, value in echoed.get(line, ()))
        return [spreadsheet_safe(values.get(name, "")) for name in columns]

    writer.writerow(CSV_COLUMNS + columns)
    yield flush()
    for result in bulk_results(bulk):
        url = base_url + result.get_absolute_url()
        writer.writerow(csv_row(result.result, line=result.line, url=url) + echo(result.line))
        yield flush()
    invalid = bulk_invalid_rows(bulk)
    for row in invalid:
        text = spreadsheet_safe(row["text"])
        writer.writerow(
            [row["line"], text, "invalid", "", "", "", "", row["error"], "", "", ""]
            + [""] * len(columns)
        )
        yield flush()
    if (unlisted := bulk_invalid_count(bulk) - len(invalid)) > 0:
        writer.writerow(
            ["", "", "invalid", "", "", "", "", f"and {unlisted} more rows", "", "", ""]
            + [""] * len(columns)
        )
        yield flush()


def bulk_invalid_rows(bulk: BulkCheck) -> list[dict[str, Any]]:
    """The first INVALID_ROWS_KEPT rows that were not domains (older bulks kept them all)."""
    return list(bulk.invalid_rows[:INVALID_ROWS_KEPT])


def bulk_invalid_count(bulk: BulkCheck) -> int:
    """How many rows were not domains, listed or not."""
    return max(bulk.invalid_count, len(bulk.invalid_rows))


def spreadsheet_safe(text: str) -> str:
    """Text that spreadsheets will not run as a formula (rows echoed back from an upload)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_row(data: dict[str, Any], *, line: int | None, url: str = "") -> list[Any]:
    """One CSV row of a report (shared with the check_bulk command)."""
    failing = [r for r in data.get("requirements") or [] if r["status"] != "pass"]
    dmarc = data.get("dmarc") or {}
    plan = data.get("change_plan") or {}
    return [
        line if line is not None else "",
        data["domain"],
        data["verdict"],
        " ".join(data.get("dmarc_pass_routes") or []),
        dmarc.get("policy") or dmarc.get("status") or "",
        " ".join(f"{r['id']}:{r['status']}" for r in failing),
        " | ".join(row["zone_line"] for row in plan.get("rows") or []),
        data.get("headline") or data.get("summary") or "",
        url,
        (data.get("spf") or {}).get("status") or "",
        data.get("vendor") or "",
    ]


def bulk_json_chunks(bulk: BulkCheck, *, base_url: str = "") -> Iterator[str]:
    """The results as one JSON document, streamed: the bulk's status, then each report."""
    head = bulk_status(bulk, base_url=base_url)
    yield json.dumps(head)[:-1] + ', "results": ['
    first = True
    echoed = {entry[0]: row_cells(entry) for entry in bulk.domains if len(entry) > 2}
    for result in bulk_results(bulk):
        item = {"line": result.line, "url": base_url + result.get_absolute_url(), **result.result}
        if echoed:
            item["input_columns"] = echoed.get(result.line, [])
        yield ("" if first else ", ") + json.dumps(item)
        first = False
    yield "]}"


def bulk_status(bulk: BulkCheck, *, base_url: str = "") -> dict[str, Any]:
    """Progress and totals of a bulk check (the JSON of its status URL)."""
    return {
        "id": str(bulk.pk),
        "status": bulk.status,
        "vendor": bulk.vendor_slug or None,
        "vendor_name": bulk.vendor_name or None,
        "method": bulk.method_kind or None,
        "parameters": bulk.parameters,
        "total": bulk.total,
        "done": bulk.done,
        "percent": bulk.percent,
        "counts": {verdict: bulk.counts.get(verdict, 0) for verdict in VERDICTS},
        "invalid_rows": bulk_invalid_rows(bulk),
        "invalid_count": bulk_invalid_count(bulk),
        "error": bulk.error or None,
        "created_at": bulk.created_at.isoformat() if bulk.created_at else None,
        "started_at": bulk.started_at.isoformat() if bulk.started_at else None,
        "finished_at": bulk.finished_at.isoformat() if bulk.finished_at else None,
    }
