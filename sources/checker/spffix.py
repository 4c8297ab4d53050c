"""Repairs for an SPF record that is a permanent error: several records, or over 10 lookups.

RFC 7208 §4.5: more than one `v=spf1` record at a name is a permerror;
§4.6.4: more than 10 DNS-querying terms (include, a, mx, ptr, exists,
redirect) in the whole evaluation is a permerror. Either way SPF fails for
every message of the domain, so the report leads with it and the change plan
gets one record that replaces what is there:

- several records are merged into one (every term once, one `all`);
- a record over the limit shows each term's cost and comes back within 10
  lookups by flattening includes into the addresses they authorise today,
  the domain's own includes first (it controls them), then the costliest.
  Flattening has a maintenance cost, stated with it: the addresses must be
  updated whenever the included hosts change. Includes of vendors that offer
  their own bounce subdomain can instead leave the record altogether (the
  change plan names the vendors the catalog knows).
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .domains import organisational_domain
from .spf import MAX_LOOKUP_TERMS, is_spf_record
from .spfreport import shared_tree

if TYPE_CHECKING:
    from .dns import Resolver
    from .spf_tree import SPFNode

_LOOKUP_MECHANISMS = ("include", "a", "mx", "ptr", "exists")


@dataclass
class TermCost:
    """One term of an SPF record and the DNS lookups it costs (itself and below)."""

    term: str
    lookups: int
    flattened: tuple[str, ...] | None = None  # the ip4:/ip6: terms that can replace it
    vendor: dict[str, str] | None = None  # the directory vendor this include belongs to

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "term": self.term,
            "lookups": self.lookups,
            "flattened": list(self.flattened) if self.flattened is not None else None,
            "vendor": dict(self.vendor) if self.vendor else None,
        }


@dataclass
class SPFRepair:
    """What is wrong with the domain's SPF and the single record that fixes it."""

    problem: str  # multiple | too-many-lookups
    host: str
    records: list[str]  # the SPF records published now
    lookups: int  # of the merged record, before any flattening
    terms: list[TermCost] = field(default_factory=list)
    proposed: str = ""
    proposed_lookups: int = 0
    flattened: list[str] = field(default_factory=list)  # terms replaced by addresses
    within_limit: bool = True

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "problem": self.problem,
            "host": self.host,
            "records": list(self.records),
            "lookups": self.lookups,
            "terms": [term.to_dict() for term in self.terms],
            "proposed": self.proposed,
            "proposed_lookups": self.proposed_lookups,
            "flattened": list(self.flattened),
            "within_limit": self.within_limit,
        }


def name_vendors(repair: SPFRepair, vendors: Sequence[Mapping[str, Any]]) -> None:
    """Name the directory vendor behind each include (from a report's `catalog_vendors`).

    Its page says whether it can send from a bounce subdomain of the customer's
    instead, which takes its include out of this record.
    """
    for term in repair.terms:
        for vendor in vendors:
            if f"SPF {term.term}".lower() in (str(e).lower() for e in vendor.get("evidence") or ()):
                term.vendor = {"slug": str(vendor["slug"]), "name": str(vendor["name"])}
                break


def merge_records(records: list[str]) -> str:
    """One SPF record with every term of `records` once; the first record's `all` ends it."""
    terms: list[str] = []
    ending: str | None = None
    for record in records:
        for term in record.split()[1:]:
            bare = term.lstrip("+-~?").lower()
            if bare == "all":
                ending = ending or term
                continue
            if bare.startswith("redirect="):
                continue  # a merged record with its own all never redirects
            if term.lower() not in (t.lower() for t in terms):
                terms.append(term)
    return " ".join(["v=spf1", *terms, *([ending] if ending else ["~all"])])


def _mechanism(term: str) -> tuple[str, str]:
    """('include', 'x.example') from '+include:x.example'; ('a', '') from 'a'."""
    bare = term.lstrip("+-~?")
    name, _, argument = bare.partition(":")
    if "/" in name:
        name = name.split("/", 1)[0]
    return name.lower(), argument


async def spf_repair(resolver: Resolver, domain: str) -> SPFRepair | None:
    """The repair of `domain`'s SPF when it has several records or needs over 10 lookups."""
    answer = await resolver.query(domain, "TXT")
    if not answer.ok:
        return None
    records = [text for text in answer.records if is_spf_record(text)]
    if not records:
        return None
    if len(records) == 1:
        tree = await shared_tree(resolver, domain)
        if tree.lookups <= MAX_LOOKUP_TERMS:
            return None
        problem, merged = "too-many-lookups", records[0]
    else:
        problem, merged = "multiple", merge_records(records)
    terms = await _costs(resolver, domain, merged)
    total = sum(term.lookups for term in terms)
    repair = SPFRepair(problem, domain, records, total, terms)
    _propose(repair, merged, domain)
    return repair


