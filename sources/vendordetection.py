"""Which catalog vendors a domain's DNS shows, credited to the vendor that runs the system.

Pure Python (no Django), used through `CatalogKnowledge.authorised_by`. Each name the
domain's DNS points at is one piece of evidence: an SPF include, a DKIM CNAME target, an
MX host, a return-path CNAME target (at the fixed hosts the catalog knows, such as
`pm-bounces`), a verification TXT value at the domain. Each is looked up in the catalog
like `lookup` does, and credited this way:

- A literal value of a vendor's record (`include:sendgrid.net`, `pm.mtasv.net`) is stronger
  than a value template (`u{id}.wl.sendgrid.net`), which is stronger than a pattern. Only
  the vendors matching at the strongest level get the evidence; the weaker matches of
  entries linked to them by `related` (the catalog's "shares this sending system" links,
  followed through other entries) are theirs: Jobvite's pattern for any SendGrid-hosted
  key does not make SendGrid's s1/s2 CNAMEs, or Stytch's own SendGrid account, Jobvite's.
- When several related entries match equally, the one the others name in `related`
  (SendGrid for Jobvite, Okta and Stytch; Postmark for HelpDesk and Stytch) runs the
  system and is credited; the others are listed as `also_used_by`. Before that, an entry
  whose slug, name or alias is the name of the registrable domain runs it: Amazon SES
  for amazonses.com, which Resend, Lofty, MailBluster and others (all related to each
  other) publish too. Entries still equal (Microsoft 365 and Azure Communication
  Services for spf.protection.outlook.com) are all listed.
- An MX host counts when a record gives it or when it is in a vendor's domain (the
  catalog's `_spf.google.com` puts `smtp.google.com` in Google Workspace's).
- A DKIM key found at a selector the catalog knows (`google._domainkey`) adds to a vendor
  found by other evidence; alone it is not enough, since selector names are shared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sources.checker.domains import organisational_domain

if TYPE_CHECKING:
    from sources.catalogknowledge import CatalogKnowledge, RecordMatch


@dataclass(frozen=True)
class Evidence:
    """One thing seen in a domain's DNS, and the catalog records it matches."""

    signal: str  # spf-include | dkim-cname | mx | return-path | verification
    name: str  # the name looked up
    route: str | None  # the DMARC route it serves: "spf", "dkim" or None
    text: str  # what is shown: "SPF include:sendgrid.net"
    matches: tuple[RecordMatch, ...]


def strength(match: RecordMatch) -> int:
    """3 for a literal value, 2 for a value template, 1 for a pattern, 0 for a name that is
    only in the vendor's domain."""
    if match.how == "domain":
        return 0
    if match.how == "pattern":
        return 1
    return 2 if "{" in match.matched else 3


