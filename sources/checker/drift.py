"""Drift of a vendor's own DNS: do the names its catalog entry publishes still work?

A catalog entry tells customers to point their DNS at the vendor's names: SPF
includes, DKIM CNAME targets, bounce (return-path) CNAME targets, MX and NS
hosts. When the vendor changes those names, every customer's check changes with
them. This module resolves the fixed names (values without any `{parameter}`:
only those can be looked up without a customer's account) and says what is
wrong with each, as findings with a code, the name, a sentence and a severity.

Pure Python, no Django: the service feeds it records in catalog form and
stores what comes back. Lookups go through the one `Resolver`, whose time
budget bounds a vendor's whole check; a lookup that fails or times out is a
`lookup-failed` notice, never "missing".
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .dkim import MIN_RSA_BITS, RECOMMENDED_RSA_BITS, DKIMKey, DKIMSyntaxError, parse_dkim_key
from .dns import Answer, Resolver, normalise_name
from .spf_eval import MAX_LOOKUP_TERMS, MAX_VOID_LOOKUPS
from .spf_syntax import is_spf_record
from .spf_tree import spf_tree

TargetKind = Literal["spf-include", "dkim", "return-path", "mx", "ns", "host"]
Severity = Literal["error", "warning", "notice"]

# An include that costs this many lookups leaves a customer at most four of their own.
COSTLY_INCLUDE = 6
# Record types whose value is a DNS name customers point at.
_NAME_TYPES = frozenset({"CNAME", "MX", "NS"})
# An include's lookup limits are reported as its cost, not as "spf-invalid".
_LIMITS = frozenset({"too-many-lookups", "too-many-void-lookups"})
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "notice": 2}


@dataclass(frozen=True)
class Target:
    """One of the vendor's names, and what customers use it for."""

    kind: TargetKind
    name: str


@dataclass(frozen=True)
class Finding:
    """Something wrong (or worth knowing) about one target."""

    code: str
    name: str
    detail: str
    severity: Severity

    @property
    def key(self) -> str:
        """What identifies the finding from one run to the next."""
        return f"{self.code} {self.name}"

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready dict."""
        return {
            "code": self.code,
            "name": self.name,
            "detail": self.detail,
            "severity": self.severity,
        }


@dataclass
class TargetResult:
    """What resolving one target showed."""

    target: Target
    summary: str = ""
    facts: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the findings are listed once, on the report)."""
        return {
            "kind": self.target.kind,
            "name": self.target.name,
            "summary": self.summary,
            **self.facts,
        }


@dataclass
class DriftReport:
    """The result of checking one vendor's names."""

    targets: list[TargetResult]
    skipped: int  # records whose target is a per-account template (or not given)
    stats: dict[str, float | int]

    @property
    def findings(self) -> list[Finding]:
        """Every finding, the most severe first."""
        found = [finding for result in self.targets for finding in result.findings]
        return sorted(found, key=lambda f: (SEVERITY_ORDER[f.severity], f.name, f.code))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "findings": [finding.to_dict() for finding in self.findings],
            "targets": [result.to_dict() for result in self.targets],
            "skipped": self.skipped,
            "stats": self.stats,
        }


def _kind_of(record: Mapping[str, Any]) -> TargetKind | None:
    """The target kind of a catalog record, or None when its value names nothing to resolve."""
    rtype = str(record.get("type") or "").upper()
    if record.get("check") == "spf-include":
        return "spf-include"
    if rtype == "MX":
        return "mx"
    if rtype == "NS":
        return "ns"
    if rtype == "CNAME":
        purpose = record.get("purpose")
        if purpose == "dkim":
            return "dkim"
        if purpose == "return-path":
            return "return-path"
        return "host"
    return None


def targets_from_records(records: Iterable[Mapping[str, Any]]) -> tuple[list[Target], int]:
    """The distinct fixed targets of catalog-form records, and how many were templates.

    A record's `value` with a `{placeholder}` (or none at all) differs per account
    or per customer domain and cannot be resolved: it is counted, not checked.
    """
    targets: dict[tuple[str, str], Target] = {}
    skipped = 0
    for record in records:
        kind = _kind_of(record)
        if kind is None:
            continue
        value = str(record.get("value") or "").strip()
        if kind == "spf-include":
            value = value.removeprefix("include:")
        if not value or "{" in value or "}" in value:
            skipped += 1
            continue
        try:
            name = normalise_name(value)
        except ValueError:
            skipped += 1
            continue
        targets.setdefault((kind, name), Target(kind, name))
    return sorted(targets.values(), key=lambda t: (t.kind, t.name)), skipped


# -- the checks --------------------------------------------------------------------------


