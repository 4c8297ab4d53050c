"""Reverse identification: which vendors a pasted SPF record, include, DKIM CNAME target or
selector, IP address or PTR name belongs to (the /identify/ page).

Every line goes through the index `GET /api/v1/lookup` uses: names through
`vendor_lookup`, addresses through `vendor_ip_lookup` (the catalog's SPF ranges), an
SPF record through each of its includes and ip4/ip6 terms. A selector
(`s1._domainkey…`) is matched against the selectors the catalog's vendors use, which
alone only narrows the field: many vendors share `s1` or `selector1`.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from sources.catalogknowledge import InvalidName, LookupQuery, parse_lookup_name
from sources.checker.setup import best_first
from sources.models import Vendor
from sources.selectors import VendorMatch, catalog_knowledge, vendor_lookup
from sources.services.lookups import vendor_ip_lookup

_SELECTOR = re.compile(r"^([a-z0-9_][a-z0-9_.-]{0,62})\._domainkey(?:\.|$)", re.IGNORECASE)
_SPF_TERM = re.compile(r"(?:^|\s)[+?~-]?(include:|redirect=|ip4:|ip6:)(\S+)", re.IGNORECASE)


@dataclass
class IdentifiedLine:
    """One pasted line: what it was read as, and the vendors it matches."""

    text: str
    kind: str  # spf-record | include | ip | selector | name | invalid
    vendors: list[VendorMatch] = field(default_factory=list)
    error: str = ""
    parts: list[str] = field(default_factory=list)  # an SPF record's terms looked up


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    candidate = text.strip().split("/", 1)[0].strip("[]")
    try:
        return ipaddress.ip_address(candidate)
    except ValueError:
        return None


def _merge(groups: list[list[VendorMatch]]) -> list[VendorMatch]:
    merged: dict[str, VendorMatch] = {}
    for group in groups:
        for match in group:
            entry = merged.setdefault(
                match.slug, VendorMatch(match.slug, match.name, [], match.credited)
            )
            entry.records.extend(r for r in match.records if r not in entry.records)
            entry.credited = entry.credited or match.credited
    return sorted(merged.values(), key=lambda v: (not v.credited, v.name.casefold()))


def _ip(text: str) -> list[VendorMatch]:
    address = _address(text)
    return vendor_ip_lookup(ip=address)[0] if address is not None else []


def identify_line(text: str) -> IdentifiedLine:
    """The vendors one pasted line belongs to."""
    text = text.strip()[:1000]
    lowered = text.lower()
    if lowered.startswith("v=spf1"):
        parts = [f"{kind.lower()}{value}" for kind, value in _SPF_TERM.findall(text)][:20]
        groups = []
        for part in parts:
            kind, _, value = part.partition(":") if ":" in part else part.partition("=")
            if kind in ("ip4", "ip6"):
                groups.append(_ip(value))
            else:
                groups.append(
                    _name(LookupQuery(name=value.rstrip(".").lower(), includes_only=True))
                )
        return IdentifiedLine(text, "spf-record", _merge(groups), parts=parts)
    bare = text[4:] if lowered.startswith(("ip4:", "ip6:")) else text
    if _address(bare) is not None:
        return IdentifiedLine(text, "ip", _ip(bare))
    selector = _SELECTOR.match(lowered)
    if selector:
        knowledge = catalog_knowledge()
        refs = knowledge.selector_vendors.get(selector.group(1), [])
        vendors = [VendorMatch(ref.slug, ref.name, [], credited=False) for ref in refs]
        return IdentifiedLine(text, "selector", sorted(vendors, key=lambda v: v.name.casefold()))
    try:
        query = parse_lookup_name(text)
    except InvalidName as exc:
        return IdentifiedLine(text, "invalid", error=str(exc))
    return IdentifiedLine(text, "include" if query.includes_only else "name", _name(query))


def _name(query: LookupQuery) -> list[VendorMatch]:
    return vendor_lookup(query=query)


def identify(*, lines: list[str]) -> dict[str, Any]:
    """Each line's matches, and the vendors over all lines (how many lines each matched,
    selectors aside), each with its best setup method (its recipe on the vendor page)."""
    found = [identify_line(line) for line in lines]
    counts: dict[str, int] = {}
    for item in found:
        if item.kind == "selector":
            continue  # a shared selector name narrows the field; it names no one
        for vendor in item.vendors:
            counts[vendor.slug] = counts.get(vendor.slug, 0) + 1
    vendors = Vendor.objects.published().filter(slug__in=counts).prefetch_related("methods")
    summary = []
    for vendor in vendors:
        methods = best_first(
            [
                {"recommended": m.recommended, "order": m.order, "title": m.title, "kind": m.kind}
                for m in vendor.methods.all()
            ]
        )
        summary.append(
            {
                "slug": vendor.slug,
                "name": vendor.name,
                "lines": counts[vendor.slug],
                "best_method": methods[0] if methods else None,
                "url": vendor.get_absolute_url(),
            }
        )
    summary.sort(key=lambda v: (-v["lines"], v["name"].casefold()))
    return {"lines": found, "vendors": summary}
