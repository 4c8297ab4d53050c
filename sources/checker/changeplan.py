"""The DNS change plan: every fix of a report gathered into records to add or replace.

Pure Python over the JSON form of a report (`CheckReport.to_dict()`), plus
`spf_costs`, the few SPF look-ups (on the check's own resolver, so mostly
cached) that tell whether a merged SPF record would stay within 10 lookups.
"""

from __future__ import annotations

import asyncio
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .dmarcplan import default_rua, dmarc_record
from .domains import organisational_domain
from .fixes import FIX_TTL, spf_with_include, zone_line
from .spfreport import shared_tree

if TYPE_CHECKING:
    from .dns import Resolver

MAX_SPF_LOOKUPS = 10


@dataclass
class PlanRow:
    """One record to create or change, for the table and the zone file."""

    host: str  # fully qualified, no trailing dot
    name: str  # relative to the zone ("@" for the apex), what most web forms ask for
    type: str
    value: str  # as typed into a web form: no quotes, no trailing dot
    zone_line: str
    action: str  # add | replace
    replaces: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    note: str = ""
    recommended: bool = False  # advice rather than a fix of a failing requirement

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "host": self.host,
            "name": self.name,
            "type": self.type,
            "value": self.value,
            "ttl": FIX_TTL,
            "zone_line": self.zone_line,
            "action": self.action,
            "replaces": self.replaces,
            "requirements": self.requirements,
            "note": self.note,
            "recommended": self.recommended,
        }


@dataclass(frozen=True)
class SPFCosts:
    """DNS lookup counts needed to judge SPF merges: per SPF host, and per include target."""

    hosts: Mapping[str, int] = field(default_factory=dict)
    targets: Mapping[str, int] = field(default_factory=dict)


_ZONE_LINE = re.compile(r"^(\S+)\s+(\d+)\s+IN\s+(\S+)\s+(.*)$")


def _parse_fix(line: str) -> tuple[str, str, str] | None:
    """(host, type, value as typed in a web form) from a one-record zone line."""
    match = _ZONE_LINE.match(line.strip())
    if not match:
        return None
    host, _ttl, rtype, data = match.groups()
    rtype = rtype.upper()
    if rtype == "TXT":
        value = "".join(shlex.split(data, posix=True)) if '"' in data else data
    else:
        value = data.rstrip(".") if rtype in ("CNAME", "NS") else data
        if rtype == "MX":
            value = value.rstrip(".")
    return host.rstrip(".").lower(), rtype, value


def _relative(host: str, zone: str) -> str:
    if host == zone:
        return "@"
    if host.endswith("." + zone):
        return host[: -len(zone) - 1]
    return host + "."


def _zone_of(report: Mapping[str, Any]) -> str:
    """The zone the customer most likely edits: the organisational domain."""
    dmarc = report.get("dmarc") or {}
    return (
        dmarc.get("organisational_domain")
        or dmarc.get("psl_organisational_domain")
        or organisational_domain(report["domain"])
    )


def _observed_of_type(requirement: Mapping[str, Any], rtype: str) -> list[str]:
    prefix = f"{rtype} "
    return [
        text[len(prefix) :]
        for text in requirement.get("observed") or []
        if text.startswith(prefix) and not text.startswith("then ")
    ]


def _include_target(requirement: Mapping[str, Any]) -> str | None:
    match = re.search(r"include:(\S+)", requirement.get("expected") or "")
    return match.group(1).rstrip(".").lower() if match else None


