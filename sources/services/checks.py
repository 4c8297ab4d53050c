"""Running DNS checks for every front end: vendor → plain data → checker → stored result.

The web pages, the API, the management commands and the bulk task all clean
their input with `check_input_clean` (the vendor looked up here or handed in
as data, then the checker's `check_setup`: the method is picked once) and run
it with `check_run` (commands, tasks) or `check_run_async` (the page and API
views, on the event loop, within CHECK_TIME_BUDGET), then `check_store` keeps
the result for its permalink. The JSON they return is exactly the checker's
`CheckReport.to_dict()`: headline, change plan and all are built there.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone

from sources.catalogfile import CATALOG_DIR, CatalogError, load_vendor_file, text_problem
from sources.catalogknowledge import CatalogKnowledge
from sources.checker import (
    CheckReport,
    CheckSetup,
    InvalidDomain,
    InvalidParameter,
    MethodSpec,
    Resolver,
    UnknownMethod,
    check_domain,
    check_setup,
    normalise_domain,
)
from sources.checker.check import SECTIONS
from sources.checker.dns import parse_nameserver
from sources.models import BulkCheck, CheckResult, Vendor
from sources.ops.metrics import observe_check
from sources.search import clean_query
from sources.selectors import MATCH_THRESHOLD, catalog_knowledge, catalog_snapshot, vendor_to_data

# Longer than any vendor's name or alias: not worth a query.
MAX_VENDOR_QUERY = 200


class UnknownVendor(LookupError):
    """No published vendor has this slug (or name)."""


class CheckInputError(ValueError):
    """The check cannot run as asked; `errors` maps field names to messages.

    `errors["parameters"]` is itself a dict of parameter name to message.
    """

    def __init__(self, errors: Mapping[str, Any]) -> None:
        self.errors = dict(errors)
        super().__init__(self.first_message())

    def first_message(self) -> str:
        """The first error as one line, for the command line."""
        for name, message in self.errors.items():
            if isinstance(message, Mapping):
                for param, text in message.items():
                    return f"parameter {param}: {text}"
            return f"{name}: {message}"
        return "invalid input"


@dataclass(frozen=True)
class CheckInput:
    """A check that is ready to run: every field valid."""

    domain: str  # normalised A-label form ("" for a bulk check's shared input)
    domain_input: str  # as typed
    setup: CheckSetup  # the vendor as data, its method (picked once), cleaned parameters
    only: frozenset[str] | None = None

    @property
    def vendor(self) -> Mapping[str, Any] | None:
        """The vendor in catalog-file form (with its database `id`), or None."""
        return self.setup.vendor

    @property
    def method(self) -> MethodSpec | None:
        return self.setup.method

    @property
    def params(self) -> Mapping[str, str]:
        return self.setup.params

    @property
    def vendor_slug(self) -> str:
        return self.setup.vendor_slug

    @property
    def vendor_name(self) -> str:
        return self.setup.vendor_name

    @property
    def method_kind(self) -> str:
        return self.setup.method_kind


# -- the catalog, as plain data ------------------------------------------------


def vendor_lookup_data(slug_or_name: str, *, fuzzy: bool = False) -> dict:
    """A published vendor in catalog-file form, by slug, name or alias (case-insensitive).

    With `fuzzy` (the web form), a misspelt name or alias finds the vendor the site's
    search ranks clearly first ("mailchimpp" → Mailchimp); the data then carries
    `matched_from`, the text as typed.
    """
    text = slug_or_name.strip()
    if not text:
        raise UnknownVendor("no vendor given")
    # No vendor name holds these, and PostgreSQL refuses a NUL in a query.
    if len(text) > MAX_VENDOR_QUERY or text_problem(text):
        raise UnknownVendor("that is not a vendor name: use a vendor's name or slug")
    vendors = Vendor.objects.published().with_details()
    vendor = vendors.filter(slug=text.lower()).first() or vendors.filter(name__iexact=text).first()
    if vendor is None:
        folded = text.casefold()
        matches = [
            v
            for v in Vendor.objects.published().only("id", "aliases")
            if any(str(alias).casefold() == folded for alias in v.aliases)
        ]
        if len(matches) == 1:
            vendor = vendors.get(pk=matches[0].pk)
    matched_from = None
    if vendor is None and fuzzy and (best := _closest_vendor_id(text)) is not None:
        vendor, matched_from = vendors.filter(pk=best).first(), text
    if vendor is None:
        raise UnknownVendor(f"no vendor '{text}' in the directory")
    data = vendor_to_data(vendor)
    data["id"] = vendor.pk
    if matched_from:
        data["matched_from"] = matched_from
    return data


# A typo must point at one vendor clearly: a best name score this high, and this far
# ahead of the next vendor's (scores from sources.search: 1 exact, 0.7-0.9 substring,
# up to 0.69 by trigrams).
FUZZY_MIN_SCORE = 0.35
FUZZY_LEAD = 0.05


def _closest_vendor_id(text: str) -> int | None:
    """The published vendor whose name or alias a misspelt `text` clearly means, if any."""
    scores = catalog_snapshot().names.search(clean_query(text), MATCH_THRESHOLD)
    ranked = sorted(scores.items(), key=lambda pair: -pair[1])
    if not ranked or ranked[0][1] < FUZZY_MIN_SCORE:
        return None
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < FUZZY_LEAD:
        return None
    return ranked[0][0]


def vendor_file_data(slug: str) -> dict:
    """A vendor from the catalog files (the command line's fallback without a database)."""
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
        raise UnknownVendor(f"no vendor '{slug}' in the directory")
    path = CATALOG_DIR / f"{slug}.toml"
    if not path.is_file():
        raise UnknownVendor(f"no vendor '{slug}' in the directory")
    try:
        return load_vendor_file(path)
    except CatalogError as exc:
        raise UnknownVendor(f"the catalog file for '{slug}' is invalid: {exc}") from None


# -- input ---------------------------------------------------------------------


def parse_only(text: str | Iterable[str] | None) -> frozenset[str] | None:
    """'spf,dmarc' → {'spf', 'dmarc'}; raises ValueError naming unknown sections."""
    if text is None:
        return None
    items = text.split(",") if isinstance(text, str) else list(text)
    names = {item.strip().lower() for item in items if item and item.strip()}
    if not names:
        return None
    if unknown := names - SECTIONS:
        raise ValueError(
            f"unknown check {', '.join(sorted(unknown))}: choose from {', '.join(sorted(SECTIONS))}"
        )
    return frozenset(names)


def check_input_clean(
    *,
    domain: str | None,
    vendor: str | Mapping[str, Any] | None = None,
    method: str | None = None,
    params: Mapping[str, str] | None = None,
    only: str | Iterable[str] | None = None,
    vendor_loader: Callable[[str], Mapping[str, Any]] = vendor_lookup_data,
) -> CheckInput:
    """Validate a check request; raises CheckInputError with every field's problem at once.

    `vendor` is a slug or name to look up with `vendor_loader`, or the vendor
    already looked up (catalog-shaped data). `domain` None skips the domain
    (a bulk check validates its rows separately).
    """
    errors: dict[str, Any] = {}
    domain_text = str(domain or "")
    name = ""
    if domain is not None:
        try:
            name = normalise_domain(domain_text)
        except InvalidDomain as exc:
            errors["domain"] = exc.reason
    vendor_data: Mapping[str, Any] | None = None
    if isinstance(vendor, Mapping):
        vendor_data = vendor
    elif vendor and str(vendor).strip():
        try:
            vendor_data = vendor_loader(str(vendor))
        except UnknownVendor as exc:
            errors["vendor"] = str(exc)
    setup = CheckSetup()
    if "vendor" not in errors:
        try:
            setup = check_setup(vendor_data, method or None, params or {})
        except UnknownMethod as exc:
            errors["method"] = str(exc)
        except InvalidParameter as exc:
            errors["parameters"] = exc.errors
    try:
        sections = parse_only(only)
    except ValueError as exc:
        errors["only"] = str(exc)
        sections = None
    if errors:
        raise CheckInputError(errors)
    return CheckInput(domain=name, domain_input=domain_text.strip(), setup=setup, only=sections)


# -- running -------------------------------------------------------------------


def check_resolver(
    *,
    nameservers: Iterable[str] | None = None,
    timeout: float | None = None,
    time_budget: float | None = None,
) -> Resolver:
    """A resolver for one check, configured from settings unless told otherwise."""
    servers = list(nameservers) if nameservers else list(settings.CHECKER_NAMESERVERS)
    extra = {"time_budget": time_budget} if time_budget else {}
    return Resolver(servers, timeout=timeout or settings.CHECKER_TIMEOUT, **extra)


def validate_nameserver(text: str) -> str:
    """The text if it is HOST[:PORT] with an IP address; ValueError otherwise."""
    parse_nameserver(text)
    return text.strip()


# Past the budget the resolver answers every lookup "timeout" at once, so a check
# ends within moments of it; this margin only catches a check that does not.
BUDGET_GRACE_SECONDS = 2.0


async def check_run_async(
    check: CheckInput,
    *,
    resolver: Resolver | None = None,
    catalog: CatalogKnowledge | None = None,
) -> dict[str, Any]:
    """Run one check on the running event loop, within its time budget; its report's JSON.

    The resolver's `time_budget` (CHECK_TIME_BUDGET for the site's checks) bounds
    the whole check: lookups still unanswered then are "timeout" and the report
    says `"timed_out": true`, with everything found before.
    """
    if catalog is None and check.vendor is None:
        catalog = await sync_to_async(catalog_knowledge)()
    if resolver is None:
        resolver = check_resolver(time_budget=settings.CHECK_TIME_BUDGET)
    started = time.monotonic()
    try:
        async with asyncio.timeout(resolver.time_budget + BUDGET_GRACE_SECONDS):
            report = await check_domain(
                check.domain_input or check.domain,
                resolver=resolver,
                setup=check.setup,
                only=check.only,
                catalog=catalog,
            )
    except TimeoutError:
        report = CheckReport(
            domain=check.domain,
            vendor=check.vendor_slug or None,
            vendor_name=check.vendor_name or None,
            headline="The check ran out of time before its lookups finished.",
            queries=resolver.stats.queries,
            elapsed_ms=(time.monotonic() - started) * 1000,
        )
    data = report.to_dict()
    data["timed_out"] = time.monotonic() - started >= resolver.time_budget
    observe_check(
        vendor=check.vendor is not None, verdict=data["verdict"], timed_out=data["timed_out"]
    )
    return data


def check_run(
    check: CheckInput,
    *,
    resolver: Resolver | None = None,
    catalog: CatalogKnowledge | None = None,
) -> dict[str, Any]:
    """Run one check synchronously (from a command or a task); its report's JSON."""
    if catalog is None and check.vendor is None:
        catalog = catalog_knowledge()
    return asyncio.run(
        check_run_async(check, resolver=resolver or check_resolver(), catalog=catalog)
    )


def check_store(*, check: CheckInput, data: Mapping[str, Any], source: str) -> CheckResult:
    """Store a check's report for its permalink."""
    return CheckResult.objects.create(
        domain=check.domain,
        vendor_id=check.vendor.get("id") if check.vendor else None,
        vendor_slug=check.vendor_slug,
        method_kind=check.method_kind,
        parameters=dict(check.params),
        only=sorted(check.only) if check.only is not None else [],
        verdict=data["verdict"],
        result=dict(data),
        source=source,
    )


def checks_prune(*, days: int | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete single and bulk checks older than `days` (CHECK_RETENTION_DAYS by default)."""
    days = settings.CHECK_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    singles = _delete_in_batches(
        CheckResult.objects.filter(bulk__isnull=True, created_at__lt=cutoff)
    )
    bulks = BulkCheck.objects.filter(created_at__lt=cutoff).exclude(
        status__in=[BulkCheck.Status.QUEUED, BulkCheck.Status.RUNNING]
    )
    bulk_rows = 0
    for bulk_id in list(bulks.values_list("pk", flat=True)):
        bulk_rows += _delete_in_batches(CheckResult.objects.filter(bulk_id=bulk_id))
    bulk_count = bulks.delete()[1].get(BulkCheck._meta.label, 0)
    return {"checks": singles, "bulk_checks": bulk_count, "bulk_results": bulk_rows}


def _delete_in_batches(queryset, size: int = 2000) -> int:
    # Bounded deletes: one huge DELETE would hold locks (and memory for the
    # cascade collector) for as long as it takes.
    total = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:size])
        if not ids:
            return total
        CheckResult.objects.filter(pk__in=ids).delete()
        total += len(ids)
