"""A check's verdict for people: the headline sentence and the DMARC policy explained.

Pure functions over the JSON form of a report (`CheckReport.to_dict()`):
`check_domain` writes the headline into every report, so the web pages, the
API, the command line and bulk checks say the same sentence, and a stored
result renders exactly as it did when it was made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_ROUTE_WORDS = {"dkim": "DKIM", "spf": "SPF"}


def headline(report: Mapping[str, Any]) -> str:
    """The verdict in one sentence ("Mail that Zendesk sends for example.com will pass ...").

    Errors lead: a domain that does not exist is only that; an SPF permerror
    comes before anything else the report says.
    """
    domain = report["domain"]
    if report.get("input_error"):
        return f"{domain} could not be checked: {report['input_error']}"
    mx = report.get("mx") or {}
    if mx.get("status") == "nxdomain":
        return (
            f"{domain} does not exist in DNS (NXDOMAIN): no mail can be sent or received with "
            "it. Check the spelling, or register the domain before setting up mail."
        )
    lead = spf_problem(report)
    rest = _headline(report)
    return f"{lead} {rest}" if lead else rest


def spf_problem(report: Mapping[str, Any]) -> str:
    """The SPF permerror in one sentence, with the lookups counted ("" when SPF works)."""
    spf = report.get("spf") or {}
    if spf.get("status") != "invalid":
        return ""
    domain = report["domain"]
    repair = report.get("spf_repair") or {}
    start = f"SPF fails for all mail from {domain} (permerror):"
    if repair.get("problem") == "multiple":
        count = len(repair.get("records") or [])
        return (
            f"{start} it has {count} SPF records and may have only one; merged they need "
            f"{repair.get('lookups')} DNS lookups of the 10 allowed."
        )
    if repair.get("problem") == "too-many-lookups" or spf.get("lookups", 0) > 10:
        lookups = repair.get("lookups") or spf.get("lookups")
        return f"{start} its SPF record needs {lookups} DNS lookups; receivers stop at 10."
    errors = spf.get("errors") or []
    reason = errors[0] if errors else "the record cannot be evaluated"
    return f"{start} {reason}."


def _headline(report: Mapping[str, Any]) -> str:
    domain = report["domain"]
    who = report.get("vendor_name") or report.get("vendor")
    verdict = report.get("verdict")
    if not who or not report.get("requirements"):
        return _generic_headline(report, who)
    routes = " and ".join(_ROUTE_WORDS[r] for r in report.get("dmarc_pass_routes") or [])
    subject = f"Mail that {who} sends for {domain}"
    if verdict == "pass":
        return f"{subject} will pass DMARC through {routes} alignment." + _policy_caveat(report)
    if verdict == "partial":
        failing = [r for r in report["requirements"] if r.get("required") and r["status"] != "pass"]
        untested = [r for r in failing if r.get("untested")]
        count = len(failing) - len(untested)
        records = "record needs" if count == 1 else "records need"
        parts = [f"but {count} required {records} attention"] if count else []
        if untested:
            names = ", ".join(r["id"] for r in untested)
            could = "record" if len(untested) == 1 else "records"
            parts.append(
                f"{len(untested)} {could} ({names}) could not be tested without a value "
                "from your account"
            )
        return (
            f"{subject} will pass DMARC through {routes} alignment; " + "; ".join(parts) + "."
            if count == 0
            else f"{subject} will pass DMARC through {routes} alignment, " + "; ".join(parts) + "."
        ) + _policy_caveat(report)
    if verdict == "error":
        return (
            f"We could not finish checking {who} for {domain}: some DNS lookups failed or "
            "timed out. This is usually temporary: run the check again."
        )
    failing = [
        r
        for r in report["requirements"]
        if r.get("required") and r["status"] == "fail" and r.get("purpose") != "tracking"
    ]
    if failing and not any(r.get("fix") for r in failing) and failing[0].get("message"):
        return f"{subject} will fail DMARC: {failing[0]['message']}."
    passing = [r for r in report["requirements"] if r["status"] == "pass"]
    if passing and failing:
        # Some records are right: say which are missing rather than "nothing is in place".
        names = ", ".join(r["id"] for r in failing)
        return (
            f"{subject} will fail DMARC until {names} {'is' if len(failing) == 1 else 'are'} "
            f"fixed: {len(passing)} of its records are in place, but no aligned DKIM or SPF "
            "route is complete. The change plan below lists the records to add."
        )
    return (
        f"{subject} will fail DMARC: no aligned DKIM or SPF route is in place yet. "
        "The change plan below lists the records to add."
    )


def _policy_caveat(report: Mapping[str, Any]) -> str:
    """What passing DMARC is worth under the domain's policy, when that is little."""
    dmarc = report.get("dmarc") or {}
    domain = report["domain"]
    if dmarc.get("status") in ("none", "invalid", "multiple"):
        return f" But {domain} has no usable DMARC policy yet, so receivers do not apply DMARC."
    if dmarc.get("status") == "found" and dmarc.get("policy") == "none":
        return f" The DMARC policy of {domain} is p=none: failing mail would still be delivered."
    return ""