def change_plan(report: Mapping[str, Any], costs: SPFCosts | None = None) -> dict[str, Any]:
    """Every fix of the report gathered into one plan: rows, a zone-file block and warnings."""
    costs = costs or SPFCosts()
    zone = _zone_of(report)
    rows: list[PlanRow] = []
    warnings: list[str] = []
    by_line: dict[str, PlanRow] = {}
    spf_rows: dict[str, PlanRow] = {}

    for requirement in report.get("requirements") or []:
        if requirement.get("status") not in ("fail", "warn"):
            continue
        fix = requirement.get("fix")
        if not fix:
            continue
        parsed = _parse_fix(fix)
        if parsed is None:
            continue
        host, rtype, value = parsed
        if requirement.get("check") == "spf-include":
            _merge_spf(requirement, host, fix, value, rows, spf_rows, costs, warnings, zone)
            continue
        if fix in by_line:
            by_line[fix].requirements.append(requirement["id"])
            continue
        existing = _observed_of_type(requirement, rtype) if rtype in ("CNAME", "TXT") else []
        if rtype == "TXT":
            existing = []  # other TXT records at a name can stay beside the new one
        row = PlanRow(
            host=host,
            name=_relative(host, zone),
            type=rtype,
            value=value,
            zone_line=fix,
            action="replace" if existing else "add",
            replaces=existing,
            requirements=[requirement["id"]],
            note=_row_note(requirement, existing),
        )
        by_line[fix] = row
        rows.append(row)

    repair = report.get("spf_repair")
    if repair and repair.get("proposed"):
        rows.insert(0, _repair_row(repair, zone))
        if not repair.get("within_limit"):
            warnings.append(
                f"Even with every include we could list flattened, the SPF record of "
                f"{repair['host']} needs {repair['proposed_lookups']} DNS lookups. Remove "
                "includes of services you no longer use, or let vendors that offer their own "
                "bounce subdomain send from it instead of your SPF record."
            )
    spf = report.get("spf") or {}
    if spf.get("lookups", 0) > MAX_SPF_LOOKUPS and not spf_rows and not repair:
        warnings.append(
            f"The SPF record of {report['domain']} already needs {spf['lookups']} DNS lookups; "
            f"receivers stop at {MAX_SPF_LOOKUPS} and SPF fails with permerror for all your "
            "mail. Remove includes of services you no longer use, replace includes by the "
            "ip4:/ip6: ranges they publish, or send from a subdomain with its own SPF record."
        )
    dmarc = report.get("dmarc")
    mail = (report.get("mx") or {}).get("status")
    # A domain that does not exist or receives no mail is not told to start monitoring.
    if dmarc and dmarc.get("status") == "none" and mail not in ("nxdomain", "null", "no-mail"):
        host = f"_dmarc.{zone}"
        value = dmarc_record(domain=zone, policy="none").record
        rows.append(
            _txt_row(
                host,
                value,
                zone,
                action="add",
                note=(
                    "Recommended: a DMARC policy that only monitors, with an address for the "
                    "reports (create that mailbox or use your report service's address). When "
                    "the reports show your real senders pass, tighten to p=quarantine and "
                    "p=reject (see the DMARC plan)."
                ),
                recommended=True,
            )
        )
    elif dmarc and not report.get("requirements") and (row := _next_policy_row(dmarc, zone)):
        rows.append(row)
    return {
        "zone": zone,
        "spf_costs": list((repair or {}).get("terms") or []),
        "rows": [row.to_dict() for row in rows],
        "zone_file": _zone_text(report, rows),
        "warnings": warnings,
    }


_POLICY_TAG = re.compile(r"(^|;)(\s*)p(\s*)=(\s*)(none|quarantine)\b", re.IGNORECASE)
_NEXT_POLICY = {"none": "quarantine", "quarantine": "reject"}


def _next_policy_row(dmarc: Mapping[str, Any], zone: str) -> PlanRow | None:
    """The domain's own DMARC record one stage stricter, with a reporting address."""
    record = dmarc.get("record")
    policy = dmarc.get("policy")
    if dmarc.get("status") != "found" or not record or policy not in _NEXT_POLICY:
        return None
    if (dmarc.get("policy_tag") or "p") != "p":
        return None  # an inherited sp=/np= policy: the parent's record is not ours to rewrite
    stricter = _NEXT_POLICY[policy]
    value = _POLICY_TAG.sub(lambda m: f"{m[1]}{m[2]}p{m[3]}={m[4]}{stricter}", record, count=1)
    if "rua=" not in value.replace(" ", "").lower():
        value = value.rstrip("; ") + "; rua=" + default_rua(zone)
    host = f"_dmarc.{dmarc.get('policy_domain') or zone}"
    return _txt_row(
        host,
        value,
        zone,
        action="replace",
        replaces=[record],
        note=(
            f"Next stage: p={stricter}, once the DMARC reports show every real sender passing "
            "(the DMARC plan lists the senders to check first)."
        ),
        recommended=True,
    )


def _txt_row(host: str, value: str, zone: str, **fields: Any) -> PlanRow:
    """A TXT record to publish at `host`, named relative to `zone`."""
    return PlanRow(
        host=host,
        name=_relative(host, zone),
        type="TXT",
        value=value,
        zone_line=zone_line(host, "TXT", value),
        **fields,
    )


def _repair_row(repair: Mapping[str, Any], zone: str) -> PlanRow:
    """The single SPF record that replaces a permerror (spffix.SPFRepair, as JSON)."""
    host, value = repair["host"], repair["proposed"]
    records = list(repair.get("records") or [])
    if repair.get("problem") == "multiple":
        note = (
            f"Delete the {len(records)} SPF records and publish this one instead: a name may "
            "have only one SPF record (RFC 7208 §4.5); every term of both is kept once."
        )
    else:
        note = (
            f"Replace your SPF record: it needs {repair['lookups']} DNS lookups and receivers "
            f"stop at {MAX_SPF_LOOKUPS} (RFC 7208 §4.6.4)."
        )
    note += f" This record needs {repair['proposed_lookups']} lookups."
    costs = {term["term"]: term for term in repair.get("terms") or []}
    for term in repair.get("flattened") or []:
        cost = costs.get(term) or {}
        addresses = " ".join(cost.get("flattened") or [])
        note += (
            f" {term} ({cost.get('lookups')} lookups) is replaced by the addresses it "
            f"authorises today: {addresses}."
        )
    if repair.get("flattened"):
        note += (
            " Maintenance: flattened addresses do not follow changes; update them whenever "
            "those hosts or the vendor's ranges change, or drop includes you no longer use."
        )
    return _txt_row(
        host,
        value,
        zone,
        action="replace",
        replaces=records,
        requirements=["spf-permerror"],
        note=note,
    )


