"""A vendor's scorecard: the vendors' checklist (guides/for-product-managers.md), point by point.

Each point is met, not met or unknown, computed from the catalog entry alone:
its derived capability (routes and their evidence), its methods and records,
and its "not documented" list. Nothing is guessed: a point the entry cannot
settle is unknown, and what the entry lists as not documented becomes an
action for the vendor ("Document ...").

Pure Python over catalog-form dicts (`vendor_to_data`, `load_vendor_file`), so
the pages, the API and the leaderboard's stored summary share one rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sources.capability import NO, YES, method_routes, vendor_capability
from sources.checker.setup import default_method

MET, NOT_MET, UNKNOWN = "met", "not-met", "unknown"
STATE_LABELS = {MET: "Met", NOT_MET: "Not met", UNKNOWN: "Unknown"}
GUIDE_URL = "/guides/for-product-managers/#checklist"


@dataclass(frozen=True)
class Point:
    key: str
    title: str
    why: str
    # What the vendor can do when the point is unknown, and when it is not met.
    to_document: str
    to_improve: str
    # Words that tie a "not documented" line of the entry to this point.
    topics: tuple[str, ...] = ()


POINTS: tuple[Point, ...] = (
    Point(
        "hosted-dkim",
        "Aligned DKIM through vendor-hosted keys",
        "Mail is signed with the customer's domain, by keys the vendor hosts behind CNAMEs.",
        "Document whether mail is DKIM-signed with the customer's domain, and the CNAMEs "
        "customers publish to your keys.",
        "Sign with the customer's domain using keys you host, published by the customer as CNAMEs.",
        ("dkim signing", "signs with", "dkim records", "dkim or", "which dmarc routes"),
    ),
    Point(
        "return-path",
        "Custom return path in the customer's domain",
        "The envelope sender (bounce domain) is inside the customer's domain, so SPF aligns.",
        "Document your envelope sender (Return-Path) domain and whether customers can "
        "make it a subdomain of their own.",
        "Offer a bounce subdomain in the customer's domain, delegated to you by CNAME.",
        ("return-path", "return path", "envelope sender", "bounce", "mail from"),
    ),
    Point(
        "key-2048",
        "2048-bit DKIM keys",
        "Keys of at least 2048 bits (RFC 8301).",
        "Document your DKIM key length.",
        "Use 2048-bit RSA keys.",
        ("key length", "key size"),
    ),
    Point(
        "rotation",
        "Key rotation without the customer",
        "Two hosted selectors (or a delegated zone), so keys rotate without DNS changes by "
        "the customer.",
        "Document how your DKIM keys are rotated.",
        "Host the keys and give customers two selectors, so you can rotate on a schedule.",
        ("rotation", "rotate"),
    ),
    Point(
        "selectors",
        "Documented selectors",
        "The DKIM selector names (or their pattern) are in the vendor's documentation.",
        "Document the DKIM selector names your customers publish.",
        "Publish the selector names, or the pattern they follow, in your documentation.",
        ("selector",),
    ),
    Point(
        "delegation",
        "Subdomain delegation",
        "Customers can delegate a sending subdomain to the vendor's name servers once.",
        "Document whether a subdomain can be delegated to you (NS records).",
        "Offer subdomain delegation for customers who prefer to hand you one subdomain.",
        ("delegation", "delegate"),
    ),
    Point(
        "no-spf-only",
        "No SPF-only route",
        "No setup method is just an SPF include that leaves the mail unaligned.",
        "Document the setup methods customers use.",
        "Replace the SPF-include-only advice with an aligned route (DKIM with the "
        "customer's domain, or a custom return path).",
        ("spf include",),
    ),
    Point(
        "aligned-default",
        "DMARC-aligned by default",
        "The vendor's recommended setup makes the mail pass DMARC.",
        "Document which setup you recommend, and what it aligns.",
        "Make the recommended setup an aligned one.",
        ("unauthenticated", "by default"),
    ),
)
POINTS_BY_KEY = {point.key: point for point in POINTS}

BITS_RE = re.compile(r"\b(1024|2048|3072|4096)(?:[- ]?bits?\b)", re.IGNORECASE)
ROTATION_RE = re.compile(r"\brotat(?:e|es|ed|ing|ion)\b", re.IGNORECASE)
DKIM_DETAILS = {"key-2048", "rotation", "selectors"}


@dataclass
class PointResult:
    key: str
    title: str
    state: str
    summary: str  # one sentence: why this state
    # Each: {"method": title or "", "evidence": tier, "sources": [urls], "note": text}
    evidence: list[dict] = field(default_factory=list)
    action: str = ""  # what the vendor can do ("" when met)

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def votable(self) -> bool:
        """Customers can say they need it: the point is not known to be met."""
        return self.state != MET


@dataclass
class Action:
    text: str
    kind: str  # "document" (a point the entry lists as not documented) or "improve"
    point: str = ""  # the checklist point it serves, if any


@dataclass
class Scorecard:
    points: list[PointResult]
    actions: list[Action]

    def count(self, state: str) -> int:
        return sum(1 for point in self.points if point.state == state)

    @property
    def met(self) -> int:
        return self.count(MET)

    @property
    def not_met(self) -> int:
        return self.count(NOT_MET)

    @property
    def unknown(self) -> int:
        return self.count(UNKNOWN)

    @property
    def total(self) -> int:
        return len(self.points)

    def point(self, key: str) -> PointResult:
        return next(point for point in self.points if point.key == key)

    def states(self) -> dict[str, str]:
        return {point.key: point.state for point in self.points}


# -- reading the entry ---------------------------------------------------------------


def _cited(method: Mapping[str, Any], note: str = "") -> dict:
    return {
        "method": str(method.get("title") or ""),
        "evidence": method.get("evidence") or "vendor-docs",
        "sources": list(method.get("sources") or []),
        "note": note,
    }


def _record_cited(method: Mapping[str, Any], record: Mapping[str, Any], note: str) -> dict:
    item = _cited(method, note)
    if record.get("sources"):
        item["sources"] = list(record["sources"])
        item["evidence"] = record.get("evidence") or item["evidence"]
    return item


def _aligned_methods(data: Mapping[str, Any], route: str) -> list[Mapping[str, Any]]:
    """Methods with sources that align `route` (the capability's rule)."""
    found = []
    for method in data.get("methods") or []:
        purposes = [r.get("purpose") for r in method.get("records") or []]
        if route in method_routes(method.get("kind"), purposes, method.get("aligns")) and (
            method.get("sources") or any(r.get("sources") for r in method.get("records") or [])
        ):
            found.append(method)
    return found


def _dkim_records(method: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [r for r in method.get("records") or [] if r.get("purpose") == "dkim"]


def _hosted_dkim(method: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The method's DKIM records that point at vendor-hosted keys (CNAMEs)."""
    return [r for r in _dkim_records(method) if r.get("type") == "CNAME"]


def _delegates(method: Mapping[str, Any]) -> bool:
    return method.get("kind") == "subdomain-ns" or any(
        r.get("type") == "NS" or r.get("purpose") == "delegation"
        for r in method.get("records") or []
    )


def _undocumented_for(data: Mapping[str, Any], point: Point) -> list[str]:
    lines = [str(line) for line in data.get("undocumented") or []]
    return [line for line in lines if any(topic in line.lower() for topic in point.topics)]


def _texts(data: Mapping[str, Any]) -> list[tuple[str, dict]]:
    """Prose about DKIM keys with what cites it: record notes, method steps, description."""
    docs = [d.get("url") for d in data.get("documentation") or [] if d.get("url")]
    found: list[tuple[str, dict]] = []
    for method in data.get("methods") or []:
        for record in _dkim_records(method):
            if record.get("note"):
                found.append((str(record["note"]), _record_cited(method, record, "")))
        if method.get("steps"):
            found.append((str(method["steps"]), _cited(method)))
    if data.get("description"):
        cited = {"method": "", "evidence": "vendor-docs", "sources": docs, "note": ""}
        found.append((str(data["description"]), cited))
    return found


def _sentence(text: str, match: re.Match) -> str:
    """The sentence (or line) around a match, trimmed for display."""
    start = max(text.rfind(".", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
    ends = [i for i in (text.find(".", match.end()), text.find("\n", match.end())) if i >= 0]
    end = min(ends) if ends else len(text)
    sentence = " ".join(text[start:end].split())
    return sentence if len(sentence) <= 240 else sentence[:237] + "..."


# -- the points ------------------------------------------------------------------------


def _hosted_dkim_point(data, dkim) -> tuple[str, str, list[dict]]:
    if dkim.state == NO:
        return NOT_MET, "A cited source says DKIM cannot be aligned.", dkim.evidence
    if dkim.state != YES:
        return UNKNOWN, "No cited source says whether DKIM aligns.", []
    methods = _aligned_methods(data, "dkim")
    hosted = [m for m in methods if _hosted_dkim(m) or _delegates(m)]
    if hosted:
        return (
            MET,
            "Customers publish CNAMEs (or delegate a zone) to keys the vendor hosts.",
            [_cited(m, ", ".join(r["host"] for r in _hosted_dkim(m))) for m in hosted],
        )
    return (
        NOT_MET,
        "DKIM aligns only with keys the customer publishes or signs with itself.",
        [_cited(m) for m in methods],
    )


def _route_point(route, *, met: str, no: str, unknown: str) -> tuple[str, str, list[dict]]:
    if route.state == YES:
        return MET, met, route.evidence
    if route.state == NO:
        return NOT_MET, no, route.evidence
    return UNKNOWN, unknown, []


def _key_point(data, dkim) -> tuple[str, str, list[dict]]:
    if dkim.state == NO:
        return NOT_MET, "DKIM cannot be aligned, whatever the key.", dkim.evidence
    sizes: dict[int, list[dict]] = {}
    for text, cited in _texts(data):
        for match in BITS_RE.finditer(text):
            sizes.setdefault(int(match.group(1)), []).append(
                {**cited, "note": _sentence(text, match)}
            )
    strong = [item for bits in (2048, 3072, 4096) for item in sizes.get(bits, [])]
    if strong:
        return MET, "The entry states keys of 2048 bits or more.", strong[:2]
    if 1024 in sizes:
        return NOT_MET, "The entry states 1024-bit keys only.", sizes[1024][:2]
    return UNKNOWN, "The entry states no key length.", []


def _rotation_point(data, dkim) -> tuple[str, str, list[dict]]:
    if dkim.state == NO:
        return NOT_MET, "DKIM cannot be aligned, so there are no keys to rotate.", dkim.evidence
    methods = _aligned_methods(data, "dkim") if dkim.state == YES else []
    for method in methods:
        hosted = _hosted_dkim(method)
        selectors = {r.get("selector") for r in hosted} | {
            s for r in hosted for s in r.get("known_selectors") or []
        }
        if len(hosted) >= 2 or len(selectors - {"", None}) >= 2:
            hosts = ", ".join(r["host"] for r in hosted)
            return (
                MET,
                "Two or more hosted selectors: keys rotate behind them.",
                [_cited(method, hosts)],
            )
        if _delegates(method):
            return (
                MET,
                "A delegated zone: the vendor publishes and rotates keys itself.",
                [_cited(method)],
            )
    for text, cited in _texts(data):
        match = ROTATION_RE.search(text)
        if match:
            return (
                MET,
                "The entry states that keys are rotated.",
                [{**cited, "note": _sentence(text, match)}],
            )
    if methods and not any(_hosted_dkim(m) for m in methods):
        return (
            NOT_MET,
            "The keys are the customer's own (TXT records or their mail server): each "
            "rotation needs the customer.",
            [_cited(m) for m in methods],
        )
    return UNKNOWN, "The entry says nothing of key rotation.", []


def _selectors_point(data, dkim) -> tuple[str, str, list[dict]]:
    if dkim.state == NO:
        return NOT_MET, "DKIM cannot be aligned, so there are no selectors.", dkim.evidence
    named, hidden = [], []
    for method in data.get("methods") or []:
        for record in _dkim_records(method):
            selector = str(record.get("selector") or "")
            names = list(record.get("known_selectors") or [])
            if (selector and "{" not in selector) or names:
                shown = selector if selector and "{" not in selector else ", ".join(names)
                named.append(_record_cited(method, record, f"selector {shown}"))
            else:
                hidden.append(_record_cited(method, record, record.get("host", "")))
    if named:
        return MET, "The documentation names the selectors.", named
    if hidden:
        return NOT_MET, "Selectors are only shown in each customer's account.", hidden
    return UNKNOWN, "The entry lists no DKIM record.", []


def _delegation_point(data, dkim, spf) -> tuple[str, str, list[dict]]:
    methods = data.get("methods") or []
    delegating = [m for m in methods if _delegates(m)]
    if delegating:
        return MET, "A documented method delegates a subdomain.", [_cited(m) for m in delegating]
    if YES in (dkim.state, spf.state):
        return (
            NOT_MET,
            "None of the documented setup methods delegates a subdomain.",
            [_cited(m) for m in methods if m.get("sources")],
        )
    return UNKNOWN, "The entry documents no aligned setup to compare.", []


def _spf_only_point(data) -> tuple[str, str, list[dict]]:
    methods = data.get("methods") or []
    if not methods:
        return UNKNOWN, "The entry lists no setup method.", []
    unaligned = [
        m
        for m in methods
        if m.get("kind") == "spf-include"
        and not method_routes(
            m.get("kind"), [r.get("purpose") for r in m.get("records") or []], m.get("aligns")
        )
    ]
    if unaligned:
        return (
            NOT_MET,
            "A setup method is an SPF include alone, which does not align the mail.",
            [_cited(m) for m in unaligned],
        )
    return MET, "Every documented setup method aligns or delegates more than SPF.", []


def _default_point(data, capability) -> tuple[str, str, list[dict]]:
    if data.get("no_compliant_option"):
        return NOT_MET, "The vendor documents no aligned option.", capability.dkim_route.evidence
    method = default_method(data)
    if method is None:
        return UNKNOWN, "The entry lists no setup method.", []
    purposes = [r.get("purpose") for r in method.get("records") or []]
    routes = method_routes(method.get("kind"), purposes, method.get("aligns"))
    credited = [
        name for name in ("dkim", "spf") if method.get("title") in capability.route(name).methods
    ]
    if credited:
        return (
            MET,
            f"The recommended setup aligns {' and '.join(r.upper() for r in credited)}.",
            [_cited(method)],
        )
    if not routes:
        return NOT_MET, "The recommended setup aligns nothing.", [_cited(method)]
    return UNKNOWN, "The recommended setup's alignment has no cited source.", []


# -- the scorecard ---------------------------------------------------------------------


def vendor_scorecard(data: Mapping[str, Any]) -> Scorecard:
    """Score one entry (catalog-file form) against the vendors' checklist."""
    capability = vendor_capability(dict(data))
    dkim, spf = capability.dkim_route, capability.spf_route
    computed = {
        "hosted-dkim": _hosted_dkim_point(data, dkim),
        "return-path": _route_point(
            spf,
            met="The envelope sender is in the customer's domain by a documented method.",
            no="A cited source says SPF cannot be aligned.",
            unknown="No cited source says which envelope sender the mail uses.",
        ),
        "key-2048": _key_point(data, dkim),
        "rotation": _rotation_point(data, dkim),
        "selectors": _selectors_point(data, dkim),
        "delegation": _delegation_point(data, dkim, spf),
        "no-spf-only": _spf_only_point(data),
        "aligned-default": _default_point(data, capability),
    }
    points: list[PointResult] = []
    actions: list[Action] = []
    for line in data.get("undocumented") or []:
        point = next((p for p in POINTS if _undocumented_for({"undocumented": [line]}, p)), None)
        actions.append(Action(f"Document: {line}", "document", point.key if point else ""))
    for point in POINTS:
        state, summary, evidence = computed[point.key]
        notes = _undocumented_for(data, point)
        if state == UNKNOWN and notes:
            summary = f"{summary} The entry lists it as not documented."
        action = ""
        if state == UNKNOWN:
            action = point.to_document
            if not notes:
                actions.append(Action(action, "document", point.key))
        elif state == NOT_MET and not (dkim.state == NO and point.key in DKIM_DETAILS):
            # Without DKIM at all, the key details follow from "hosted-dkim": one action.
            action = point.to_improve
        points.append(PointResult(point.key, point.title, state, summary, evidence, action))
    actions += [
        Action(p.action, "improve", p.key) for p in points if p.state == NOT_MET and p.action
    ]
    return Scorecard(points, actions)


def requirement_label(data: Mapping[str, Any], requirement_id: str) -> str:
    """What a requirement id from a check report stands for in the entry: its record, if any."""
    for method in data.get("methods") or []:
        for record in method.get("records") or []:
            if record.get("id") == requirement_id:
                kind, host = record.get("type"), record.get("host")
                return f"{kind} record at {host} ({record.get('purpose')})"
    return ""
