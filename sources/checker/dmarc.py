"""DMARC policy discovery by the RFC 9989 DNS Tree Walk, and identifier alignment.

All `_dmarc` names of the walk (at most eight) are queried at once and the
answers are then read in the walk's order of precedence, so discovery costs
one round trip instead of up to eight. The record parser lives in
`dmarcrecord` and is re-exported here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .dmarcrecord import (
    Alignment,
    DMARCRecord,
    DMARCSyntaxError,
    Policy,
    ReportURI,
    is_dmarc_candidate,
    parse_dmarc,
)
from .domains import is_subdomain, organisational_domain

if TYPE_CHECKING:
    from .dns import Answer, Resolver

__all__ = [
    "DMARCRecord",
    "DMARCResult",
    "DMARCSyntaxError",
    "OrgDomain",
    "ReportDestination",
    "ReportURI",
    "aligned",
    "discover_dmarc",
    "find_organisational_domain",
    "parse_dmarc",
    "tree_walk_names",
]

MAX_WALK_QUERIES = 8
# External report domains verified per record: receivers need only send to
# two addresses, and each verification costs a query of the check's budget.
MAX_VERIFIED_REPORT_DOMAINS = 10
_SHORTCUT_LABELS = 7

DMARCStatus = Literal["found", "none", "invalid", "multiple", "error"]


def tree_walk_names(domain: str) -> list[str]:
    """The domains whose `_dmarc` names a DNS Tree Walk queries, longest first (4.10)."""
    labels = domain.lower().rstrip(".").split(".")
    names = [".".join(labels)]
    # Step 4: from eight labels on, jump straight to the last seven.
    start = len(labels) - _SHORTCUT_LABELS if len(labels) >= 8 else 1
    names.extend(".".join(labels[i:]) for i in range(start, len(labels)))
    return names[:MAX_WALK_QUERIES]


@dataclass(frozen=True)
class _Found:
    """What the walk learnt at one name."""

    domain: str
    answer: Answer
    record: DMARCRecord | None = None
    record_text: str | None = None
    count: int = 0  # TXT strings that start with v=DMARC1
    error: DMARCSyntaxError | None = None


def _read(domain: str, answer: Answer) -> _Found:
    if not answer.ok:
        return _Found(domain, answer)
    candidates = [text for text in answer.records if is_dmarc_candidate(text)]
    if len(candidates) != 1:
        return _Found(domain, answer, count=len(candidates))
    try:
        return _Found(domain, answer, parse_dmarc(candidates[0]), candidates[0], 1)
    except DMARCSyntaxError as exc:
        return _Found(domain, answer, None, candidates[0], 1, exc)


@dataclass(frozen=True)
class _Walk:
    """The answers of one tree walk, read in order until the walk stops."""

    start: str
    found: tuple[_Found, ...]  # in walk order, up to the stop or the first failure
    failed: _Found | None  # the first name whose lookup failed, if any

    @property
    def records(self) -> list[_Found]:
        return [item for item in self.found if item.record is not None]

    def org_domain(self) -> str | None:
        """The organisational domain (4.10.2), or None when a lookup failure hides it."""
        for item in self.records:
            assert item.record is not None
            if item.record.psd == "n":
                return item.domain
            if item.record.psd == "y" and item.domain != self.start:
                return _one_label_below(self.start, item.domain)
        if self.failed is not None:
            return None
        records = self.records
        return records[-1].domain if records else self.start


def _one_label_below(name: str, parent: str) -> str:
    labels = name.split(".")
    depth = len(parent.split("."))
    return ".".join(labels[-(depth + 1) :])


async def _walk(resolver: Resolver, domain: str) -> _Walk:
    names = tree_walk_names(domain)
    answers = await asyncio.gather(*(resolver.query(f"_dmarc.{name}", "TXT") for name in names))
    found: list[_Found] = []
    for name, answer in zip(names, answers, strict=True):
        if answer.is_retryable:
            return _Walk(names[0], tuple(found), _Found(name, answer))
        item = _read(name, answer)
        found.append(item)
        if item.record is not None and item.record.psd in ("y", "n"):
            break  # steps 2 and 6: a psd tag ends the walk
    return _Walk(names[0], tuple(found), None)


@dataclass(frozen=True)
class OrgDomain:
    """An organisational domain found by tree walk, with the PSL's opinion beside it."""

    domain: str  # tree walk result, or the PSL's when the walk failed
    psl_domain: str
    error: str | None = None  # the walk could not finish: `domain` is the PSL's guess