def detect_vendors(
    knowledge: CatalogKnowledge, report: Mapping[str, Any], observed: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The vendors `report` (a check's JSON) and `observed` show, best evidence first."""
    found: dict[str, dict[str, Any]] = {}
    for item in _evidence(knowledge, report, observed):
        for slug in credited(knowledge, item.matches, item.name):
            entry = found.setdefault(
                slug,
                {
                    "slug": slug,
                    "name": knowledge.names.get(slug, slug),
                    "routes": [],
                    "signals": [],
                    "evidence": [],
                },
            )
            _add(entry["routes"], item.route)
            _add(entry["signals"], item.signal)
            _add(entry["evidence"], item.text)
    for key, result in (report.get("dkim") or {}).items():
        selector = str(key).split(":", 1)[0]
        if result.get("status") in (None, "missing", "error"):
            continue
        for ref in knowledge.selector_vendors.get(selector, ()):
            if ref.slug in found:
                _add(found[ref.slug]["routes"], "dkim")
                _add(found[ref.slug]["signals"], "dkim-selector")
                _add(found[ref.slug]["evidence"], f"DKIM key at {selector}._domainkey")
    for entry in found.values():
        users = knowledge.related.get(entry["slug"], set()) - set(found)
        entry["also_used_by"] = sorted(
            ({"slug": slug, "name": knowledge.names[slug]} for slug in users),
            key=lambda user: user["name"].casefold(),
        )
    return sorted(found.values(), key=lambda entry: entry["name"].casefold())


def credited(
    knowledge: CatalogKnowledge, matches: Iterable[RecordMatch], name: str = ""
) -> list[str]:
    """The vendor slugs one piece of evidence (about `name`, if given) is credited to (see
    the module docstring)."""
    best: dict[str, int] = {}
    for match in matches:
        best[match.vendor_slug] = max(best.get(match.vendor_slug, 0), strength(match))
    if not best:
        return []
    top = max(best.values())
    winners = [slug for slug, level in best.items() if level == top]
    runner = _operator(knowledge, winners, name)
    if runner is not None:
        winners = [runner]
    systems = {_system(knowledge, slug) for slug in winners}
    # A name only in an unrelated vendor's domain (level 0) counts only when nothing names it.
    weaker = [
        slug
        for slug, level in best.items()
        if 0 < level < top and _system(knowledge, slug) not in systems
    ]
    return sorted(winners + weaker)


def _system(knowledge: CatalogKnowledge, slug: str) -> frozenset[str]:
    """The entries linked to `slug` by `related`, directly or through others."""
    seen = {slug}
    stack = [slug]
    while stack:
        for other in knowledge.related.get(stack.pop(), ()):
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return frozenset(seen)


def _operator(knowledge: CatalogKnowledge, slugs: list[str], name: str) -> str | None:
    """The entry among equally matching `slugs` that runs the system: the one whose name is
    the name of `name`'s registrable domain (amazon-ses for amazonses.com), else the one all
    the others relate to that more entries name in `related` than any other; None when
    there is no such entry."""
    if len(slugs) < 2:
        return None
    label = _domain_label(name)
    named = [slug for slug in slugs if label and label in knowledge.brands.get(slug, ())]
    if len(named) == 1:
        return named[0]
    candidates = [
        slug
        for slug in slugs
        if all(other == slug or other in knowledge.related.get(slug, set()) for other in slugs)
    ]
    if not candidates:
        return None
    ranked = sorted(candidates, key=lambda slug: -knowledge.named_by.get(slug, 0))
    top = knowledge.named_by.get(ranked[0], 0)
    if len(ranked) > 1 and knowledge.named_by.get(ranked[1], 0) == top:
        return None
    return ranked[0]


def _domain_label(name: str) -> str:
    """The first label of the registrable domain: 'amazonses' for a1.smtp.amazonses.com."""
    name = name.strip().rstrip(".").lower()
    return organisational_domain(name).split(".", 1)[0] if "." in name else ""


def brand_forms(slug: str, name: str, aliases: Iterable[str] = ()) -> frozenset[str]:
    """A vendor's slug, name and aliases as one lowercase run of letters and digits."""
    return frozenset(
        "".join(char for char in text.lower() if char.isalnum())
        for text in (slug, name, *aliases)
        if text
    )


def _evidence(
    knowledge: CatalogKnowledge, report: Mapping[str, Any], observed: Mapping[str, Any]
) -> Iterable[Evidence]:
    lookup = knowledge.match_name

    for node in _walk((report.get("spf") or {}).get("tree")):
        if node.get("via") in ("include", "redirect") and node.get("domain"):
            domain = str(node["domain"])
            matches = lookup(domain, includes_only=True)
            term = node.get("term") or f"include:{domain}"
            yield Evidence("spf-include", domain, "spf", f"SPF {term}", tuple(matches))
    for key, result in (report.get("dkim") or {}).items():
        target = result.get("cname_target")
        if target:
            matches = [m for m in lookup(target) if m.type == "CNAME" and m.purpose in ("dkim", "")]
            text = f"DKIM {result.get('name') or key} → {target}"
            yield Evidence("dkim-cname", target, "dkim", text, tuple(matches))
    for record in (report.get("mx") or {}).get("records") or ():
        host = str(record).split()[-1] if str(record).split() else ""
        if host and host != ".":
            # An MX host in a vendor's domain (smtp.google.com) says who runs the mail.
            matches = [m for m in lookup(host) if m.type == "MX" or m.how == "domain"]
            yield Evidence("mx", host, None, f"MX {host.rstrip('.')}", tuple(matches))
    for host, target in sorted((observed.get("cnames") or {}).items()):
        matches = [
            m for m in lookup(str(target)) if m.type == "CNAME" and m.purpose == "return-path"
        ]
        text = f"CNAME {host} → {target}"
        yield Evidence("return-path", str(target), "spf", text, tuple(matches))
    for value in observed.get("txt") or ():
        matches = knowledge.match_txt(str(value))
        yield Evidence("verification", "", None, f"TXT {value}", tuple(matches))


def _add(items: list[str], value: str | None) -> None:
    if value and value not in items:
        items.append(value)


def _walk(node: Any) -> Iterable[Mapping[str, Any]]:
    if not isinstance(node, Mapping):
        return
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(child for child in current.get("children") or () if isinstance(child, Mapping))
