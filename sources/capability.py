"""A vendor's DMARC capability, derived from its setup methods (never entered).

Each route (SPF, DKIM) is documented-yes (a cited method aligns it),
documented-no (a cited `not_aligned` statement, or the entry's
`no_compliant_option`) or not documented. The overall label never claims more
than the routes do: a route that is not documented earns no credit, and when
neither route is documented the label is "Unknown", not "None".

Pure Python: it reads catalog-form dicts, or model objects through the same
attribute names, so the import, the pages and the API share one rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

FULL, DKIM_ONLY, SPF_ONLY, NONE, UNKNOWN = "full", "dkim-only", "spf-only", "none", "unknown"
CAPABILITY_LABELS = {
    FULL: "Full DMARC alignment (SPF and DKIM)",
    DKIM_ONLY: "DKIM alignment only",
    SPF_ONLY: "SPF alignment only",
    NONE: "No aligned option",
    UNKNOWN: "Unknown",
}

ROUTES = ("spf", "dkim")
YES, NO, NOT_DOCUMENTED = "yes", "no", "unknown"
ROUTE_STATE_LABELS = {
    YES: "Documented",
    NO: "Documented as not possible",
    NOT_DOCUMENTED: "Not documented",
}

# Kinds where the customer's own infrastructure, or a delegated zone, carries both routes.
BOTH_ROUTES = {"subdomain-ns", "smtp-relay", "customer-credentials"}
DKIM_KINDS = {"dkim-cname", "dkim-txt"}
# Record purposes that carry each route (a delegated zone carries both).
ROUTE_PURPOSES = {"spf": {"return-path", "delegation"}, "dkim": {"dkim", "delegation"}}


def method_routes(
    kind: str, purposes: Iterable[str], aligns: Iterable[str] | None = None
) -> set[str]:
    """Which DMARC routes ("spf", "dkim") one setup method is documented to align.

    `aligns`, when the method states it, is the answer. Otherwise the kind and the
    record purposes decide; an `spf-include` alone aligns nothing, because an include
    only helps when the vendor uses the customer's domain as envelope sender, which
    the method must state with `aligns = ["spf"]`.
    """
    if aligns is not None:
        return {route for route in aligns if route in ROUTES}
    purposes = set(purposes)
    routes: set[str] = set()
    if kind in BOTH_ROUTES or "delegation" in purposes:
        routes |= {"spf", "dkim"}
    if kind == "return-path" or "return-path" in purposes:
        routes.add("spf")
    if kind in DKIM_KINDS or "dkim" in purposes:
        routes.add("dkim")
    return routes


@dataclass
class Route:
    """One route's documented state and what it rests on."""

    state: str = NOT_DOCUMENTED
    methods: list[str] = field(default_factory=list)  # titles of the methods aligning it
    # Each: {"method": title or "", "evidence": tier, "sources": [urls], "note": text}
    evidence: list[dict] = field(default_factory=list)

    @property
    def label(self) -> str:
        return ROUTE_STATE_LABELS[self.state]


@dataclass
class Capability:
    spf_route: Route = field(default_factory=Route)
    dkim_route: Route = field(default_factory=Route)
    overall: str = UNKNOWN

    @property
    def label(self) -> str:
        return CAPABILITY_LABELS[self.overall]

    @property
    def spf(self) -> list[str]:
        """Titles of the methods giving SPF alignment."""
        return self.spf_route.methods

    @property
    def dkim(self) -> list[str]:
        """Titles of the methods giving DKIM alignment."""
        return self.dkim_route.methods

    def route(self, name: str) -> Route:
        return self.spf_route if name == "spf" else self.dkim_route


def overall_label(spf: str, dkim: str, *, no_compliant_option: bool = False) -> str:
    """The overall verdict from the two route states; never more than they say."""
    if no_compliant_option:
        return NONE
    if spf == YES and dkim == YES:
        return FULL
    if dkim == YES:
        return DKIM_ONLY
    if spf == YES:
        return SPF_ONLY
    if spf == NO and dkim == NO:
        return NONE
    return UNKNOWN


def route_state(
    route: str, methods: list[str], not_aligned: Iterable[dict], *, no_compliant_option: bool
) -> str:
    """A route's state from the stored method titles and the entry's cited "no"s."""
    if methods:
        return YES
    if no_compliant_option or any(item.get("route") == route for item in not_aligned):
        return NO
    return NOT_DOCUMENTED


def _get(obj: Any, key: str, default: Any = None) -> Any:
    """A field of a catalog dict or of a model instance (same names)."""
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _records(method: Any) -> list:
    records = _get(method, "records", [])
    return list(records.all()) if hasattr(records, "all") else list(records or [])


def _route_evidence(method: Any, route: str) -> list[dict]:
    """What a method's credit for one route rests on: the records carrying it that
    cite their own sources, else the method's own sources."""
    title = _get(method, "title", "")
    own_tier = _get(method, "evidence") or "vendor-docs"
    own = {"method": title, "evidence": own_tier, "sources": list(_get(method, "sources") or [])}
    if _get(method, "aligns") is not None:
        return [{**own, "note": ""}] if own["sources"] else []
    found = []
    for record in _records(method):
        if _get(record, "purpose") in ROUTE_PURPOSES[route] and _get(record, "sources"):
            tier = _get(record, "evidence") or own_tier
            item = {"method": title, "evidence": tier, "sources": list(_get(record, "sources"))}
            if item not in found:
                found.append(item)
    if not found and own["sources"]:
        found.append(own)
    return [{**item, "note": ""} for item in found]


def derive_capability(
    methods: Iterable[Any],
    *,
    no_compliant_option: bool,
    not_aligned: Iterable[dict] = (),
) -> Capability:
    """Derive the capability from methods (catalog dicts or model objects) and the
    entry's cited "no"s. A method earns a route only with sources behind it."""
    cap = Capability()
    for method in methods:
        purposes = [_get(r, "purpose") for r in _records(method)]
        purposes += list(_get(method, "purposes", None) or [])  # the short form tests use
        aligned = method_routes(_get(method, "kind"), purposes, _get(method, "aligns"))
        for name in ROUTES:
            if name not in aligned:
                continue
            evidence = _route_evidence(method, name)
            if not evidence:
                continue  # no credit without evidence
            route = cap.route(name)
            route.methods.append(_get(method, "title"))
            route.evidence += evidence
    not_aligned = list(not_aligned)
    for name in ROUTES:
        route = cap.route(name)
        route.state = route_state(
            name, route.methods, not_aligned, no_compliant_option=no_compliant_option
        )
        if route.state == NO:
            route.evidence = [
                {
                    "method": "",
                    "evidence": item.get("evidence") or "vendor-docs",
                    "sources": list(item.get("sources", [])),
                    "note": item.get("note", ""),
                }
                for item in not_aligned
                if item.get("route") == name
            ]
    cap.overall = overall_label(
        cap.spf_route.state, cap.dkim_route.state, no_compliant_option=no_compliant_option
    )
    return cap


def vendor_capability(vendor: Any) -> Capability:
    """The capability of one entry: a catalog dict or a Vendor loaded with its methods."""
    methods = _get(vendor, "methods", [])
    methods = list(methods.all()) if hasattr(methods, "all") else list(methods or [])
    return derive_capability(
        methods,
        no_compliant_option=bool(_get(vendor, "no_compliant_option", False)),
        not_aligned=_get(vendor, "not_aligned", None) or [],
    )
