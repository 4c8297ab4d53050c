"""Which catalog vendor sent a message, and what it takes to make its mail align.

The same matching as the checker's vendor detection (`CatalogKnowledge.match_name`,
credited with `vendordetection.credited`) applied to what a message shows: each
DKIM signature's d= and the CNAME target of its key, its selector, the Return-Path
domain and the CNAME behind it, the Received hosts of the hops outside the receiver,
and the connecting address (matched by the caller against the catalog's SPF ranges,
as `GET /api/v1/lookup?ip=` does). Pure Python: no Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sources.catalogknowledge import CatalogKnowledge, RecordMatch
from sources.checker.setup import best_first
from sources.vendordetection import credited, strength

# How much one kind of evidence says about who sent the message.
WEIGHT = {
    "dkim-key-cname": 5,
    "return-path-cname": 5,
    "dkim-domain": 4,
    "return-path": 4,
    "ip": 3,
    "received-host": 2,
    "dkim-selector": 1,
}
MAX_HOSTS = 10


def _evidence(
    knowledge: CatalogKnowledge, report: Mapping[str, Any], ip_matches: Iterable[RecordMatch]
) -> Iterable[tuple[str, str, str | None, list[RecordMatch]]]:
    """(signal, value, route, matches) for each thing the message shows."""
    match = knowledge.match_name
    for sig in report.get("dkim") or ():
        domain = str(sig.get("domain") or "")
        if domain:
            yield "dkim-domain", domain, "dkim", match(domain)
        target = (sig.get("key") or {}).get("cname_target")
        if target:
            found = [m for m in match(target) if m.type == "CNAME" and m.purpose in ("dkim", "")]
            yield "dkim-key-cname", target, "dkim", found
    spf = report.get("spf") or {}
    path = report.get("return_path") or {}
    if path.get("domain"):
        yield "return-path", path["domain"], "spf", match(path["domain"])
    if spf.get("return_path_cname"):
        target = spf["return_path_cname"]
        found = [m for m in match(target) if m.type == "CNAME" and m.purpose == "return-path"]
        found = found or [m for m in match(target) if m.how in ("include", "domain")]
        yield "return-path-cname", target, "spf", found
    ips = list(ip_matches)
    if ips and spf.get("ip"):
        yield "ip", spf["ip"], None, ips
    hosts: list[str] = []
    for hop in (report.get("received") or {}).get("hops") or ():
        if hop.get("internal"):
            continue
        for host in (hop.get("from_host"), hop.get("from_helo")):
            if host and "." in host and host not in hosts:
                hosts.append(host)
    for host in hosts[:MAX_HOSTS]:
        yield "received-host", host, None, match(host)


def identify_vendors(
    knowledge: CatalogKnowledge,
    report: Mapping[str, Any],
    ip_matches: Iterable[RecordMatch] = (),
) -> list[dict[str, Any]]:
    """The vendors the message shows, the likeliest sender first, each with its evidence."""
    found: dict[str, dict[str, Any]] = {}
    for signal, value, route, matches in _evidence(knowledge, report, ip_matches):
        if not matches:
            continue
        for slug in credited(knowledge, matches, value if signal != "ip" else ""):
            entry = found.setdefault(
                slug,
                {
                    "slug": slug,
                    "name": knowledge.names.get(slug, slug),
                    "score": 0,
                    "routes": [],
                    "evidence": [],
                },
            )
            best = max((strength(m) for m in matches if m.vendor_slug == slug), default=0)
            item = {"signal": signal, "value": value}
            if item not in entry["evidence"]:
                entry["evidence"].append(item)
                entry["score"] += WEIGHT[signal] + best
            if route and route not in entry["routes"]:
                entry["routes"].append(route)
    for sig in report.get("dkim") or ():
        selector = str(sig.get("selector") or "")
        for ref in knowledge.selector_vendors.get(selector, ()):
            if ref.slug in found:
                item = {"signal": "dkim-selector", "value": selector}
                if item not in found[ref.slug]["evidence"]:
                    found[ref.slug]["evidence"].append(item)
                    found[ref.slug]["score"] += WEIGHT["dkim-selector"]
    ranked = sorted(found.values(), key=lambda e: (-e["score"], e["name"].casefold()))
    for entry in ranked:
        entry["unaligned"] = _unaligned(entry, report)
    return ranked


def _unaligned(entry: Mapping[str, Any], report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What of this vendor's does not align with the From domain: its own signing domain,
    its own bounce domain."""
    values = {item["value"] for item in entry["evidence"]}
    items: list[dict[str, Any]] = []
    for sig in report.get("dkim") or ():
        if sig.get("domain") in values and sig.get("aligned") is False:
            items.append({"code": "dkim-vendor-domain", "domain": sig["domain"]})
    spf = report.get("spf") or {}
    path = report.get("return_path") or {}
    bounce = path.get("domain") or spf.get("domain")
    if bounce and spf.get("aligned") is False and bounce in values:
        items.append({"code": "bounce-vendor-domain", "domain": bounce})
    return items


def recipe(vendor: Mapping[str, Any], domain: str, routes: Iterable[str] = ()) -> dict | None:
    """The vendor's best setup method that aligns one of `routes` (any method if none
    does), with its records for `domain`."""
    wanted = set(routes)
    methods = best_first(vendor.get("methods") or ())
    chosen = next(
        (m for m in methods if wanted & set(m.get("aligns") or ())),
        next((m for m in methods if m.get("aligns")), methods[0] if methods else None),
    )
    if chosen is None:
        return None
    return {
        "kind": chosen.get("kind", ""),
        "title": chosen.get("title", ""),
        "aligns": list(chosen.get("aligns") or ()),
        "records": [
            {
                "id": record.get("id", ""),
                "type": record.get("type", ""),
                "host": str(record.get("host") or "").replace("{domain}", domain),
                "value": str(record.get("value") or "").replace("{domain}", domain),
                "purpose": record.get("purpose", ""),
            }
            for record in chosen.get("records") or ()
        ],
    }
