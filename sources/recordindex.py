"""Which vendors a DNS name belongs to: an index over the catalog's record values.

Pure Python (no Django), built once per catalog version by
`selectors.vendor_lookup`. A name matches a record when it is

- the domain of an `include:` term (spf-include values, or any TXT value),
- a CNAME, MX or NS value, where `{parameters}` stand for one label or more,
- matched by the record's `pattern` regex.

Literal names are a dictionary lookup. Templates and patterns are filed under
the literal labels they end with (`u{account_id}.wl.sendgrid.net` under
`wl.sendgrid.net`), so a lookup tries each suffix of the name (a handful of
dictionary lookups) and runs only the regexes filed there; the few patterns
with no literal ending are tried on every lookup.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sources.catalogmatch import _template_regex

MAX_NAME = 253
_LABEL_RE = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_INCLUDE_RE = re.compile(r"(?:^|\s)[+?~-]?include:(\S+)", re.IGNORECASE)
_QUALIFIED_INCLUDE_RE = re.compile(r"^[+?~-]?include:", re.IGNORECASE)
HOST_TYPES = ("CNAME", "MX", "NS")


class InvalidName(ValueError):
    """The text given is not a DNS name (or include: term) that can be looked up."""


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
class RecordIndex:
    exact: dict[str, list[RecordMatch]] = field(default_factory=dict)
    by_suffix: dict[str, list[tuple[re.Pattern[str], RecordMatch]]] = field(default_factory=dict)
    unanchored: list[tuple[re.Pattern[str], RecordMatch]] = field(default_factory=list)

    @classmethod
    def build(cls, records: Iterable[Mapping[str, Any]]) -> RecordIndex:
        """Index records given as {vendor_slug, vendor_name, method, id, type, value,
        pattern, purpose, check}."""
        index = cls()
        for record in records:
            index._add(record)
        return index

    def _add(self, record: Mapping[str, Any]) -> None:
        def match(matched: str, how: str) -> RecordMatch:
            return RecordMatch(
                vendor_slug=record["vendor_slug"],
                vendor_name=record["vendor_name"],
                method=record["method"],
                record=record["id"],
                type=record["type"],
                purpose=record["purpose"],
                matched=matched,
                how=how,
            )

        value = (record.get("value") or "").strip()
        if record["type"] == "TXT" or record.get("check") == "spf-include":
            for domain in _INCLUDE_RE.findall(value):
                self._add_name(domain, match(f"include:{domain}", "include"))
        elif record["type"] in HOST_TYPES and value:
            self._add_name(value, match(value, "value"))
        pattern = (record.get("pattern") or "").strip()
        if pattern:
            # A broken pattern in the catalog only loses this match.
            with contextlib.suppress(re.error):
                regex = re.compile(pattern, re.IGNORECASE)
                self._file(_pattern_suffix(pattern), regex, match(pattern, "pattern"))

    def _add_name(self, template: str, ref: RecordMatch) -> None:
        template = template.rstrip(".").lower()
        if "{" not in template:
            self.exact.setdefault(template, []).append(ref)
            return
        # The checker's rule for templates: a parameter stands for one label or more, and a
        # template with too little literal text to name a vendor gives no regex.
        regex = _template_regex(template)
        if regex is not None:
            self._file(_full_labels(template[template.rindex("}") + 1 :]), regex, ref)

    def _file(self, suffix: str, regex: re.Pattern[str], ref: RecordMatch) -> None:
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
