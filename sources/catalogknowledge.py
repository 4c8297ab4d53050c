"""What the catalog knows about DNS names: which vendors a domain's DNS authorises, and
which vendors a name belongs to.

Pure Python (no Django). One `CatalogKnowledge` is built from catalog-shaped vendor
data (the catalog files, or the database through `selectors.catalog_knowledge`, once
per catalog version), so the web, the API and the command line (even without a
database) match the same way. It answers two questions:

- `authorised_by(report)`: the vendors a domain report's SPF includes and DKIM CNAMEs
  already authorise (`include:<domain>` of spf-include records, CNAME value templates of
  DKIM records and their `pattern` regexes), with `selectors`, the DKIM selector names
  the catalog's vendors use;
- `lookup(query)`: the records a DNS name belongs to. A name matches a record when it is
  the domain of an `include:` term (spf-include values, or any TXT value), a CNAME, MX or
  NS value, or matched by the record's `pattern` regex.

In both, a `{parameter}` in a value stands for one label or more, and a template with
too little literal text to name a vendor matches nothing. For lookups, literal names
are a dictionary lookup; templates and patterns are filed under the literal labels they
end with (`u{account_id}.wl.sendgrid.net` under `wl.sendgrid.net`), so a lookup tries
each suffix of the name (a handful of dictionary lookups) and runs only the regexes
filed there; the few patterns with no literal ending are tried on every lookup.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sources.catalogfile import CatalogError, load_vendor_file, vendor_files
from sources.checker.userpatterns import PatternError, UserPattern

MAX_NAME = 253
# Templates compile to re patterns (escaped literals); catalog `pattern`s run time-limited.
Matcher = re.Pattern[str] | UserPattern
HOST_TYPES = ("CNAME", "MX", "NS")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# A template must keep this much literal text (besides dots) to identify a
# vendor: "{target1}" alone would match every name.
_MIN_LITERAL = 6
_LABEL_RE = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_INCLUDE_RE = re.compile(r"(?:^|\s)[+?~-]?include:(\S+)", re.IGNORECASE)
_QUALIFIED_INCLUDE_RE = re.compile(r"^[+?~-]?include:", re.IGNORECASE)


class InvalidName(ValueError):
    """The text given is not a DNS name (or include: term) that can be looked up."""


@dataclass(frozen=True)
class VendorRef:
    slug: str
    name: str


@dataclass(frozen=True)
class LookupQuery:
    name: str  # lowercase, no trailing dot, A-labels
    includes_only: bool  # written as include:<domain>: match SPF includes only


@dataclass(frozen=True)
class RecordMatch:
    """One catalog record that a looked-up name matches."""

    vendor_slug: str
    vendor_name: str
    method: str  # the method's kind
    record: str  # the record's id
    type: str
    purpose: str
    matched: str  # the value, include domain or pattern that matched
    how: str  # "include", "value" or "pattern"


def parse_lookup_name(text: str) -> LookupQuery:
    """Normalise what people paste: `include:Vendor.NET.`, a CNAME target, a host."""
    text = text.strip()
    includes_only = bool(_QUALIFIED_INCLUDE_RE.match(text))
    if includes_only:
        text = text.split(":", 1)[1].strip()
    if len(text) > MAX_NAME + 1:
        raise InvalidName(f"must be at most {MAX_NAME} characters")
    name = text.rstrip(".").lower()
    if not name:
        raise InvalidName("must be a DNS name such as sendgrid.net or include:sendgrid.net")
    try:
        name = name.encode("idna").decode("ascii") if not name.isascii() else name
    except UnicodeError:
        raise InvalidName("is not a valid internationalised domain name") from None
    if len(name) > MAX_NAME:
        raise InvalidName(f"must be at most {MAX_NAME} characters")
    for label in name.split("."):
        if not _LABEL_RE.match(label):
            raise InvalidName(
                f"has an invalid label {label[:63]!r}: labels are 1 to 63 letters, digits, "
                "hyphens or underscores, not starting or ending with a hyphen"
            )
    return LookupQuery(name=name, includes_only=includes_only)


@dataclass
class CatalogKnowledge:
    """The published catalog's record values, indexed for domain reports and lookups."""

    # For domain reports (authorised_by).
    selectors: tuple[str, ...] = ()
    spf_includes: dict[str, list[VendorRef]] = field(default_factory=dict)
    spf_templates: list[tuple[Matcher, VendorRef]] = field(default_factory=list)
    dkim_targets: list[tuple[Matcher, VendorRef]] = field(default_factory=list)
    # For name lookups (lookup).
    exact: dict[str, list[RecordMatch]] = field(default_factory=dict)
    by_suffix: dict[str, list[tuple[Matcher, RecordMatch]]] = field(default_factory=dict)
    unanchored: list[tuple[Matcher, RecordMatch]] = field(default_factory=list)

    @classmethod
    def build(cls, vendors: Iterable[Mapping[str, Any]]) -> CatalogKnowledge:
        """Index published vendors' records (vendors in catalog-file form, or the subset
        {slug, name, published, methods: [{kind, records: [{id, type, value, check,
        pattern, purpose, selector}]}]})."""
        knowledge = cls()
        selectors: set[str] = set()
        for vendor in vendors:
            if not vendor.get("published", True):
                continue
            ref = VendorRef(str(vendor["slug"]), str(vendor.get("name") or vendor["slug"]))
            for method in vendor.get("methods") or ():
                for record in method.get("records") or ():
                    knowledge._add_for_reports(ref, record, selectors)
                    knowledge._add_for_lookups(ref, str(method.get("kind") or ""), record)
        knowledge.selectors = tuple(sorted(selectors))
        return knowledge

    # -- which vendors a domain's DNS authorises -------------------------------------

    def _add_for_reports(
        self, ref: VendorRef, record: Mapping[str, Any], selectors: set[str]
    ) -> None:
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
                with contextlib.suppress(PatternError):
                    self.dkim_targets.append((UserPattern(pattern, ignorecase=True), ref))

    def vendors_for_spf(self, domain: str) -> list[VendorRef]:
        """Vendors whose SPF include is `domain`."""
        name = domain.rstrip(".").lower()
        found = list(self.spf_includes.get(name, ()))
        found += [ref for regex, ref in self.spf_templates if regex.search(name)]
        return list(dict.fromkeys(found))

    def vendors_for_dkim_target(self, name: str) -> list[VendorRef]:
        """Vendors whose DKIM CNAME targets look like `name`."""
        name = name.rstrip(".").lower()
        return list(dict.fromkeys(ref for regex, ref in self.dkim_targets if regex.search(name)))

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

    # -- which vendors own a name ----------------------------------------------------

    def _add_for_lookups(self, ref: VendorRef, kind: str, record: Mapping[str, Any]) -> None:
        rtype = str(record.get("type") or "").upper()

        def match(matched: str, how: str) -> RecordMatch:
            return RecordMatch(
                vendor_slug=ref.slug,
                vendor_name=ref.name,
                method=kind,
                record=str(record.get("id") or ""),
                type=rtype,
                purpose=str(record.get("purpose") or ""),
                matched=matched,
                how=how,
            )

        value = str(record.get("value") or "").strip()
        if rtype == "TXT" or record.get("check") == "spf-include":
            for domain in _INCLUDE_RE.findall(value):
                self._add_name(domain, match(f"include:{domain}", "include"))
        elif rtype in HOST_TYPES and value:
            self._add_name(value, match(value, "value"))
        pattern = str(record.get("pattern") or "").strip()
        if pattern:
            # A broken pattern in the catalog only loses this match.
            with contextlib.suppress(PatternError):
                regex = UserPattern(pattern, ignorecase=True)
                self._file(_pattern_suffix(pattern), regex, match(pattern, "pattern"))

    def _add_name(self, template: str, ref: RecordMatch) -> None:
        template = template.rstrip(".").lower()
        if "{" not in template:
            self.exact.setdefault(template, []).append(ref)
            return
        regex = _template_regex(template)
        if regex is not None:
            self._file(_full_labels(template[template.rindex("}") + 1 :]), regex, ref)

    def _file(self, suffix: str, regex: Matcher, ref: RecordMatch) -> None:
        if suffix:
            self.by_suffix.setdefault(suffix, []).append((regex, ref))
        else:
            self.unanchored.append((regex, ref))

    def lookup(self, query: LookupQuery) -> list[RecordMatch]:
        """Records the name matches, each once, in catalog order of discovery."""
        name = query.name
        found = list(self.exact.get(name, ()))
        labels = name.split(".")
        candidates = [
            entry
            for i in range(len(labels))
            for entry in self.by_suffix.get(".".join(labels[i:]), ())
        ]
        found += [ref for regex, ref in candidates + self.unanchored if regex.search(name)]
        if query.includes_only:
            found = [ref for ref in found if ref.how == "include"]
        return list(dict.fromkeys(found))