def _failed(result: TargetResult, answer: Answer) -> None:
    reason = answer.reason or answer.status
    result.summary = "lookup failed"
    result.findings.append(
        Finding(
            "lookup-failed",
            answer.name,
            f"The lookup of {answer.name} failed ({reason}); it will be tried again.",
            "notice",
        )
    )


def _nxdomain(result: TargetResult, what: str) -> None:
    name = result.target.name
    result.summary = "does not exist"
    result.findings.append(
        Finding(
            "target-nxdomain",
            name,
            f"{name} does not exist (NXDOMAIN): {what}",
            "error",
        )
    )


async def _check_spf_include(resolver: Resolver, result: TargetResult) -> None:
    name = result.target.name
    answer = await resolver.query(name, "TXT")
    if answer.is_retryable:
        _failed(result, answer)
        return
    if answer.status == "nxdomain":
        _nxdomain(result, "customers' SPF records that include it return permerror.")
        return
    if not any(is_spf_record(text) for text in answer.records):
        result.summary = "no SPF record"
        result.findings.append(
            Finding(
                "spf-missing",
                name,
                f"{name} publishes no SPF record: customers' SPF records that include it "
                "return permerror.",
                "error",
            )
        )
        return
    tree = await spf_tree(resolver, name)  # its first lookup is the cached answer above
    cost = 1 + tree.lookups  # the include term itself, and everything below it
    result.facts = {"lookups": cost, "void_lookups": tree.void_lookups}
    result.summary = f"costs {cost} DNS lookup{'s' if cost != 1 else ''}"
    _spf_tree_findings(result, tree.errors)
    if cost >= COSTLY_INCLUDE:
        over = cost > MAX_LOOKUP_TERMS
        result.findings.append(
            Finding(
                "spf-include-costly",
                name,
                f"include:{name} costs {cost} of the {MAX_LOOKUP_TERMS} DNS lookups an SPF "
                + (
                    "record may use: on its own it makes customers' SPF fail (permerror)."
                    if over
                    else f"record may use, leaving customers {MAX_LOOKUP_TERMS - cost} for "
                    "everything else."
                ),
                "error" if over else "warning",
            )
        )
    if tree.void_lookups:
        over = tree.void_lookups > MAX_VOID_LOOKUPS
        result.findings.append(
            Finding(
                "spf-void-lookups",
                name,
                f"include:{name} makes {tree.void_lookups} lookup"
                f"{'s' if tree.void_lookups != 1 else ''} that find nothing; receivers "
                f"allow {MAX_VOID_LOOKUPS} in a whole SPF check"
                + (", so customers' SPF fails (permerror)." if over else "."),
                "error" if over else "warning",
            )
        )


def _spf_tree_findings(
    result: TargetResult, errors: Iterable[Any], *, reported_apart: frozenset[str] = _LIMITS
) -> None:
    """Broken records anywhere in the target's SPF tree, and lookups that failed."""
    issues = list(errors)
    broken = [i for i in issues if i.code != "dns-error" and i.code not in reported_apart]
    if broken:
        first = broken[0]
        more = f" (and {len(broken) - 1} more problem{'s' if len(broken) > 2 else ''})"
        result.findings.append(
            Finding(
                "spf-invalid",
                result.target.name,
                f"{first.domain}: {first.message}{more if len(broken) > 1 else ''}.",
                "error",
            )
        )
    failed = [issue for issue in issues if issue.code == "dns-error"]
    if failed:
        result.findings.append(
            Finding(
                "lookup-failed",
                result.target.name,
                f"{failed[0].message}; it will be tried again.",
                "notice",
            )
        )


def _best_key(records: list[str]) -> DKIMKey | DKIMSyntaxError:
    parsed: list[DKIMKey | DKIMSyntaxError] = []
    for text in records:
        try:
            parsed.append(parse_dkim_key(text))
        except DKIMSyntaxError as exc:
            parsed.append(exc)
    keys = [item for item in parsed if isinstance(item, DKIMKey)]
    usable = [key for key in keys if key.usable]
    return (usable or keys or parsed)[0]


