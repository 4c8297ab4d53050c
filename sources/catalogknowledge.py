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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sources.catalogfile import CatalogError, load_vendor_file, vendor_files
from sources.checker.domains import organisational_domain
from sources.checker.userpatterns import PatternError, UserPattern
from sources.vendordetection import brand_forms, detect_vendors

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
    how: str  # "include", "value", "pattern" or "domain" (a name in the vendor's domain)


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

    # DKIM selector names the catalog's vendors use (literal `selector`s and `known_selectors`).
    selectors: tuple[str, ...] = ()
    selector_vendors: dict[str, list[VendorRef]] = field(default_factory=dict)
    # Fixed first labels of return-path CNAME hosts (`pm-bounces.{domain}`): a check without
    # a vendor looks them up.
    probe_hosts: tuple[str, ...] = ()
    # Verification TXT values at the domain itself (`brevo-code:{code}`), as full-value regexes.
    txt_tokens: list[tuple[re.Pattern[str], RecordMatch]] = field(default_factory=list)
    # Entries sharing one sending system (`related`, both directions) and how many entries
    # name each one as theirs: the entry others point to operates the system.
    related: dict[str, set[str]] = field(default_factory=dict)
    named_by: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    brands: dict[str, frozenset[str]] = field(default_factory=dict)  # see vendordetection
    # For name lookups (lookup).
    exact: dict[str, list[RecordMatch]] = field(default_factory=dict)
    by_suffix: dict[str, list[tuple[Matcher, RecordMatch]]] = field(default_factory=dict)
    unanchored: list[tuple[Matcher, RecordMatch]] = field(default_factory=list)
    # The catalog's literal names (and the literal endings of templates and patterns) by
    # organisational domain: a host in a vendor's domain, such as a PTR name.
    by_org: dict[str, list[RecordMatch]] = field(default_factory=dict)

    @classmethod
    def build(cls, vendors: Iterable[Mapping[str, Any]]) -> CatalogKnowledge:
        """Index published vendors' records (vendors in catalog-file form, or the subset
        {slug, name, aliases, published, related, methods: [{kind, records: [{id, type, host, value,
        check, pattern, purpose, selector, known_selectors}]}]})."""
        knowledge = cls()
        selectors: dict[str, list[VendorRef]] = {}
        hosts: set[str] = set()
        links: list[tuple[str, str]] = []
        for vendor in vendors:
            if not vendor.get("published", True):
                continue
            ref = VendorRef(str(vendor["slug"]), str(vendor.get("name") or vendor["slug"]))
            knowledge.names[ref.slug] = ref.name
            aliases = [str(alias) for alias in vendor.get("aliases") or ()]
            knowledge.brands[ref.slug] = brand_forms(ref.slug, ref.name, aliases)
            links += [(ref.slug, str(other)) for other in vendor.get("related") or ()]
            for method in vendor.get("methods") or ():
                for record in method.get("records") or ():
                    knowledge._add_for_reports(ref, record, selectors, hosts)
                    knowledge._add_for_lookups(ref, str(method.get("kind") or ""), record)
        for slug, other in links:
            if other in knowledge.names and other != slug:
                knowledge.related.setdefault(slug, set()).add(other)
                knowledge.related.setdefault(other, set()).add(slug)
                knowledge.named_by[other] = knowledge.named_by.get(other, 0) + 1
        knowledge.selectors = tuple(sorted(selectors))
        knowledge.selector_vendors = selectors
        knowledge.probe_hosts = tuple(sorted(hosts))
        return knowledge

    # -- what a domain's DNS shows -----------------------------------------------------

    def _add_for_reports(
        self,
        ref: VendorRef,
        record: Mapping[str, Any],
        selectors: dict[str, list[VendorRef]],
        hosts: set[str],
    ) -> None:
        rtype = str(record.get("type") or "").upper()
        purpose = record.get("purpose")
        host = str(record.get("host") or "").strip().lower()
        if purpose == "dkim":
            names = [str(record.get("selector") or "")] + list(record.get("known_selectors") or ())
            for name in names:
                name = name.strip().lower()
                if name and "{" not in name and ref not in selectors.setdefault(name, []):
                    selectors[name].append(ref)
        if purpose == "return-path" and rtype == "CNAME":
            label = host.removesuffix(".{domain}")
            if label != host and _LABEL_RE.match(label):
                hosts.add(label)
        if purpose == "verification" and rtype == "TXT" and host == "{domain}":
            value = str(record.get("value") or "").strip()
            regex = _template_regex(value, whole_value=True) if value else None
            if regex is not None:
                self.txt_tokens.append((regex, _record_match(ref, "", record, value, "value")))

    def vendors_for_spf(self, domain: str) -> list[VendorRef]:
        """Vendors whose SPF include is `domain`."""
        matches = self.match_name(domain, includes_only=True)
        refs = [VendorRef(m.vendor_slug, m.vendor_name) for m in matches]
        return list(dict.fromkeys(refs))

    def authorised_by(
        self, report: Mapping[str, Any], observed: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """The catalog vendors a domain's DNS shows (see `vendordetection`): from a report's
        SPF includes, DKIM CNAMEs and keys and MX hosts, and from `observed` return-path
        CNAMEs ({host: target}) and the domain's own TXT values."""
        return detect_vendors(self, report, observed or {})

    def match_name(self, name: str, *, includes_only: bool = False) -> list[RecordMatch]:
        """`lookup` for a name as found in DNS (any case, trailing dot)."""
        name = name.strip().rstrip(".").lower()
        return self.lookup(LookupQuery(name=name, includes_only=includes_only)) if name else []

    def match_txt(self, value: str) -> list[RecordMatch]:
        """Verification tokens of the catalog that a TXT value at the domain is."""
        return [match for regex, match in self.txt_tokens if regex.match(value.strip())]

    # -- which vendors own a name ----------------------------------------------------

    def _add_for_lookups(self, ref: VendorRef, kind: str, record: Mapping[str, Any]) -> None:
        rtype = str(record.get("type") or "").upper()

        def match(matched: str, how: str) -> RecordMatch:
            return _record_match(ref, kind, record, matched, how)

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
                suffix = _pattern_suffix(pattern)
                self._file(suffix, regex, match(pattern, "pattern"))
                self._add_org(suffix, match(suffix, "domain"))

    def _add_name(self, template: str, ref: RecordMatch) -> None:
        template = template.rstrip(".").lower()
        if "{" not in template:
            self.exact.setdefault(template, []).append(ref)
            self._add_org(template, replace(ref, matched=template, how="domain"))
            return
        # A template must end in literal labels ("u{id}.wl.vendor.net"): one ending in a
        # placeholder ("s1.domainkey.{target}") says nothing about whose name it is.
        suffix = _full_labels(template[template.rindex("}") + 1 :])
        regex = _template_regex(template)
        if regex is not None and "." in suffix:
            self._file(suffix, regex, ref)
            self._add_org(suffix, replace(ref, matched=suffix, how="domain"))

    def _add_org(self, name: str, ref: RecordMatch) -> None:
        if "." not in name or not _is_name(name):
            return
        org = organisational_domain(name)
        if org != name or "." in org:
            entries = self.by_org.setdefault(org, [])
            if ref not in entries:
                entries.append(ref)

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
        elif "." in name:
            # A name no record gives (a PTR name such as o1.ptr42.sendgrid.net), or a
            # registrable domain itself (amazonses.com): the vendors whose names are in
            # that domain, as "domain" matches.
            org = organisational_domain(name)
            if not found or org == name:
                direct = {ref.vendor_slug for ref in found}
                found += [ref for ref in self.by_org.get(org, ()) if ref.vendor_slug not in direct]
        return list(dict.fromkeys(found))


def _record_match(
    ref: VendorRef, kind: str, record: Mapping[str, Any], matched: str, how: str
) -> RecordMatch:
    return RecordMatch(
        vendor_slug=ref.slug,
        vendor_name=ref.name,
        method=kind,
        record=str(record.get("id") or ""),
        type=str(record.get("type") or "").upper(),
        purpose=str(record.get("purpose") or ""),
        matched=matched,
        how=how,
    )


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


def _is_name(text: str) -> bool:
    return all(_LABEL_RE.match(label) for label in text.split("."))


def _template_regex(template: str, *, whole_value: bool = False) -> re.Pattern[str] | None:
    """A regex for a DNS-name template (or, with `whole_value`, a TXT value such as
    `brevo-code:{code}`); None when too little of it is literal to name a vendor."""
    literal = _PLACEHOLDER.sub("", template)
    if len(literal.replace(".", "").replace("-", "")) < _MIN_LITERAL:
        return None
    if not whole_value and "." not in literal:
        return None
    placeholder = r"\S+" if whole_value else r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*"
    parts = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[position : match.start()]))
        parts.append(placeholder)
        position = match.end()
    parts.append(re.escape(template[position:]))
    end = r"$" if whole_value else r"\.?$"
    return re.compile("^" + "".join(parts) + end, re.IGNORECASE)


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
