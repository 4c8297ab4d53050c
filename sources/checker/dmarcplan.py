"""From p=none to p=reject: a DMARC record generator and the staged plan for one domain.

`dmarc_record` writes a record from a few choices (RFC 7489 §6.3) and says
which external report destinations must authorise the domain (§7.1: a
`<domain>._report._dmarc.<destination>` TXT record "v=DMARC1" at the
destination). `dmarc_stages` reads a report's JSON (its DMARC record, SPF
includes, DKIM keys and the vendors the directory recognised) and gives the
stages p=none → p=quarantine → p=reject, where the domain is, the record of
the next stage, and the senders to align before moving on. Every record
suggested here has a reporting address.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .domains import InvalidDomain, normalise_domain, organisational_domain

POLICIES = ("none", "quarantine", "reject")
_MAILTO = re.compile(r"^(?:mailto:)?([^@\s,;!]+)@([^@\s,;!]+)$", re.IGNORECASE)


class InvalidDMARCChoice(ValueError):
    """A generator choice that cannot make a valid record; `field` names it."""

    def __init__(self, field_name: str, reason: str) -> None:
        self.field = field_name
        self.reason = reason
        super().__init__(f"{field_name}: {reason}")


@dataclass(frozen=True)
class DMARCDraft:
    """A generated record and what else it needs."""

    domain: str
    record: str
    host: str
    authorisations: tuple[tuple[str, str], ...] = ()  # (host, TXT value) at report destinations
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "domain": self.domain,
            "host": self.host,
            "record": self.record,
            "authorisations": [{"host": h, "value": v} for h, v in self.authorisations],
            "notes": list(self.notes),
        }


def default_rua(domain: str) -> str:
    """The reporting address suggested when a domain has none: a mailbox at the domain."""
    return f"mailto:dmarc-reports@{organisational_domain(domain)}"


def _addresses(text: str | Iterable[str], field_name: str) -> list[tuple[str, str]]:
    items = text.replace(";", ",").split(",") if isinstance(text, str) else list(text)
    found = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        match = _MAILTO.match(item)
        if not match:
            raise InvalidDMARCChoice(field_name, f"'{item}' is not an e-mail address")
        try:
            host = normalise_domain(match.group(2))
        except InvalidDomain as exc:
            raise InvalidDMARCChoice(field_name, f"'{item}': {exc.reason}") from None
        found.append((match.group(1), host))
    return found


def dmarc_record(
    *,
    domain: str,
    policy: str,
    rua: str | Sequence[str] = "",
    subdomain_policy: str = "",
    pct: int | None = None,
    testing: bool = False,
    adkim: str = "r",
    aspf: str = "r",
) -> DMARCDraft:
    """A DMARC record from the generator's choices; InvalidDMARCChoice names a bad one."""
    try:
        name = normalise_domain(domain)
    except InvalidDomain as exc:
        raise InvalidDMARCChoice("domain", exc.reason) from None
    if policy not in POLICIES:
        raise InvalidDMARCChoice("policy", f"choose one of {', '.join(POLICIES)}")
    if subdomain_policy and subdomain_policy not in POLICIES:
        raise InvalidDMARCChoice("subdomain_policy", f"choose one of {', '.join(POLICIES)}")
    if pct is not None and not 0 <= pct <= 100:
        raise InvalidDMARCChoice("pct", "a percentage from 0 to 100")
    if adkim not in ("r", "s") or aspf not in ("r", "s"):
        raise InvalidDMARCChoice("alignment", "r (relaxed) or s (strict)")
    addresses = _addresses(rua, "rua") or _addresses(default_rua(name), "rua")
    notes = []
    if not _addresses(rua, "rua"):
        notes.append(
            f"No reporting address given: {default_rua(name)[7:]} is suggested. Create that "
            "mailbox, or use your DMARC report service's address: without reports you cannot "
            "see which senders still fail."
        )
    tags = ["v=DMARC1", f"p={policy}"]
    if subdomain_policy and subdomain_policy != policy:
        tags.append(f"sp={subdomain_policy}")
    if pct is not None and pct != 100:
        tags.append(f"pct={pct}")
        notes.append(
            f"pct={pct}: receivers apply p={policy} to {pct}% of failing mail and the next "
            "weaker policy to the rest (RFC 7489 §6.3)."
        )
    if testing:
        tags.append("t=y")
        notes.append(
            "t=y asks receivers to apply one policy level less strict while you test "
            "(DMARCbis); receivers that only know RFC 7489 ignore it."
        )
    if adkim == "s":
        tags.append("adkim=s")
    if aspf == "s":
        tags.append("aspf=s")
    tags.append("rua=" + ",".join(f"mailto:{local}@{host}" for local, host in addresses))
    own = organisational_domain(name)
    authorisations = []
    for _local, host in addresses:
        if organisational_domain(host) != own:
            authorisations.append((f"{name}._report._dmarc.{host}", "v=DMARC1"))
    if authorisations:
        notes.append(
            "Reports go to another organisation's domain: it must publish the TXT record below "
            "to accept them (RFC 7489 §7.1), or receivers send it nothing. Report services "
            "usually publish it for you; check that it resolves."
        )
    return DMARCDraft(name, "; ".join(tags), f"_dmarc.{name}", tuple(authorisations), tuple(notes))