async def _check_dkim(resolver: Resolver, result: TargetResult) -> None:
    name = result.target.name
    answer = await resolver.query(name, "TXT")
    if answer.is_retryable:
        _failed(result, answer)
        return
    if answer.status == "nxdomain":
        _nxdomain(result, "customers' DKIM selectors pointing at it have no key.")
        return
    records = [text for text in answer.records if text.strip()]
    if not records:
        result.summary = "no key"
        result.findings.append(
            Finding(
                "dkim-key-missing",
                name,
                f"{name} publishes no DKIM key: mail signed with this selector fails DKIM.",
                "error",
            )
        )
        return
    key = _best_key(records)
    if isinstance(key, DKIMSyntaxError):
        result.summary = "unreadable key"
        result.findings.append(
            Finding(
                "dkim-key-invalid",
                name,
                f"The DKIM key at {name} cannot be used: {key}.",
                "error",
            )
        )
        return
    result.facts = {"key_type": key.key_type, "bits": key.bits}
    if key.revoked:
        result.summary = "revoked key"
        result.findings.append(
            Finding(
                "dkim-key-revoked",
                name,
                f"The DKIM key at {name} is revoked (empty p=).",
                "error",
            )
        )
        return
    result.summary = f"{key.key_type.upper()} key, {key.bits} bits"
    if key.key_type == "rsa" and key.bits is not None and key.bits < MIN_RSA_BITS:
        result.findings.append(
            Finding(
                "dkim-key-too-short",
                name,
                f"The RSA key at {name} has {key.bits} bits; verifiers reject keys under "
                f"{MIN_RSA_BITS}.",
                "error",
            )
        )
    elif key.errors:
        result.findings.append(
            Finding(
                "dkim-key-invalid",
                name,
                f"The DKIM key at {name} cannot be used: {key.errors[0]}.",
                "error",
            )
        )
    elif key.key_type == "rsa" and key.bits is not None and key.bits < RECOMMENDED_RSA_BITS:
        result.findings.append(
            Finding(
                "dkim-key-short",
                name,
                f"The RSA key at {name} has {key.bits} bits; {RECOMMENDED_RSA_BITS} are "
                "recommended.",
                "notice",
            )
        )


async def _check_return_path(resolver: Resolver, result: TargetResult) -> None:
    name = result.target.name
    answer = await resolver.query(name, "TXT")
    if answer.is_retryable:
        _failed(result, answer)
        return
    if answer.status == "nxdomain":
        _nxdomain(result, "customers' bounce domains pointing at it have no SPF record.")
        return
    if not any(is_spf_record(text) for text in answer.records):
        result.summary = "no SPF record"
        result.findings.append(
            Finding(
                "return-path-no-spf",
                name,
                f"{name} publishes no SPF record: customers' bounce domains that point at it "
                "cannot pass SPF.",
                "warning",
            )
        )
        return
    tree = await spf_tree(resolver, name)
    result.facts = {"lookups": tree.lookups, "void_lookups": tree.void_lookups}
    result.summary = f"SPF record, {tree.lookups} DNS lookup{'s' if tree.lookups != 1 else ''}"
    # The bounce domain's SPF check starts here: every limit counts from this record.
    _spf_tree_findings(result, tree.errors, reported_apart=frozenset())


async def _check_host(resolver: Resolver, result: TargetResult) -> None:
    """An MX or NS host, or another CNAME target: it must have an address."""
    name = result.target.name
    answers = await asyncio.gather(resolver.query(name, "A"), resolver.query(name, "AAAA"))
    if any(answer.status == "nxdomain" for answer in answers):
        _nxdomain(result, f"customers' {_USE[result.target.kind]} pointing at it do not work.")
        return
    addresses = [record for answer in answers if answer.ok for record in answer.records]
    if addresses:
        result.facts = {"addresses": len(addresses)}
        result.summary = f"{len(addresses)} address{'es' if len(addresses) != 1 else ''}"
        return
    failed = [answer for answer in answers if answer.is_retryable]
    if failed:
        _failed(result, failed[0])
        return
    result.summary = "no address"
    result.findings.append(
        Finding(
            "host-no-address",
            name,
            f"{name} exists but has no IPv4 or IPv6 address: customers' "
            f"{_USE[result.target.kind]} pointing at it do not work.",
            "error",
        )
    )


_USE: dict[str, str] = {"mx": "MX records", "ns": "delegations", "host": "CNAME records"}
_CHECKS = {
    "spf-include": _check_spf_include,
    "dkim": _check_dkim,
    "return-path": _check_return_path,
    "mx": _check_host,
    "ns": _check_host,
    "host": _check_host,
}


async def check_targets(resolver: Resolver, targets: Iterable[Target], *, skipped: int = 0):
    """Resolve every target concurrently (one resolver: its budgets bound the whole run)."""
    results = [TargetResult(target) for target in targets]
    await asyncio.gather(*(_CHECKS[r.target.kind](resolver, r) for r in results))
    return DriftReport(results, skipped, resolver.stats.to_dict())


async def check_records(resolver: Resolver, records: Iterable[Mapping[str, Any]]) -> DriftReport:
    """`check_targets` for the fixed targets of catalog-form records."""
    targets, skipped = targets_from_records(records)
    return await check_targets(resolver, targets, skipped=skipped)