def _generic_headline(report: Mapping[str, Any], who: str | None) -> str:
    domain = report["domain"]
    dmarc = report.get("dmarc") or {}
    prefix = f"{who} has no DNS records to check for this method. " if who else ""
    if report.get("verdict") == "error":
        return prefix + f"Some DNS lookups for {domain} failed or timed out: run the check again."
    mx_status = (report.get("mx") or {}).get("status")
    if mx_status in ("null", "no-mail"):
        why = "a null MX (RFC 7505)" if mx_status == "null" else "no MX and no address records"
        guarded = dmarc.get("status") == "found" and dmarc.get("policy") == "reject"
        return prefix + (
            f"{domain} accepts no mail: it has {why}."
            + (
                " Its DMARC policy of p=reject refuses mail forged in its name."
                if guarded
                else " Receivers cannot tell that mail using its name is forged: it has no "
                "DMARC policy of p=reject."
            )
        )
    if not dmarc:
        return prefix + f"{domain}: the requested checks are below."
    status = dmarc.get("status")
    if status == "found":
        policy = dmarc.get("policy")
        meaning = {
            "reject": "mail that fails DMARC is refused",
            "quarantine": "mail that fails DMARC goes to spam",
            "none": "it only monitors, so mail that fails DMARC is still delivered",
        }.get(policy or "", "")
        return prefix + f"{domain} publishes a DMARC policy of p={policy}: {meaning}."
    if status == "invalid":
        return prefix + f"{domain} has a DMARC record that receivers cannot use."
    if status == "multiple":
        return prefix + f"{domain} has several DMARC records, so receivers ignore them all."
    return prefix + f"{domain} has no DMARC policy: receivers do not apply DMARC to its mail."


_VENDOR_LABELS = {
    "pass": "Passes DMARC",
    "partial": "Passes, with problems",
    "fail": "Fails DMARC",
    "error": "Unknown: lookups failed",
}
_DOMAIN_LABELS = {
    "pass": "DMARC enforced",
    "partial": "DMARC not enforced yet",
    "fail": "No DMARC policy",
    "error": "Unknown: lookups failed",
}


def verdict_label(report: Mapping[str, Any]) -> str:
    """The verdict in two or three words, the same on the page, in bulk, the API and the CLI.

    It names the problem the headline leads with, so the badge never says
    less than the sentence beside it.
    """
    verdict = report.get("verdict") or "error"
    if report.get("input_error"):
        return "Not a domain"
    if (report.get("mx") or {}).get("status") == "nxdomain":
        return "Domain does not exist"
    if verdict == "error":
        return _VENDOR_LABELS["error"]
    if (report.get("spf") or {}).get("status") == "invalid":
        return "Passes DMARC, SPF broken" if verdict == "partial" else "SPF broken"
    if report.get("vendor") and report.get("requirements"):
        return _VENDOR_LABELS.get(verdict, verdict)
    mx_status = (report.get("mx") or {}).get("status")
    if mx_status in ("null", "no-mail") and verdict != "pass":
        return "Accepts no mail"
    dmarc_status = (report.get("dmarc") or {}).get("status")
    if verdict == "fail" and dmarc_status in ("invalid", "multiple"):
        return "DMARC record unusable"
    return _DOMAIN_LABELS.get(verdict, verdict)