async def _costs(resolver: Resolver, domain: str, record: str) -> list[TermCost]:
    """Each term's lookups: 1 for a/mx/ptr/exists, 1 plus its whole tree for include/redirect."""
    parts = record.split()[1:]
    wanted: set[str] = set()
    for term in parts:
        lowered = term.lower()
        if lowered.startswith("redirect="):
            target = lowered.partition("=")[2]
        elif _mechanism(term)[0] == "include":
            target = _mechanism(term)[1].lower()
        else:
            continue
        target = target.rstrip(".")
        if target and "%" not in target:
            wanted.add(target)
    names = sorted(wanted)
    trees = await asyncio.gather(*(shared_tree(resolver, name) for name in names))
    by_name = dict(zip(names, trees, strict=True))
    costs: list[TermCost] = []
    flatten_jobs = []
    for term in parts:
        name, argument = _mechanism(term)
        lowered = term.lower()
        if lowered.startswith("redirect="):
            target = lowered.partition("=")[2].rstrip(".")
            tree = by_name.get(target)
            costs.append(TermCost(term, 1 + (tree.lookups if tree else 0)))
        elif name == "include":
            tree = by_name.get(argument.lower().rstrip("."))
            costs.append(TermCost(term, 1 + (tree.lookups if tree else 0)))
            if tree is not None and tree.result == "ok" and term[0] not in "-~?":
                flatten_jobs.append((len(costs) - 1, tree.root))
        elif name in _LOOKUP_MECHANISMS:
            costs.append(TermCost(term, 1))
        else:
            costs.append(TermCost(term, 0))
    flat = await asyncio.gather(*(_addresses(resolver, node) for _i, node in flatten_jobs))
    for (index, _node), addresses in zip(flatten_jobs, flat, strict=True):
        costs[index].flattened = addresses
    return costs


async def _addresses(resolver: Resolver, node: SPFNode) -> tuple[str, ...] | None:
    """The ip4:/ip6: terms an include authorises today, or None when that cannot be listed.

    Only "+" terms that pass before any `all` are taken; a/mx are resolved;
    exists, ptr, macros, CIDR suffixes on a/mx or a failed lookup make the
    include impossible to flatten honestly.
    """
    found: list[str] = []
    for term in (node.record or "").split()[1:]:
        qualifier = term[0] if term[0] in "+-~?" else "+"
        name, argument = _mechanism(term)
        lowered = term.lower()
        if lowered.startswith("redirect="):
            return None
        if name == "all" or lowered.startswith("exp="):
            break
        if name in ("ip4", "ip6"):
            if qualifier == "+":
                found.append(f"{name}:{argument}")
            continue
        if qualifier != "+":
            return None
        if name in ("a", "mx") and "/" not in term and "%" not in term:
            host = (argument or node.domain).rstrip(".")
            addresses = await _host_addresses(resolver, host, mx=name == "mx")
            if addresses is None:
                return None
            found.extend(addresses)
        elif name == "include":
            child = next((c for c in node.children if c.term and c.term.lower() == lowered), None)
            if child is None or child.status != "ok":
                return None
            below = await _addresses(resolver, child)
            if below is None:
                return None
            found.extend(below)
        else:
            return None
    return tuple(dict.fromkeys(found))


async def _host_addresses(resolver: Resolver, host: str, *, mx: bool) -> list[str] | None:
    hosts = [host]
    if mx:
        answer = await resolver.query(host, "MX")
        if answer.is_retryable:
            return None
        hosts = [record.split()[-1].rstrip(".") for record in answer.records if record.split()]
        hosts = [h for h in hosts if h]
    results = await asyncio.gather(
        *(resolver.query(h, rdtype) for h in hosts for rdtype in ("A", "AAAA"))
    )
    out: list[str] = []
    for answer in results:
        if answer.is_retryable:
            return None
        for address in answer.records:
            try:
                ip = ipaddress.ip_address(address.strip())
            except ValueError:
                continue
            out.append(f"ip{ip.version}:{ip}")
    return out


def _propose(repair: SPFRepair, merged: str, domain: str) -> None:
    """Flatten includes (the domain's own first, then the costliest) until within 10 lookups."""
    total = repair.lookups
    own = organisational_domain(domain)
    candidates = [term for term in repair.terms if term.flattened is not None and term.lookups > 0]

    def theirs(term: TermCost) -> bool:
        target = _mechanism(term.term)[1].lower().rstrip(".")
        return organisational_domain(target) != own if target else True

    candidates.sort(key=lambda term: (theirs(term), -term.lookups))
    replaced: dict[str, tuple[str, ...]] = {}
    for term in candidates:
        if total <= MAX_LOOKUP_TERMS:
            break
        replaced[term.term] = term.flattened or ()
        total -= term.lookups
    parts: list[str] = []
    for term in merged.split():
        if term in replaced:
            parts.extend(a for a in replaced[term] if a not in parts)
        else:
            parts.append(term)
    repair.proposed = " ".join(parts)
    repair.proposed_lookups = total
    repair.flattened = list(replaced)
    repair.within_limit = total <= MAX_LOOKUP_TERMS
