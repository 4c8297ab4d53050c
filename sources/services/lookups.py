"""Which catalog vendors' SPF authorises an IP address (`GET /api/v1/lookup?ip=`).

The catalog's SPF includes (`include:sendgrid.net`, `include:_spf.google.com`, …) are
walked through the checker's resolver once per catalog version, and the networks their
trees authorise are kept in the cache for `LOOKUP_SPF_TTL` seconds (DNS changes too);
a lookup is then a scan of those networks. The walk is bounded: at most
`MAX_INCLUDES` includes, `CONCURRENCY` at a time, each with its own resolver (its own
query budget) and at most `MAX_RECORDS` records, all within the site's
`CHECK_TIME_BUDGET` (the walk runs on the request that finds the cache cold). A walk
that could not read every include is kept for a minute only, so a passing DNS error
is not served for the whole TTL.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
from dataclasses import replace

from django.conf import settings
from django.core.cache import cache

from sources.catalogknowledge import CatalogKnowledge
from sources.checker.spfranges import SPFNetworks, networks_holding, spf_networks
from sources.selectors import VendorMatch, catalog_knowledge, catalog_version, vendor_matches
from sources.services.checks import check_resolver

MAX_INCLUDES = 500
CONCURRENCY = 16
RETRY_INCOMPLETE_SECONDS = 60


def catalog_spf_includes(knowledge: CatalogKnowledge) -> list[str]:
    """The literal SPF include domains of the published catalog, sorted."""
    return sorted(
        name
        for name, matches in knowledge.exact.items()
        if any(match.how == "include" for match in matches)
    )[:MAX_INCLUDES]


def catalog_spf_networks() -> list[SPFNetworks]:
    """The networks each catalog include authorises (cached per catalog version and TTL)."""
    version = hashlib.sha256(repr(catalog_version()).encode()).hexdigest()[:16]
    key = f"catalog-spf-networks:{version}"
    found = cache.get(key)
    if found is None:
        found = asyncio.run(_walk(catalog_spf_includes(catalog_knowledge())))
        complete = all(item.status != "temperror" for item in found)
        ttl = settings.LOOKUP_SPF_TTL if complete else RETRY_INCOMPLETE_SECONDS
        cache.set(key, found, min(ttl, settings.LOOKUP_SPF_TTL))
    return found


async def _walk(domains: list[str]) -> list[SPFNetworks]:
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(domain: str) -> SPFNetworks:
        async with limit:
            return await spf_networks(check_resolver(), domain)

    tasks = [asyncio.ensure_future(one(domain)) for domain in domains]
    budget = settings.CHECK_TIME_BUDGET
    done, pending = await asyncio.wait(tasks, timeout=budget) if tasks else (set(), set())
    for task in pending:
        task.cancel()
    results = []
    for domain, task in zip(domains, tasks, strict=True):
        if task in done and task.exception() is None:
            results.append(task.result())
        else:
            results.append(SPFNetworks(domain, "temperror"))
    return results


def vendor_ip_lookup(
    *, ip: ipaddress.IPv4Address | ipaddress.IPv6Address
) -> tuple[list[VendorMatch], list[str]]:
    """The vendors whose catalog SPF include authorises `ip` (each record matched shows
    the include and the network), and the includes that could not be read in full."""
    knowledge = catalog_knowledge()
    found = catalog_spf_networks()
    matches = []
    for item, network in networks_holding(found, ip):
        for match in knowledge.match_name(item.domain, includes_only=True):
            matches.append(replace(match, matched=f"{network} in include:{item.domain}", how="ip"))
    incomplete = [item.domain for item in found if item.status == "temperror"]
    return vendor_matches(knowledge, matches), incomplete
