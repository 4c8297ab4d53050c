"""Which catalog vendors a domain's DNS already authorises, and the DKIM selectors they use.

Built from catalog-shaped vendor data (the catalog files or `vendor_to_data`),
so the web, the API and the command line (even without a database) match the
same way. Matching is against the record values vendors give:
`include:<domain>` of spf-include records, CNAME value templates of DKIM
records (parameters match one label or more) and their `pattern` regexes.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# A template must keep this much literal text (besides dots) to identify a
# vendor: "{target1}" alone would match every name.
_MIN_LITERAL = 6


@dataclass(frozen=True)
class VendorRef:
    slug: str
    name: str


@dataclass
class CatalogKnowledge:
    """What the catalog knows that a generic domain report can use."""

    selectors: tuple[str, ...] = ()
    spf_includes: dict[str, list[VendorRef]] = field(default_factory=dict)
    spf_templates: list[tuple[re.Pattern[str], VendorRef]] = field(default_factory=list)
    dkim_targets: list[tuple[re.Pattern[str], VendorRef]] = field(default_factory=list)

    @classmethod
    def build(cls, vendors: Iterable[Mapping[str, Any]]) -> CatalogKnowledge:
        """Index published vendors' records."""
        knowledge = cls()
        selectors: set[str] = set()
        for vendor in vendors:
            if not vendor.get("published", True):
                continue
            ref = VendorRef(str(vendor["slug"]), str(vendor.get("name") or vendor["slug"]))
            for method in vendor.get("methods") or ():
                for record in method.get("records") or ():
                    knowledge._add(ref, record, selectors)
        knowledge.selectors = tuple(sorted(selectors))
        return knowledge

    def _add(self, ref: VendorRef, record: Mapping[str, Any], selectors: set[str]) -> None:
        value = str(record.get("value") or "").strip()
        selector = str(record.get("selector") or "").strip().lower()
        if record.get("purpose") == "dkim" and selector and "{" not in selector:
            selectors.add(selector)
        if record.get("check") == "spf-include" or value.lower().startswith("include:"):
            target = value.split(":", 1)[1] if ":" in value else value
            target = target.strip().rstrip(".").lower()
            if not target:
                return
            if "{" in target:
                regex = _template_regex(target)
                if regex:
                    self.spf_templates.append((regex, ref))
            elif ref not in self.spf_includes.setdefault(target, []):
                self.spf_includes[target].append(ref)
            return
        if record.get("purpose") == "dkim" and str(record.get("type", "")).upper() == "CNAME":
            regex = _template_regex(value.rstrip(".").lower()) if value else None
            if regex:
                self.dkim_targets.append((regex, ref))
            pattern = record.get("pattern")
            if pattern:
                # A broken catalog pattern only loses this match.
                with contextlib.suppress(re.error):
                    self.dkim_targets.append((re.compile(pattern, re.IGNORECASE), ref))

    def vendors_for_spf(self, domain: str) -> list[VendorRef]:
        """Vendors whose SPF include is `domain`."""
        name = domain.rstrip(".").lower()
        found = list(self.spf_includes.get(name, ()))
        found += [ref for regex, ref in self.spf_templates if regex.search(name)]
        return _unique(found)

    def vendors_for_dkim_target(self, name: str) -> list[VendorRef]:
        """Vendors whose DKIM CNAME targets look like `name`."""
        name = name.rstrip(".").lower()
        return _unique([ref for regex, ref in self.dkim_targets if regex.search(name)])

    def authorised_by(self, report: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Catalog vendors that a report's SPF includes and DKIM CNAMEs already authorise."""
        found: dict[str, dict[str, Any]] = {}

        def note(ref: VendorRef, route: str, evidence: str) -> None:
            entry = found.setdefault(
                ref.slug, {"slug": ref.slug, "name": ref.name, "routes": [], "evidence": []}
            )
            if route not in entry["routes"]:
                entry["routes"].append(route)
            if evidence not in entry["evidence"]:
                entry["evidence"].append(evidence)

        tree = (report.get("spf") or {}).get("tree")
        for node in _walk(tree):
            if node.get("via") in ("include", "redirect"):
                for ref in self.vendors_for_spf(str(node.get("domain") or "")):
                    note(ref, "spf", f"SPF {node.get('term') or 'include:' + node['domain']}")
        for key, result in (report.get("dkim") or {}).items():
            target = result.get("cname_target")
            if not target:
                continue
            for ref in self.vendors_for_dkim_target(target):
                note(ref, "dkim", f"DKIM {result.get('name') or key} → {target}")
        return sorted(found.values(), key=lambda entry: entry["name"].casefold())


def _walk(node: Any) -> Iterable[Mapping[str, Any]]:
    if not isinstance(node, Mapping):
        return
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(child for child in current.get("children") or () if isinstance(child, Mapping))


def _template_regex(template: str) -> re.Pattern[str] | None:
    literal = _PLACEHOLDER.sub("", template)
    if len(literal.replace(".", "").replace("-", "")) < _MIN_LITERAL or "." not in literal:
        return None
    parts = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[position : match.start()]))
        parts.append(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
        position = match.end()
    parts.append(re.escape(template[position:]))
    return re.compile("^" + "".join(parts) + r"\.?$", re.IGNORECASE)


def _unique(refs: list[VendorRef]) -> list[VendorRef]:
    return list(dict.fromkeys(refs))