@dataclass
class Stage:
    """One step of the way to p=reject."""

    policy: str
    title: str
    status: str  # done | current | next | later
    record: str
    advice: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "policy": self.policy,
            "title": self.title,
            "status": self.status,
            "record": self.record,
            "advice": self.advice,
        }


@dataclass
class DMARCStages:
    """Where the domain is on the way to p=reject, and what stands in the way."""

    domain: str
    current: str  # missing | none | quarantine | reject | unusable
    rua: list[str]
    stages: list[Stage] = field(default_factory=list)
    aligned: list[dict[str, Any]] = field(default_factory=list)  # senders seen signing as you
    to_align: list[dict[str, Any]] = field(default_factory=list)  # senders to check first

    @property
    def next_policy(self) -> str:
        """The policy of the next stage (reject once there)."""
        if self.current not in POLICIES:
            return "none"
        return POLICIES[min(POLICIES.index(self.current) + 1, len(POLICIES) - 1)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "domain": self.domain,
            "current": self.current,
            "rua": list(self.rua),
            "next_policy": self.next_policy,
            "stages": [stage.to_dict() for stage in self.stages],
            "aligned": list(self.aligned),
            "to_align": list(self.to_align),
        }


_STAGE_TITLES = {
    "none": "1. Monitor: p=none with reports",
    "quarantine": "2. Quarantine: failing mail goes to spam",
    "reject": "3. Reject: failing mail is refused",
}
_STAGE_ADVICE = {
    "none": (
        "Publish p=none with a reporting address and read the aggregate reports for two to "
        "four weeks: they list every source sending as your domain and whether it passes."
    ),
    "quarantine": (
        "When every real sender passes in the reports, move to p=quarantine (pct= lets you "
        "start with a share of the failing mail). Keep reading the reports."
    ),
    "reject": (
        "When quarantine has run for a few weeks without real mail in spam, move to "
        "p=reject: forged mail in your name is then refused."
    ),
}


def dmarc_stages(report: Mapping[str, Any]) -> DMARCStages | None:
    """The staged plan for a report's domain (None without a DMARC lookup or for NXDOMAIN)."""
    dmarc = report.get("dmarc")
    mail = (report.get("mx") or {}).get("status")
    if not dmarc or dmarc.get("status") == "error" or mail == "nxdomain":
        return None
    domain = report["domain"]
    status = dmarc.get("status")
    if status == "found":
        current = dmarc.get("policy") or "none"
    elif status in ("invalid", "multiple"):
        current = "unusable"
    else:
        current = "missing"
    rua = [d["uri"] for d in dmarc.get("report_destinations") or [] if d.get("tag") == "rua"] or [
        default_rua(domain)
    ]
    # Policies apply to the organisational domain's record; its subdomains inherit sp=.
    target = dmarc.get("policy_domain") or domain
    reached = POLICIES.index(current) if current in POLICIES else -1
    stages = []
    for index, policy in enumerate(POLICIES):
        if index < reached:
            state = "done"
        elif index == reached:
            state = "current"
        elif index == reached + 1:
            state = "next"
        else:
            state = "later"
        draft = dmarc_record(domain=target, policy=policy, rua=rua)
        stages.append(
            Stage(policy, _STAGE_TITLES[policy], state, draft.record, _STAGE_ADVICE[policy])
        )
    plan = DMARCStages(domain, current, rua, stages)
    _senders(report, plan)
    return plan


def _senders(report: Mapping[str, Any], plan: DMARCStages) -> None:
    """Senders seen in DNS: those signing as the domain, and those to check before enforcing."""
    vendors = report.get("catalog_vendors") or []
    signing = {v["slug"] for v in vendors if "dkim" in (v.get("routes") or [])}
    for key, result in (report.get("dkim") or {}).items():
        if result.get("status") == "found":
            plan.aligned.append(
                {"kind": "dkim", "name": key, "detail": f"DKIM key at {result.get('name')}"}
            )
    for vendor in vendors:
        if vendor["slug"] not in signing:
            plan.to_align.append(
                {
                    "kind": "vendor",
                    "name": vendor["name"],
                    "slug": vendor["slug"],
                    "detail": "authorised by your SPF record only: an SPF include aligns only "
                    "if the vendor sends with your domain as envelope sender. Check its "
                    "records, or make it sign with DKIM for your domain.",
                }
            )
    known = {e.split()[-1] for v in vendors for e in v.get("evidence") or []}
    tree = (report.get("spf") or {}).get("tree") or {}
    for child in tree.get("children") or []:
        term = child.get("term") or ""
        if term.startswith("include:") and term not in known:
            plan.to_align.append(
                {
                    "kind": "include",
                    "name": term,
                    "detail": "a sender your SPF record authorises: find out which service it "
                    "is and make sure its mail passes DKIM for your domain.",
                }
            )
    for requirement in report.get("requirements") or []:
        if requirement.get("status") in ("fail", "warn") and requirement.get("required"):
            plan.to_align.append(
                {
                    "kind": "record",
                    "name": f"{report.get('vendor_name') or report.get('vendor')}: "
                    f"{requirement['id']}",
                    "detail": requirement.get("message") or "not in place yet",
                }
            )