async def find_organisational_domain(resolver: Resolver, name: str) -> OrgDomain:
    """The organisational domain of `name` by DNS Tree Walk (RFC 9989 4.10.2)."""
    name = name.lower().rstrip(".")
    walk = await _walk(resolver, name)
    psl = organisational_domain(name)
    org = walk.org_domain()
    if org is None:
        assert walk.failed is not None
        return OrgDomain(psl, psl, _failure_text(walk.failed))
    return OrgDomain(org, psl)


def aligned(
    from_domain: str,
    other_domain: str,
    mode: Alignment,
    *,
    org_domain_of: Callable[[str], str] = organisational_domain,
) -> bool:
    """Identifier alignment: strict = equal names, relaxed = same organisational domain."""
    left, right = from_domain.lower().rstrip("."), other_domain.lower().rstrip(".")
    if mode == "s":
        return left == right
    return left == right or org_domain_of(left) == org_domain_of(right)


@dataclass(frozen=True)
class ReportDestination:
    """A rua/ruf address and whether it may receive this domain's reports."""

    tag: Literal["rua", "ruf"]
    uri: str
    domain: str | None
    external: bool
    status: Literal["internal", "authorised", "unauthorised", "error", "unusable", "unchecked"]
    detail: str = ""


@dataclass(frozen=True)
class DMARCResult:
    """Which DMARC policy applies to a domain, where it came from, and what is wrong."""

    domain: str
    status: DMARCStatus
    record: DMARCRecord | None = None
    record_text: str | None = None
    policy_domain: str | None = None
    organisational_domain: str | None = None
    psl_organisational_domain: str | None = None
    policy: Policy | None = None
    policy_tag: str | None = None  # "p", "sp" or "np"
    testing: bool = False
    adkim: Alignment = "r"
    aspf: Alignment = "r"
    domain_exists: bool | None = None
    report_destinations: tuple[ReportDestination, ...] = ()
    queries: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    errors: tuple[str, ...] = field(default=())

    @property
    def retryable(self) -> bool:
        """True when a lookup failed, so part of this result is unknown rather than absent."""
        return self.status == "error" or bool(self.errors)


def _failure_text(item: _Found) -> str:
    reason = item.answer.reason or item.answer.status
    return (
        f"lookup of _dmarc.{item.domain} failed ({reason}); this is temporary, "
        "not a missing record: retry"
    )


async def discover_dmarc(resolver: Resolver, domain: str) -> DMARCResult:
    """Find the DMARC policy that applies to mail From `domain` (RFC 9989 4.10.1)."""
    domain = domain.lower().rstrip(".")
    names = tree_walk_names(domain)
    queries = tuple(f"_dmarc.{name}" for name in names)
    # The MX lookup tells whether the author domain exists (np applies to
    # non-existent subdomains); the checker asks for MX anyway, so it is cached.
    walk, existence = await asyncio.gather(_walk(resolver, domain), resolver.query(domain, "MX"))
    psl = organisational_domain(domain)
    base = {"domain": domain, "queries": queries, "psl_organisational_domain": psl}
    warnings: list[str] = [
        f"{item.count} DMARC records at _dmarc.{item.domain}: receivers ignore all of them"
        for item in walk.found
        if item.count > 1
    ]
    org = walk.org_domain()
    policy_item = _policy_source(walk, org)
    if policy_item is None:
        if walk.failed is not None:
            return DMARCResult(
                status="error",
                organisational_domain=org,
                warnings=tuple(warnings),
                errors=(_failure_text(walk.failed),),
                **base,
            )
        return _no_policy(walk, org or domain, warnings, base)

    record = policy_item.record
    assert record is not None and org is not None or record is not None
    errors: list[str] = []
    if org is None:
        assert walk.failed is not None
        errors.append(_failure_text(walk.failed) + " (needed for the organisational domain)")
        org = psl
        warnings.append(f"the organisational domain is assumed to be {psl} (Public Suffix List)")
    elif org != psl:
        warnings.append(
            f"the DNS Tree Walk gives {org} as organisational domain but the Public Suffix List "
            f"gives {psl}; receivers still on RFC 7489 may decide alignment differently"
        )
    exists: bool | None = None
    if existence.status == "nxdomain" and not existence.cname_chain:
        # After a CNAME the NXDOMAIN is the target's: the author domain exists.
        exists = False
    elif not existence.is_retryable:
        exists = True
    at_policy_domain = policy_item.domain == domain
    if exists is None and not at_policy_domain and record.np is not None:
        errors.append(
            f"could not tell whether {domain} exists ({existence.reason or existence.status}); "
            "np may apply instead of sp"
        )
    policy, tag = record.policy_for(at_policy_domain=at_policy_domain, exists=exists is not False)
    destinations = await _check_destinations(resolver, record, policy_item.domain, org)
    for item in destinations:
        if item.status == "unauthorised":
            warnings.append(item.detail)
        elif item.status == "error":
            errors.append(item.detail)
    if unchecked := sum(item.status == "unchecked" for item in destinations):
        warnings.append(
            f"{unchecked} report addresses were not verified: only the first "
            f"{MAX_VERIFIED_REPORT_DOMAINS} external domains are checked"
        )
    return DMARCResult(
        status="found",
        record=record,
        record_text=policy_item.record_text,
        policy_domain=policy_item.domain,
        organisational_domain=org,
        policy=policy,
        policy_tag=tag,
        testing=record.testing,
        adkim=record.adkim,
        aspf=record.aspf,
        domain_exists=exists,
        report_destinations=tuple(destinations),
        warnings=tuple(warnings) + record.warnings,
        errors=tuple(errors),
        **base,
    )


