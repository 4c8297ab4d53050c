"""Catalog lint: valid entries that still break the catalog's rules of evidence.

Pure Python (no Django), run by `python -m sources.catalogfile` over validated
entries (sources/catalog/FORMAT.md, "Lint"). Each finding names the file and
the field at fault, like a validation error, but a finding does not make the
file invalid: CI fails on findings only with `--strict`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sources.capability import method_routes
from sources.catalogtemplates import placeholders

# A record note that says the include may not give SPF alignment.
MAY_NOT_ALIGN_RE = re.compile(
    r"\b(?:may|might|does|do|will|would|can|could|is|are)\s*(?:not|n't)\s+(?:be\s+)?align"
    r"|\bunaligned\b|\bnot\s+aligned\b|\bwithout\s+(?:spf\s+)?alignment\b|\bno\s+(?:spf\s+)?alignment\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, order=True)
class Finding:
    source: str  # the file name
    field: str
    message: str
    kind: str = ""  # example | evidence | duplicate | source

    def __str__(self) -> str:
        return f"{self.source}: {self.field}: {self.message}"


def example_reads_as_example(example: str) -> bool:
    """The rule for parameter examples: the word "example" in it, or digits only."""
    return "example" in example.casefold() or example.isdigit()


def _name(value: str) -> str:
    return value.strip().rstrip(".").casefold()


def _file(vendor: dict) -> str:
    return f"{vendor['slug']}.toml"


def lint_examples(vendor: dict) -> list[Finding]:
    """(a) Parameter examples that could be taken for real values."""
    found = []
    for i, method in enumerate(vendor["methods"]):
        for j, param in enumerate(method["parameters"]):
            example = param["example"]
            if example and not example_reads_as_example(example):
                found.append(
                    Finding(
                        _file(vendor),
                        f"methods[{i}].parameters[{j}].example",
                        f"{example!r} could be read as a real value: an example contains "
                        'the word "example" or is digits only (and matches the pattern)',
                        "example",
                    )
                )
    return found


def _credited(method: dict) -> set[str]:
    purposes = [r["purpose"] for r in method["records"]]
    return method_routes(method["kind"], purposes, method.get("aligns"))


def lint_credit(vendor: dict) -> list[Finding]:
    """(b) A route credited without evidence, or against the entry's own words."""
    found = []
    source = _file(vendor)
    for i, method in enumerate(vendor["methods"]):
        routes = _credited(method)
        if routes and not method["sources"]:
            found.append(
                Finding(
                    source,
                    f"methods[{i}].sources",
                    f"credits {' and '.join(sorted(routes))} alignment with no source",
                    "evidence",
                )
            )
        if method["kind"] == "spf-include" and "spf" in routes:
            for j, record in enumerate(method["records"]):
                if MAY_NOT_ALIGN_RE.search(record.get("note", "")):
                    found.append(
                        Finding(
                            source,
                            f"methods[{i}].records[{j}].note",
                            'says the include may not align, yet the method has aligns = ["spf"]: '
                            "drop aligns, or cite a source that documents alignment",
                            "evidence",
                        )
                    )
    for k, item in enumerate(vendor.get("not_aligned", [])):
        crediting = [m["title"] for m in vendor["methods"] if item["route"] in _credited(m)]
        if crediting:
            found.append(
                Finding(
                    source,
                    f"not_aligned[{k}]",
                    f"says {item['route']} cannot be aligned, but {crediting[0]!r} is credited "
                    "with it: correct one of them",
                    "evidence",
                )
            )
    return found


def sending_keys(vendor: dict) -> set[str]:
    """What identifies the vendor's sending system: its SPF includes and fixed DKIM targets."""
    keys = set()
    for method in vendor["methods"]:
        for record in method["records"]:
            value = record.get("value", "")
            if not value or placeholders(value):
                continue  # per-account values identify no shared system
            if record["check"] == "spf-include":
                keys.add("include:" + _name(value.removeprefix("include:")))
            elif record["purpose"] == "dkim" and record["type"] == "CNAME":
                keys.add("DKIM target " + _name(value))
    return keys


def lint_duplicates(vendors: Iterable[dict], catalog: Iterable[dict]) -> list[Finding]:
    """(c) Two entries with the same include or fixed DKIM target must link each other."""
    catalog = list(catalog)
    owners: dict[str, set[str]] = defaultdict(set)
    for entry in catalog:
        for key in sending_keys(entry):
            owners[key].add(entry["slug"])
    known = {entry["slug"] for entry in catalog}
    found = []
    for vendor in vendors:
        related = set(vendor.get("related", []))
        shared: dict[str, str] = {}
        for key in sorted(sending_keys(vendor)):
            for other in sorted(owners[key] - {vendor["slug"]}):
                shared.setdefault(other, key)
        for other, key in sorted(shared.items()):
            if other not in related:
                found.append(
                    Finding(
                        _file(vendor),
                        "related",
                        f"shares {key} with {other}.toml: add {other!r} to related "
                        "(or merge the entries if they are one sending system)",
                        "duplicate",
                    )
                )
        for k, slug in enumerate(vendor.get("related", [])):
            if slug not in known:
                found.append(
                    Finding(
                        _file(vendor), f"related[{k}]", f"{slug!r} is not an entry", "duplicate"
                    )
                )
    return found


def lint_sources(vendor: dict) -> list[Finding]:
    """(d) A fact without a source."""
    found = []
    source = _file(vendor)
    for i, method in enumerate(vendor["methods"]):
        for j, record in enumerate(method["records"]):
            if not record.get("sources") and not method["sources"]:
                found.append(
                    Finding(
                        source,
                        f"methods[{i}].records[{j}]",
                        "cites no source, and neither does its method",
                        "source",
                    )
                )
    if vendor["no_compliant_option"] and not vendor.get("not_aligned"):
        found.append(
            Finding(
                source,
                "no_compliant_option",
                "rests on no cited source: add a not_aligned entry, with its sources, "
                "for each route the documentation rules out",
                "source",
            )
        )
    if not vendor["documentation"]:
        found.append(Finding(source, "documentation", "lists no documentation page", "source"))
    return found


def lint_catalog(vendors: Iterable[dict], catalog: Iterable[dict] | None = None) -> list[Finding]:
    """Every finding for `vendors`; duplicates are looked for across `catalog` too."""
    vendors = list(vendors)
    found = []
    for vendor in vendors:
        found += lint_examples(vendor) + lint_credit(vendor) + lint_sources(vendor)
    found += lint_duplicates(vendors, vendors if catalog is None else catalog)
    return sorted(found)
