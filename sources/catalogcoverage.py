"""Catalog coverage: what the catalog holds and how well it is sourced.

Pure Python (no Django): `python -m sources.catalogfile --coverage` prints it,
so the next gaps are visible (entries with nothing documented, all-parameter
DKIM, routes by evidence tier).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sources.capability import CAPABILITY_LABELS, NOT_DOCUMENTED, ROUTES, vendor_capability
from sources.catalogtemplates import placeholders


def _is_parameter(template: str) -> bool:
    """A template with a value the customer must supply ({domain} is always known)."""
    return bool(placeholders(template) - {"domain"})


def _records(vendor: dict):
    for method in vendor["methods"]:
        for record in method["records"]:
            yield method, record


def all_parameter_dkim(vendor: dict) -> bool:
    """Every DKIM record's selector is a parameter (nothing fixed to look for)."""
    dkim = [r for _, r in _records(vendor) if r["purpose"] == "dkim"]
    return bool(dkim) and all(_is_parameter(r["selector"]) for r in dkim)


def has_fixed_values(vendor: dict) -> bool:
    """Some record needs no parameter: host, value and selector are all stated."""
    return any(
        not any(_is_parameter(r.get(key, "")) for key in ("host", "value", "selector"))
        for _, r in _records(vendor)
    )


@dataclass
class Coverage:
    entries: int = 0
    published: int = 0
    categories: Counter = field(default_factory=Counter)
    labels: Counter = field(default_factory=Counter)
    routes: dict[str, Counter] = field(default_factory=lambda: {r: Counter() for r in ROUTES})
    methods_by_tier: Counter = field(default_factory=Counter)
    records_by_tier: Counter = field(default_factory=Counter)
    routes_by_tier: Counter = field(default_factory=Counter)
    with_dkim: int = 0
    all_parameter_dkim: list[str] = field(default_factory=list)
    fixed_values: list[str] = field(default_factory=list)
    nothing_documented: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"entries: {self.entries} ({self.published} published)", "by category:"]
        out += [f"  {slug}: {n}" for slug, n in sorted(self.categories.items())]
        out.append("by label:")
        out += [f"  {CAPABILITY_LABELS[k]}: {self.labels[k]}" for k in CAPABILITY_LABELS]
        for route in ROUTES:
            states = ", ".join(f"{s} {n}" for s, n in sorted(self.routes[route].items()))
            out.append(f"{route.upper()} route: {states}")
        for title, counter in (
            ("methods by evidence", self.methods_by_tier),
            ("records by evidence", self.records_by_tier),
            ("documented routes by evidence", self.routes_by_tier),
        ):
            out.append(f"{title}: " + ", ".join(f"{t} {n}" for t, n in sorted(counter.items())))
        out.append(
            f"entries with DKIM records: {self.with_dkim}, "
            f"all-parameter DKIM: {len(self.all_parameter_dkim)}"
        )
        out.append(f"entries with fixed values: {len(self.fixed_values)}")
        out.append(f"entries with nothing documented: {len(self.nothing_documented)}")
        out += [f"  {slug}" for slug in self.nothing_documented]
        return out


def catalog_coverage(vendors: Iterable[dict]) -> Coverage:
    """Counts over validated catalog entries."""
    cov = Coverage()
    for vendor in vendors:
        cov.entries += 1
        cov.published += bool(vendor["published"])
        cov.categories.update(vendor["categories"])
        cap = vendor_capability(vendor)
        cov.labels[cap.overall] += 1
        for route in ROUTES:
            cov.routes[route][cap.route(route).state] += 1
            cov.routes_by_tier.update({e["evidence"] for e in cap.route(route).evidence})
        for method in vendor["methods"]:
            cov.methods_by_tier[method["evidence"]] += 1
            for record in method["records"]:
                tier = record["evidence"] if record.get("sources") else method["evidence"]
                cov.records_by_tier[tier] += 1
        if any(r["purpose"] == "dkim" for _, r in _records(vendor)):
            cov.with_dkim += 1
        if all_parameter_dkim(vendor):
            cov.all_parameter_dkim.append(vendor["slug"])
        if has_fixed_values(vendor):
            cov.fixed_values.append(vendor["slug"])
        if all(cap.route(r).state == NOT_DOCUMENTED for r in ROUTES):
            cov.nothing_documented.append(vendor["slug"])
    return cov