@dataclass(frozen=True)
class PolicyExplanation:
    """What the DMARC policy that applies means for the person checking."""

    level: str  # ok | warn | bad | error
    title: str
    text: str


def explain_policy(report: Mapping[str, Any]) -> PolicyExplanation | None:
    """Explain the DMARC policy that applies to the domain (None when DMARC was not checked)."""
    dmarc = report.get("dmarc")
    if not dmarc:
        return None
    domain = report["domain"]
    status = dmarc.get("status")
    mail = (report.get("mx") or {}).get("status")
    if mail == "nxdomain":
        return PolicyExplanation(
            "bad",
            "The domain does not exist",
            f"{domain} does not exist in DNS, so no DMARC record can apply to it.",
        )
    if status in ("none", None) and mail in ("null", "no-mail"):
        return PolicyExplanation(
            "warn",
            "No DMARC policy (the domain accepts no mail)",
            f"{domain} accepts no mail and has no DMARC policy, so receivers cannot tell that "
            "mail using its name is forged. A domain that sends no mail is protected by "
            '"v=spf1 -all" as its SPF record and a DMARC policy of p=reject.',
        )
    if status == "error":
        return PolicyExplanation(
            "error",
            "DMARC record: lookup failed",
            "The DMARC lookup failed (a timeout or server failure). This says nothing about "
            "whether a record exists: run the check again.",
        )
    if status in ("none", None):
        return PolicyExplanation(
            "bad",
            "No DMARC policy",
            f"Nothing tells receivers what to do with mail that fails DMARC for {domain}, so "
            "they do not apply DMARC at all and anyone can send mail as your domain. Publish "
            "a DMARC record: start with p=none and a rua= address to receive reports.",
        )
    if status in ("invalid", "multiple"):
        problem = "several records" if status == "multiple" else "a record that does not parse"
        return PolicyExplanation(
            "bad",
            "DMARC record unusable",
            f"{domain} has {problem}; receivers then act as if there were no DMARC policy. "
            "Keep exactly one valid v=DMARC1 record.",
        )
    policy = dmarc.get("policy")
    tag = dmarc.get("policy_tag") or "p"
    source = dmarc.get("policy_domain")
    where = ""
    if source and source != domain:
        tag_word = {"sp": "subdomain policy (sp=)", "np": "non-existent subdomain policy (np=)"}
        where = (
            f" This is the {tag_word.get(tag, 'policy (p=)')} of {source}, which applies to "
            f"{domain} because {domain} has no DMARC record of its own."
        )
    testing = (
        " The record is in testing mode (t=y): receivers apply one level less strict a policy."
        if dmarc.get("testing")
        else ""
    )
    if policy == "none":
        return PolicyExplanation(
            "warn",
            "p=none: monitoring only",
            "Receivers deliver mail that fails DMARC as if there were no policy and only send "
            "you reports. It protects nothing yet: once the reports show that all your real "
            "senders pass, move to p=quarantine and then p=reject." + where + testing,
        )
    if policy == "quarantine":
        return PolicyExplanation(
            "ok",
            "p=quarantine",
            "Mail that fails DMARC is treated as suspicious, usually delivered to spam. "
            "Senders that are not set up correctly lose their mail to spam folders."
            + where
            + testing,
        )
    return PolicyExplanation(
        "ok",
        f"p={policy}",
        "Receivers refuse mail that fails DMARC. Every sender that uses your domain must "
        "pass, or its mail is rejected." + where + testing,
    )