def _row_note(requirement: Mapping[str, Any], existing: list[str]) -> str:
    if existing:
        shown = ", ".join(existing)
        return f"Replace the existing {requirement['type']} ({shown}): a name has one CNAME."
    return ""


def _merge_spf(
    requirement: Mapping[str, Any],
    host: str,
    fix: str,
    value: str,
    rows: list[PlanRow],
    spf_rows: dict[str, PlanRow],
    costs: SPFCosts,
    warnings: list[str],
    zone: str,
) -> None:
    """One SPF record per host, with every missing include merged in."""
    target = _include_target(requirement)
    row = spf_rows.get(host)
    if row is None:
        current = [text for text in _observed_of_type(requirement, "TXT") if _is_spf(text)]
        row = PlanRow(
            host=host,
            name=_relative(host, zone),
            type="TXT",
            value=value,
            zone_line=fix,
            action="replace" if current else "add",
            replaces=current,
            requirements=[requirement["id"]],
        )
        spf_rows[host] = row
        rows.append(row)
    else:
        if target and f"include:{target}" not in row.value.split():
            row.value = spf_with_include(row.value, target)
            row.zone_line = zone_line(host, "TXT", row.value)
        row.requirements.append(requirement["id"])
    _judge_spf_row(row, costs, warnings)


def _is_spf(text: str) -> bool:
    lowered = text.strip().lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


def _includes(text: str) -> list[str]:
    return [term.split(":", 1)[1].lower() for term in text.split() if term.startswith("include:")]


def _judge_spf_row(row: PlanRow, costs: SPFCosts, warnings: list[str]) -> None:
    """Note the merged record's lookup count and warn when it would pass the limit of 10."""
    row.note = (
        "Replace your SPF record with this merged one: a name must have exactly one."
        if row.replaces
        else "A new SPF record."
    )
    prefix = f"The merged SPF record for {row.host}"
    warnings[:] = [w for w in warnings if not w.startswith(prefix)]
    before = costs.hosts.get(row.host)
    if before is None:
        return
    existing = {t for text in row.replaces for t in _includes(text)}
    added = [t for t in _includes(row.value) if t not in existing]
    if any(t not in costs.targets for t in added):
        return  # an include's own cost is unknown: no number rather than a wrong one
    total = before + sum(1 + costs.targets[t] for t in added)
    row.note += f" It needs {total} DNS lookups (SPF allows {MAX_SPF_LOOKUPS})."
    if total > MAX_SPF_LOOKUPS:
        includes = ", ".join(f"include:{t}" for t in added)
        warnings.append(
            f"{prefix} would need {total} DNS lookups ({before} now, plus {includes}); "
            f"receivers stop at {MAX_SPF_LOOKUPS} and SPF then fails with permerror for all "
            "your mail. Remove includes of services you no longer use, replace includes by "
            "the ip4:/ip6: ranges they publish, or let this vendor send from a subdomain with "
            "its own SPF record, or rely on DKIM alignment instead."
        )


def _zone_text(report: Mapping[str, Any], rows: list[PlanRow]) -> str:
    if not rows:
        return ""
    who = report.get("vendor_name") or report.get("vendor")
    title = (
        f"; DNS changes for {who} on {report['domain']}"
        if who
        else (f"; DNS changes for {report['domain']}")
    )
    lines = [title]
    for row in rows:
        if row.action == "replace":
            lines.append(f"; replaces: {' | '.join(row.replaces)}")
        elif row.recommended:
            lines.append("; recommended")
        lines.append(row.zone_line)
    return "\n".join(lines) + "\n"


async def spf_costs(resolver: Resolver, requirements: list[dict[str, Any]]) -> SPFCosts:
    """Lookup counts of SPF hosts that need an include, and of the includes themselves."""
    hosts: set[str] = set()
    targets: set[str] = set()
    for item in requirements:
        if item["check"] != "spf-include" or item["status"] != "fail" or not item["fix"]:
            continue
        target = _include_target(item)
        if item["host"] and target:
            hosts.add(item["host"])
            targets.add(target)
    if not hosts:
        return SPFCosts()
    names = sorted(hosts | targets)
    trees = await asyncio.gather(*(shared_tree(resolver, name) for name in names))
    lookups = {
        name: tree.lookups
        for name, tree in zip(names, trees, strict=True)
        if tree.result in ("ok", "none")
    }
    return SPFCosts(
        hosts={h: lookups[h] for h in hosts if h in lookups},
        targets={t: lookups[t] for t in targets if t in lookups},
    )
