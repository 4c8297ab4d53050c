"""A vendor's DMARC capability, derived from its setup methods (never entered)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

FULL, DKIM_ONLY, SPF_ONLY, NONE, UNKNOWN = "full", "dkim-only", "spf-only", "none", "unknown"
CAPABILITY_LABELS = {
    FULL: "Full DMARC alignment (SPF and DKIM)",
    DKIM_ONLY: "DKIM alignment only",
    SPF_ONLY: "SPF alignment only",
    NONE: "No aligned option",
    UNKNOWN: "Unknown",
}

# Kinds where the customer's own infrastructure, or a delegated zone, carries both routes.
BOTH_ROUTES = {"subdomain-ns", "smtp-relay", "customer-credentials"}
SPF_KINDS = {"spf-include", "return-path"}
DKIM_KINDS = {"dkim-cname", "dkim-txt"}


@dataclass
class Capability:
    spf: list[str] = field(default_factory=list)  # method titles giving SPF alignment
    dkim: list[str] = field(default_factory=list)  # method titles giving DKIM alignment
    overall: str = UNKNOWN

    @property
    def label(self) -> str:
        return CAPABILITY_LABELS[self.overall]


def method_routes(kind: str, purposes: Iterable[str]) -> set[str]:
    """Which DMARC routes ("spf", "dkim") one setup method makes possible."""
    purposes = set(purposes)
    routes: set[str] = set()
    if kind in BOTH_ROUTES or "delegation" in purposes:
        routes |= {"spf", "dkim"}
    if kind in SPF_KINDS or "return-path" in purposes:
        routes.add("spf")
    if kind in DKIM_KINDS or "dkim" in purposes:
        routes.add("dkim")
    return routes


def derive_capability(methods: Iterable[dict], *, no_compliant_option: bool) -> Capability:
    """Derive the capability from methods given as {kind, title, purposes}."""
    cap = Capability()
    seen = False
    for method in methods:
        seen = True
        routes = method_routes(method["kind"], method.get("purposes", ()))
        if "spf" in routes:
            cap.spf.append(method["title"])
        if "dkim" in routes:
            cap.dkim.append(method["title"])
    if cap.spf and cap.dkim:
        cap.overall = FULL
    elif cap.dkim:
        cap.overall = DKIM_ONLY
    elif cap.spf:
        cap.overall = SPF_ONLY
    elif seen or no_compliant_option:
        cap.overall = NONE
    return cap