def _policy_source(walk: _Walk, org: str | None) -> _Found | None:
    """The record that applies: the author domain's, else the org domain's, else the PSD's."""
    first = walk.found[0] if walk.found else None
    if first is not None and first.record is not None:
        return first
    if first is not None and first.error is not None:
        return None  # an unusable record at the author domain stops DMARC processing
    if org is None:
        return None
    for item in walk.records:
        if item.domain == org:
            return item
    for item in walk.records:
        assert item.record is not None
        if item.record.psd == "y" and is_subdomain(org, item.domain) and item.domain != org:
            return item
    return None


def _no_policy(walk: _Walk, org: str, warnings: list[str], base: dict) -> DMARCResult:
    invalid = next((item for item in walk.found if item.error is not None), None)
    if invalid is not None:
        assert invalid.error is not None
        return DMARCResult(
            status="invalid",
            record_text=invalid.record_text,
            policy_domain=invalid.domain,
            organisational_domain=org,
            warnings=tuple(warnings),
            errors=(f"_dmarc.{invalid.domain}: {invalid.error}",),
            **base,
        )
    if any(item.count > 1 for item in walk.found):
        return DMARCResult(
            status="multiple",
            organisational_domain=org,
            warnings=tuple(warnings),
            errors=("more than one DMARC record at one name, so no DMARC policy applies",),
            **base,
        )
    return DMARCResult(
        status="none",
        organisational_domain=org,
        warnings=(*warnings, f"no DMARC record applies to {base['domain']}"),
        **base,
    )


async def _check_destinations(
    resolver: Resolver, record: DMARCRecord, policy_domain: str, org: str
) -> list[ReportDestination]:
    """Verify external report destinations (RFC 9989 section 11.6 / RFC 7489 7.1)."""
    pending: list[tuple[str, ReportURI]] = []
    results: list[ReportDestination | None] = []
    verified: set[str] = set()
    for tag, uris in (("rua", record.rua), ("ruf", record.ruf)):
        for uri in uris:
            if uri.domain is None:
                results.append(ReportDestination(tag, uri.uri, None, False, "unusable"))  # type: ignore[arg-type]
            elif is_subdomain(uri.domain, org) or organisational_domain(
                uri.domain
            ) == organisational_domain(policy_domain):
                results.append(ReportDestination(tag, uri.uri, uri.domain, False, "internal"))  # type: ignore[arg-type]
            elif uri.domain in verified or len(verified) < MAX_VERIFIED_REPORT_DOMAINS:
                verified.add(uri.domain)
                pending.append((tag, uri))
                results.append(None)
            else:
                results.append(ReportDestination(tag, uri.uri, uri.domain, True, "unchecked"))  # type: ignore[arg-type]
    lookups = await asyncio.gather(
        *(
            resolver.query(f"{policy_domain}._report._dmarc.{uri.domain}", "TXT")
            for _tag, uri in pending
        )
    )
    checked = iter(
        _destination(tag, uri, policy_domain, answer)
        for (tag, uri), answer in zip(pending, lookups, strict=True)
    )
    return [item if item is not None else next(checked) for item in results]


def _destination(tag: str, uri: ReportURI, policy_domain: str, answer: Answer) -> ReportDestination:
    name = f"{policy_domain}._report._dmarc.{uri.domain}"
    if answer.is_retryable:
        detail = f"could not verify {uri.domain} as report destination ({answer.status}); retry"
        return ReportDestination(tag, uri.uri, uri.domain, True, "error", detail)  # type: ignore[arg-type]
    if answer.ok and any(is_dmarc_candidate(text) for text in answer.records):
        return ReportDestination(tag, uri.uri, uri.domain, True, "authorised")  # type: ignore[arg-type]
    detail = (
        f"{tag} {uri.uri}: {uri.domain} has not agreed to receive reports for {policy_domain} "
        f'(no "v=DMARC1" TXT record at {name}), so receivers will not send them'
    )
    return ReportDestination(tag, uri.uri, uri.domain, True, "unauthorised", detail)  # type: ignore[arg-type]
