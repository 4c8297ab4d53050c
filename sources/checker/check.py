"""Check a domain, alone or against a vendor's requirements, with every lookup concurrent.

`check_domain` starts the SPF tree, DMARC discovery, the vendor's DKIM
selectors, MX, each record requirement and the organisational-domain walks
needed for alignment all at once (one `asyncio.gather`), so a check costs
about the depth of its longest lookup chain in round trips.

Verdicts for a vendor check:
- pass: an aligned DKIM or SPF route is in place and every required record passes;
- partial: an aligned route is in place but some required record fails, warns or errored;
- fail: no aligned route is in place;
- error: no aligned route is known to be in place and lookups failed, so the
  answer is unknown (never reported as missing records).

The report it returns is the whole answer every front end renders or stores:
the headline sentence, the DNS change plan (with SPF lookup costs found on
the same resolver) and, for a check without a vendor, the catalog's known
DKIM selectors and the vendors the domain's records authorise.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

from .changeplan import SPFCosts, change_plan, spf_costs
from .discovery import discover
from .dkim import DKIMSelectorResult, lookup_dkim, shared_lookup_dkim
from .dmarc import DMARCResult, OrgDomain, discover_dmarc, find_organisational_domain
from .dmarcplan import dmarc_stages
from .domains import InvalidDomain, normalise_domain, organisational_domain
from .explain import headline, verdict_label
from .report import (
    CheckReport,
    MXSummary,
    find_routes,
    generic_verdict,
    route_domains,
    vendor_verdict,
)
from .requirements import Expanded, RecordSpec, dkim_domain, evaluate, expand
from .setup import CheckSetup, UnknownMethod, check_setup, pick_method
from .spffix import name_vendors, spf_repair
from .spfreport import spf_reaches, spf_summary

if TYPE_CHECKING:
    from .dns import Resolver

SECTIONS = frozenset({"spf", "dmarc", "dkim", "mx"})
# Which --only sections a requirement belongs to; tracking and verification
# records are only checked in a full report.
_PURPOSE_SECTIONS = {
    "dkim": {"dkim"},
    "spf": {"spf"},
    "return-path": {"spf"},
    "delegation": {"spf", "dkim"},
}


__all__ = ["CatalogHints", "UnknownMethod", "check_domain", "check_many", "pick_method"]


class CatalogHints(Protocol):
    """What the directory knows beyond one vendor, for a check without a vendor."""

    @property
    def selectors(self) -> Sequence[str]:
        """DKIM selector names the catalog's vendors use."""
        ...

    @property
    def probe_hosts(self) -> Sequence[str]:
        """First labels of return-path CNAME hosts the catalog's vendors use."""
        ...

    def authorised_by(
        self, report: Mapping[str, Any], observed: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """The vendors a report's records (and the `observed` CNAMEs and TXT) show."""
        ...


def _wanted(spec: RecordSpec, sections: frozenset[str], limited: bool) -> bool:
    if not limited:
        return True
    return bool(_PURPOSE_SECTIONS.get(spec.purpose, set()) & sections)


async def _mx(resolver: Resolver, domain: str) -> MXSummary:
    """MX records; "nxdomain" when the name does not exist, "no-mail" when nothing receives."""
    answer = await resolver.query(domain, "MX")
    if answer.is_retryable:
        reason = answer.reason or answer.status
        return MXSummary("error", errors=(f"MX lookup failed ({reason}); retry",))
    if answer.status == "nxdomain":
        return MXSummary("nxdomain")
    if not answer.ok:
        # Without MX, mail goes to the address records (RFC 5321 §5.1), if any.
        a, aaaa = await asyncio.gather(resolver.query(domain, "A"), resolver.query(domain, "AAAA"))
        if a.is_retryable or aaaa.is_retryable:
            return MXSummary("none")  # the implicit MX (RFC 5321 §5.1) may still exist
        # No MX and no address: no server can receive mail for the domain.
        return MXSummary("none" if a.ok or aaaa.ok else "no-mail")
    records = tuple(sorted(answer.records, key=lambda r: (int(r.split()[0]), r)))
    if records == ("0 .",) or records == ("0 ",):
        return MXSummary("null", records)  # RFC 7505: the domain accepts no mail
    return MXSummary("ok", records)


def _route_domains(items: list[Expanded]) -> set[str]:
    """Domains whose organisational domain alignment will need (DKIM d= and SPF hosts)."""
    return {
        domain
        for item in items
        for _kind, domain in route_domains(item.spec.purpose, item.host, item.selector)
    }


async def _none() -> None:
    return None


async def _observe(resolver: Resolver, domain: str, labels: Sequence[str]) -> dict[str, Any]:
    """What vendor detection needs beyond the report: CNAMEs at the catalog's fixed
    return-path hosts and the domain's TXT values (already cached by the SPF lookup)."""
    hosts = [f"{label}.{domain}" for label in labels]
    answers = await asyncio.gather(
        resolver.query(domain, "TXT"), *(resolver.query(host, "CNAME") for host in hosts)
    )
    txt, cnames = answers[0], answers[1:]
    return {
        "txt": list(txt.records) if txt.ok else [],
        "cnames": {
            host: answer.records[0].rstrip(".")
            for host, answer in zip(hosts, cnames, strict=True)
            if answer.ok and answer.records
        },
    }


async def check_domain(
    domain: str,
    *,
    resolver: Resolver,
    setup: CheckSetup | None = None,
    vendor: Mapping[str, Any] | None = None,
    method_kind: str | None = None,
    params: Mapping[str, str] | None = None,
    only: set[str] | frozenset[str] | None = None,
    catalog: CatalogHints | None = None,
) -> CheckReport:
    """Check `domain` against a vendor's method (or on its own when there is no vendor).

    Give `setup` (from `check_setup`, validated once) or the vendor, method
    kind and parameters to make one. Raises InvalidDomain, InvalidParameter
    or UnknownMethod for bad input, before any lookup is made.
    """
    started = time.perf_counter()
    name = normalise_domain(domain)
    sections = SECTIONS if only is None else frozenset(only)
    if unknown := sections - SECTIONS:
        raise ValueError(f"unknown check(s): {', '.join(sorted(unknown))}")
    if setup is None:
        setup = check_setup(vendor, method_kind, params)
    method, vendor = setup.method, setup.vendor
    items = [
        expand(spec, name, setup.params)
        for spec in (method.records if method else ())
        if _wanted(spec, sections, only is not None)
    ]
    selectors = sorted(
        {
            (item.selector, signing)
            for item in items
            if item.spec.purpose == "dkim" and item.host and item.selector
            if (signing := dkim_domain(item.host, item.selector))
        }
    )
    generic = catalog is not None and vendor is None
    known = catalog.selectors if generic and "dkim" in sections else ()
    walk_names = sorted(_route_domains(items) | {name}) if items else []
    # DMARC is needed for the verdict whenever vendor records are checked.
    need_dmarc = "dmarc" in sections or bool(items)

    results = await asyncio.gather(
        spf_summary(resolver, name) if "spf" in sections else _none(),
        discover_dmarc(resolver, name) if need_dmarc else _none(),
        _mx(resolver, name) if "mx" in sections else _none(),
        asyncio.gather(*(shared_lookup_dkim(resolver, sel, dom) for sel, dom in selectors))
        if "dkim" in sections
        else _none(),
        asyncio.gather(*(evaluate(resolver, item, spf_reaches=spf_reaches) for item in items)),
        asyncio.gather(*(find_organisational_domain(resolver, n) for n in walk_names)),
        asyncio.gather(*(lookup_dkim(resolver, sel, name) for sel in known)),
        _observe(resolver, name, catalog.probe_hosts) if generic else _none(),
    )
    spf, dmarc, mx, dkim_results, requirements, walks, known_keys, observed = results
    found = None
    if method is not None and items:
        # Values the records revealed complete other records (a second, mostly cached round).
        found = await discover(
            resolver,
            method=method,
            items=items,
            results=list(requirements),
            domain=name,
            params=setup.params,
            spf_reaches=spf_reaches,
        )
        requirements = found.results
    orgs = dict(zip(walk_names, walks, strict=True))
    dkim: dict[str, DKIMSelectorResult] = {}
    for result in dkim_results or ():
        key = result.selector if result.domain == name else f"{result.selector}:{result.domain}"
        dkim[key] = result
    for result in known_keys:
        if result.status != "missing":
            dkim.setdefault(result.selector, result)

    report = CheckReport(
        domain=name,
        vendor=setup.vendor_slug or None,
        vendor_name=str(vendor.get("name")) if vendor and vendor.get("name") else None,
        method={"kind": method.kind, "title": method.title} if method else None,
        requirements=list(requirements),
        spf=spf,
        dmarc=dmarc if "dmarc" in sections else None,
        dkim=dkim,
        mx=mx,
        dkim_selectors_checked=len(known) or None,
    )
    if found is not None:
        report.found = found.found
        report.found_values = found.inferred
    if spf is not None and spf.status == "invalid":
        report.spf_repair = await spf_repair(resolver, name)
    if requirements:
        adkim, aspf = (dmarc.adkim, dmarc.aspf) if dmarc else ("r", "r")
        report.routes = find_routes(
            list(requirements),
            adkim=adkim,
            aspf=aspf,
            from_domain=name,
            aligned=_aligner(orgs, dmarc),
        )
        report.verdict = vendor_verdict(list(requirements), report.routes, dmarc)
        if report.verdict == "pass" and spf is not None and spf.status == "invalid":
            report.verdict = "partial"  # the vendor's route works, the domain's SPF does not
        if mx is not None and mx.status == "nxdomain":
            report.verdict = "fail"
    else:
        report.verdict = generic_verdict(report.dmarc, spf, mx)
    base = report.base_dict()
    costs = await spf_costs(resolver, base["requirements"])
    if generic:
        report.catalog_vendors = catalog.authorised_by(base, observed)
        if report.spf_repair is not None:
            name_vendors(report.spf_repair, report.catalog_vendors)
    _finish(report, base, setup=setup, only=only, domain_input=domain, costs=costs)
    report.queries = resolver.stats.queries
    report.cache_hits = resolver.stats.cache_hits
    report.trace = [entry.to_dict() for entry in sorted(resolver.trace, key=lambda e: e.start_ms)]
    report.elapsed_ms = (time.perf_counter() - started) * 1000
    return report


def _finish(
    report: CheckReport,
    base: Mapping[str, Any],
    *,
    setup: CheckSetup,
    only: set[str] | frozenset[str] | None,
    domain_input: str,
    costs: SPFCosts | None,
) -> None:
    """Add what people read beside the findings: the input, the headline, the change plan."""
    report.domain_input = domain_input.strip()
    report.parameters = dict(setup.params)
    report.only = frozenset(only) if only is not None else None
    report.headline = headline(base)
    report.verdict_label = verdict_label(base)
    report.dmarc_plan = dmarc_stages({**base, "catalog_vendors": report.catalog_vendors})
    report.change_plan = change_plan(base, costs)


def _aligner(
    orgs: Mapping[str, OrgDomain], dmarc: DMARCResult | None
) -> Callable[[str, str, Literal["r", "s"]], bool | None]:
    """Alignment using the tree-walk organisational domains found during the check.

    Without any DMARC record the tree walk has nothing to stand on (every name
    is its own organisational domain), so the Public Suffix List decides:
    that is what alignment will be once the customer publishes a record.
    """
    use_psl = dmarc is None or dmarc.status in ("none", "multiple", "invalid")

    def org_of(domain: str) -> str | None:
        if use_psl:
            return organisational_domain(domain)
        found = orgs.get(domain)
        if found is None:
            return organisational_domain(domain)
        return None if found.error else found.domain

    def aligned(from_domain: str, other: str, mode: Literal["r", "s"]) -> bool | None:
        if from_domain == other:
            return True
        if mode == "s":
            return False
        left, right = org_of(from_domain), org_of(other)
        if left is None or right is None:
            return None
        return left == right

    return aligned


async def check_many(
    domains: Iterable[str] | AsyncIterable[str],
    *,
    resolver_factory: Callable[[], Resolver],
    setup: CheckSetup | None = None,
    vendor: Mapping[str, Any] | None = None,
    method_kind: str | None = None,
    params: Mapping[str, str] | None = None,
    only: set[str] | frozenset[str] | None = None,
    catalog: CatalogHints | None = None,
    concurrency: int = 50,
) -> AsyncIterator[CheckReport]:
    """Check many domains with `check_domain`, at most `concurrency` at a time, as they finish.

    Domains are read lazily and each check gets its own Resolver (its own
    cache and query budget), so memory stays bounded by `concurrency`
    whatever the number of domains. The setup is validated once, before any
    work; input that is not a domain yields a report with verdict "error"
    and `input_error` set.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    if setup is None:
        setup = check_setup(vendor, method_kind, params)

    async def one(text: str) -> CheckReport:
        try:
            return await check_domain(
                text,
                resolver=resolver_factory(),
                setup=setup,
                only=only,
                catalog=catalog,
            )
        except InvalidDomain as exc:
            report = CheckReport(domain=str(text).strip(), input_error=str(exc))
            _finish(report, report.base_dict(), setup=setup, only=only, domain_input="", costs=None)
            return report

    pending: set[asyncio.Task[CheckReport]] = set()
    source = _aiter(domains)
    exhausted = False
    try:
        while pending or not exhausted:
            while not exhausted and len(pending) < concurrency:
                try:
                    text = await anext(source)
                except StopAsyncIteration:
                    exhausted = True
                    break
                pending.add(asyncio.ensure_future(one(text)))
            if not pending:
                break
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                yield task.result()
    finally:
        for task in pending:
            task.cancel()


async def _aiter(domains: Iterable[str] | AsyncIterable[str]) -> AsyncIterator[str]:
    if isinstance(domains, AsyncIterable):
        async for item in domains:
            yield item
    else:
        for item in domains:
            yield item
