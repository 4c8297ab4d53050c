"""Analysing messages for every front end: the engine, the vendor that sent it, its recipe.

The page, the API and `analyze_message` call `analysis_run_async` (or `analysis_run`):
the engine (sources/analysis) runs within CHECK_TIME_BUDGET on a resolver configured
like a check's, while the connecting address is matched against the catalog's SPF
ranges (the index of `GET /api/v1/lookup?ip=`); then the vendors the message shows
are identified with the catalog's knowledge and the likeliest sender gets its recipe
for the From domain. Nothing is stored unless `analysis_store` is called (a permalink
asked for), and then only the report: never the body.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import time
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from sources.analysis import analyze, identify_vendors, parse_message, read_headers, recipe
from sources.analysis.evaluate import connecting_ip, unevaluated
from sources.analysismodels import MessageAnalysis
from sources.catalogknowledge import CatalogKnowledge, RecordMatch
from sources.checker import Resolver
from sources.selectors import catalog_knowledge
from sources.services.checks import (
    BUDGET_GRACE_SECONDS,
    UnknownVendor,
    check_resolver,
    vendor_lookup_data,
)
from sources.services.lookups import vendor_ip_lookup


def _ip_matches(ip: str | None) -> list[RecordMatch]:
    """The catalog records whose SPF include authorises `ip` (none when unknown)."""
    if not ip:
        return []
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return []
    try:
        vendors, _incomplete = vendor_ip_lookup(ip=address)
    except DatabaseError:
        return []
    return [match for vendor in vendors if vendor.credited for match in vendor.records]


def _vendor_data(slug: str) -> dict | None:
    try:
        return vendor_lookup_data(slug)
    except (UnknownVendor, DatabaseError):
        return None


def _needed_routes(report: dict[str, Any]) -> list[str]:
    passing = set(report.get("dmarc_pass_routes") or ())
    return [route for route in ("dkim", "spf") if route not in passing]


def _enrich(
    report: dict[str, Any],
    knowledge: CatalogKnowledge | None,
    ips: list[RecordMatch],
    *,
    with_database: bool = True,
) -> None:
    """The vendors, the likeliest first with its recipe; ready for rendering or JSON."""
    if knowledge is None:
        report["vendors"] = []
        return
    vendors = identify_vendors(knowledge, report, ips)
    domain = (report.get("from") or {}).get("domain") or ""
    for position, vendor in enumerate(vendors):
        vendor["url"] = reverse("vendor", args=[vendor["slug"]])
        vendor["recipe"] = None
        if position == 0 and domain and with_database:
            data = _vendor_data(vendor["slug"])
            if data is not None:
                vendor["recipe"] = recipe(data, domain, _needed_routes(report))
    report["vendors"] = vendors


async def _analyze_within_budget(
    raw: bytes, headers: dict[str, Any], resolver: Resolver
) -> dict[str, Any]:
    started = time.monotonic()
    try:
        async with asyncio.timeout(resolver.time_budget + BUDGET_GRACE_SECONDS):
            report = await analyze(raw, resolver=resolver)
    except TimeoutError:
        report = unevaluated(headers)
        report["stats"] = {"queries": resolver.stats.queries, "elapsed_ms": 0.0}
    report["timed_out"] = time.monotonic() - started >= resolver.time_budget
    return report


async def analysis_run_async(raw: bytes, *, resolver: Resolver | None = None) -> dict[str, Any]:
    """Analyse a message on the running event loop (the page and the API), within the
    check time budget; its JSON.

    Raises MessageInputError for input that is not a message. Lookups still unanswered
    when the budget is spent are errors in the report, which says `"timed_out": true`.
    The catalog's address ranges are matched meanwhile, in a thread.
    """
    headers = read_headers(parse_message(raw))  # MessageInputError before any lookup
    if resolver is None:
        resolver = check_resolver(time_budget=settings.CHECK_TIME_BUDGET)
    catalog = await sync_to_async(catalog_knowledge)()
    ip_task = asyncio.ensure_future(sync_to_async(_ip_matches)(connecting_ip(headers)))
    report = await _analyze_within_budget(raw, headers, resolver)
    try:
        async with asyncio.timeout(resolver.time_budget):
            ips = await ip_task
    except TimeoutError:
        ips = []
    await sync_to_async(_enrich)(report, catalog, ips)
    return report


def analysis_run(
    raw: bytes,
    *,
    resolver: Resolver | None = None,
    catalog: CatalogKnowledge | None = None,
    with_database: bool = True,
) -> dict[str, Any]:
    """The same, synchronously (the command line). Without a database, `catalog` (from
    the catalog files) still names the vendor, without its recipe or address ranges."""
    headers = read_headers(parse_message(raw))
    if catalog is None and with_database:
        catalog = catalog_knowledge()
    ips = _ip_matches(connecting_ip(headers)) if with_database else []
    report = asyncio.run(_analyze_within_budget(raw, headers, resolver or check_resolver()))
    _enrich(report, catalog, ips, with_database=with_database)
    return report


def analysis_store(*, data: dict[str, Any], source: str) -> MessageAnalysis:
    """Keep an analysis for its permalink (the report only: it holds no body)."""
    return MessageAnalysis.objects.create(
        from_domain=((data.get("from") or {}).get("domain") or "")[:253],
        verdict=str(data.get("verdict") or "fail"),
        result=dict(data),
        source=source,
    )


def analyses_prune(*, days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete kept analyses older than `days` (CHECK_RETENTION_DAYS by default)."""
    days = settings.CHECK_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _ = MessageAnalysis.objects.filter(created_at__lt=cutoff).delete()
    return deleted