def knowledge_from_files(directory: Path) -> CatalogKnowledge:
    """The knowledge of the catalog files in `directory` (the command line without a
    database). A file that does not validate is skipped: one bad entry must not stop a
    check."""
    vendors = []
    for path in vendor_files(directory):
        try:
            vendors.append(load_vendor_file(path))
        except CatalogError:
            continue
    return CatalogKnowledge.build(vendors)


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


def _full_labels(tail: str) -> str:
    """The whole labels at the end of a literal tail: '.wl.vendor.net' and 'x.vendor.net'
    (whose 'x' may continue a placeholder) both give 'vendor.net' at most."""
    if tail.startswith("."):
        return tail[1:]
    return tail.split(".", 1)[1] if "." in tail else ""


def _pattern_suffix(pattern: str) -> str:
    """The literal labels every name a pattern matches must end with ('' if unknown)."""
    if "|" in pattern:
        return ""
    body = pattern
    for end in (r"\Z", "$"):
        if body.endswith(end) and not body.endswith("\\" + end):
            body = body[: -len(end)]
            break
    else:
        return ""  # unanchored: it may match in the middle of a name
    if body.endswith(r"\.?"):
        body = body[:-3]
    tail: list[str] = []
    i = len(body)
    while i > 0:
        char = body[i - 1]
        escaped = i >= 2 and body[i - 2] == "\\"
        if escaped and char in ".-_":
            tail.append(char)
            i -= 2
        elif not escaped and (char.isascii() and (char.isalnum() or char in "-_")):
            tail.append(char)
            i -= 1
        else:
            break
    # Scanning stopped at the first non-literal item from the end, so every match
    # ends with this text (a quantifier there applies to what precedes the text).
    literal = "".join(reversed(tail)).lower()
    if body[:i] == "^":
        return literal  # the whole name is literal
    return _full_labels(literal)
