"""A vendor's record requirements (sources/catalog/FORMAT.md) evaluated against DNS.

The input is plain data shaped like a method of a catalog file; nothing here
knows about Django or the database. Each record requirement gets a status
(pass, fail, warn, error), what was expected, what was observed, and the
exact zone-file line that would fix it. A lookup that failed is an `error`,
never a `fail`: nobody should be told to add a record that may already exist.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from . import userpatterns
from .dkim import DKIMSelectorResult, shared_lookup_dkim
from .fixes import include_target, normal_name, spf_with_include, zone_line
from .specs import (
    Expanded,
    InvalidParameter,
    MethodSpec,
    Parameter,
    RecordSpec,
    expand,
    validate_parameters,
)

if TYPE_CHECKING:
    from .dns import Answer, Resolver

__all__ = [
    "Expanded",
    "InvalidParameter",
    "MethodSpec",
    "Parameter",
    "RecordSpec",
    "RequirementResult",
    "SPFInclusion",
    "dkim_domain",
    "evaluate",
    "expand",
    "spf_with_include",
    "validate_parameters",
    "zone_line",
]

Status = Literal["pass", "fail", "warn", "error"]
SPFReaches = Callable[["Resolver", str, str], Awaitable["SPFInclusion"]]


@dataclass(frozen=True)
class RequirementResult:
    """The outcome for one record requirement."""

    id: str
    purpose: str
    type: str
    check: str
    required: bool
    status: Status
    host: str | None
    expected: str
    observed: tuple[str, ...] = ()
    fix: str | None = None
    message: str = ""
    selector: str | None = None
    cname_chain: tuple[str, ...] = ()
    dkim: DKIMSelectorResult | None = field(default=None, compare=False)
    # Per-account values this record still needs to be tested: (name, label, help).
    untested: tuple[tuple[str, str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the shape documented in DESIGN.md, plus extras)."""
        return {
            "id": self.id,
            "purpose": self.purpose,
            "status": self.status,
            "expected": self.expected,
            "observed": list(self.observed),
            "fix": self.fix,
            "type": self.type,
            "check": self.check,
            "host": self.host,
            "required": self.required,
            "selector": self.selector,
            "message": self.message,
            "untested": [
                {"name": name, "label": label, "help": help_text}
                for name, label, help_text in self.untested
            ],
        }


@dataclass(frozen=True)
class SPFInclusion:
    """What the SPF check of one host found (filled by an adapter over spf.py)."""

    status: Literal["included", "not-included", "no-record", "invalid", "error"]
    record: str | None = None
    records: tuple[str, ...] = ()
    detail: str = ""
    included: bool = False  # the include is reached, even if the record is broken


async def evaluate(
    resolver: Resolver,
    item: Expanded,
    *,
    spf_reaches: SPFReaches,
) -> RequirementResult:
    """Look up one expanded requirement and judge it."""
    spec = item.spec
    base: dict[str, Any] = {
        "id": spec.id,
        "purpose": spec.purpose,
        "type": spec.type,
        "check": spec.check,
        "required": spec.required,
        "host": item.host,
        "selector": item.selector,
    }
    if item.host is None or (spec.check == "dkim-key" and item.selector is None):
        return RequirementResult(
            status="warn",
            expected=_describe_expected(spec, item),
            message=_supply(item.missing),
            **base,
        )
    if spec.check == "dkim-key":
        return await _check_dkim(resolver, item, base)
    if spec.check == "spf-include":
        return await _check_spf(resolver, item, base, spf_reaches)
    if spec.check == "exists":
        return await _check_exists(resolver, item, base)
    return await _check_equals(resolver, item, base)


def _supply(missing: tuple[str, ...]) -> str:
    names = ", ".join(missing) or "the missing value"
    return f"not checked: supply the parameter {names} to check this record"


def _describe_expected(spec: RecordSpec, item: Expanded) -> str:
    if item.value:
        return f"{spec.type} {item.value}"
    if spec.pattern:
        return f"{spec.type} matching {spec.pattern}"
    if spec.check == "dkim-key":
        return "a valid DKIM key (TXT) after CNAMEs"
    return f"a {spec.type} record"


def _fix(item: Expanded) -> str | None:
    if not item.value or item.host is None:
        return None
    return zone_line(item.host, item.spec.type, item.value, item.spec.priority)


def _failed_lookup(answer: Answer, base: dict[str, Any], expected: str) -> RequirementResult:
    reason = answer.reason or answer.status
    return RequirementResult(
        status="error",
        expected=expected,
        message=(
            f"the lookup of {answer.rdtype} {answer.name} failed ({reason}); this is temporary "
            "and says nothing about whether the record exists: retry"
        ),
        **base,
    )


async def _check_exists(
    resolver: Resolver, item: Expanded, base: dict[str, Any]
) -> RequirementResult:
    spec = item.spec
    assert item.host is not None
    answer = await resolver.query(item.host, spec.type)
    expected = _describe_expected(spec, item)
    if answer.is_retryable:
        return _failed_lookup(answer, base, expected)
    observed = tuple(f"{spec.type} {record}" for record in answer.records)
    if answer.ok:
        return RequirementResult(status="pass", expected=expected, observed=observed, **base)
    return RequirementResult(
        status="fail",
        expected=expected,
        fix=_fix(item),
        message=f"no {spec.type} record at {item.host}",
        **base,
    )


def _matches(expected: str | None, pattern: str | None, observed: str) -> bool:
    if expected:
        return normal_name(expected) == normal_name(observed)
    if pattern:
        try:
            return userpatterns.search(pattern, observed.rstrip("."), ignorecase=True)
        except userpatterns.PatternError:
            return False
    return True


async def _check_equals(
    resolver: Resolver, item: Expanded, base: dict[str, Any]
) -> RequirementResult:
    spec = item.spec
    assert item.host is not None
    expected_text = _describe_expected(spec, item)
    if item.value is None and not spec.pattern:
        return RequirementResult(
            status="warn", expected=expected_text, message=_supply(item.missing), **base
        )
    answer = await resolver.query(item.host, spec.type)
    if answer.is_retryable:
        return _failed_lookup(answer, base, expected_text)
    observed = tuple(f"{spec.type} {record}" for record in answer.records)
    by_pattern = item.value is None
    note = (
        f" (matched the pattern; supply {', '.join(item.missing)} to check the exact value)"
        if by_pattern
        else ""
    )
    if spec.type == "CNAME":
        return await _judge_cname(resolver, item, base, answer, expected_text, note)
    if spec.type == "TXT":
        return _judge_txt(item, base, answer, observed, expected_text)
    # NS and MX: the expected record must be among those published.
    targets = [record.split()[-1] for record in answer.records]
    if any(_matches(_target(item), spec.pattern, target) for target in targets):
        message = "found" + note
        status: Status = "pass"
        if spec.type == "MX" and spec.priority is not None and item.value:
            wanted = _target(item)
            preference = next(
                (r.split()[0] for r in answer.records if normal_name(r.split()[-1]) == wanted), None
            )
            if preference is not None and preference != str(spec.priority):
                status, message = "warn", f"found with priority {preference}, not {spec.priority}"
        return RequirementResult(
            status=status, expected=expected_text, observed=observed, message=message, **base
        )
    where = f"among the {spec.type} records at {item.host}" if observed else f"at {item.host}"
    return RequirementResult(
        status="fail",
        expected=expected_text,
        observed=observed,
        fix=_fix(item),
        message=f"the expected {spec.type} record is not {where}",
        **base,
    )


def _target(item: Expanded) -> str | None:
    """The host name part of an expected NS/MX value ('10 mx.example' -> 'mx.example')."""
    if not item.value:
        return None
    return normal_name(item.value.split()[-1])


async def _judge_cname(
    resolver: Resolver,
    item: Expanded,
    base: dict[str, Any],
    answer: Answer,
    expected_text: str,
    note: str,
) -> RequirementResult:
    spec = item.spec
    assert item.host is not None
    if not answer.ok:
        return RequirementResult(
            status="fail",
            expected=expected_text,
            fix=_fix(item),
            message=f"there is no CNAME record at {item.host}",
            **base,
        )
    first = answer.records[0]
    observed = (f"CNAME {first}",)
    if _matches(item.value, spec.pattern, first):
        return RequirementResult(
            status="pass", expected=expected_text, observed=observed, message="found" + note, **base
        )
    # Some set-ups point at an intermediate name that itself leads to the
    # vendor's; accept the vendor's name anywhere in the chain.
    chained = await resolver.query(item.host, "TXT")
    chain = chained.cname_chain
    if len(chain) > 1:
        observed = (f"CNAME {first}", *(f"then CNAME {name}" for name in chain[1:]))
    if any(_matches(item.value, spec.pattern, name) for name in chain[1:]):
        return RequirementResult(
            status="pass",
            expected=expected_text,
            observed=observed,
            cname_chain=chain,
            message="reaches the expected name through a CNAME chain" + note,
            **base,
        )
    if chained.is_retryable:
        # The rest of the chain is unknown: it may still reach the vendor.
        return _failed_lookup(chained, base, expected_text)
    return RequirementResult(
        status="fail",
        expected=expected_text,
        observed=observed,
        cname_chain=chain,
        fix=_fix(item),
        message=f"{item.host} points to {first}, not to the expected name",
        **base,
    )


def _judge_txt(
    item: Expanded,
    base: dict[str, Any],
    answer: Answer,
    observed: tuple[str, ...],
    expected_text: str,
) -> RequirementResult:
    spec = item.spec
    records = answer.records if answer.ok else ()
    if item.value is None:
        matched = any(_matches(None, spec.pattern, record) for record in records)
        status: Status = "pass" if matched else "fail"
        message = "found (matched the pattern)" if matched else f"no matching TXT at {item.host}"
        return RequirementResult(
            status=status, expected=expected_text, observed=observed, message=message, **base
        )
    if item.value in records:
        return RequirementResult(
            status="pass", expected=expected_text, observed=observed, message="found", **base
        )
    loose = " ".join(item.value.split()).lower()
    if any(" ".join(record.split()).lower() == loose for record in records):
        return RequirementResult(
            status="warn",
            expected=expected_text,
            observed=observed,
            fix=_fix(item),
            message="a TXT record differs from the expected value only in case or spacing",
            **base,
        )
    return RequirementResult(
        status="fail",
        expected=expected_text,
        observed=observed,
        fix=_fix(item),
        message=f"no TXT record at {item.host} has the expected value",
        **base,
    )


def dkim_domain(host: str, selector: str) -> str | None:
    """The signing domain of a selector host: 's1._domainkey.example.com' -> 'example.com'."""
    prefix = f"{selector.lower().rstrip('.')}._domainkey."
    return host[len(prefix) :] if host.startswith(prefix) and len(host) > len(prefix) else None


async def _check_dkim(
    resolver: Resolver, item: Expanded, base: dict[str, Any]
) -> RequirementResult:
    spec = item.spec
    assert item.host is not None and item.selector is not None
    expected_text = _describe_expected(spec, item)
    domain = dkim_domain(item.host, item.selector)
    if domain is None:
        return RequirementResult(
            status="error",
            expected=expected_text,
            message=f"{item.host} is not a name of the form {item.selector}._domainkey.<domain>",
            **base,
        )
    result = await shared_lookup_dkim(resolver, item.selector, domain)
    chain = result.cname_chain
    observed: tuple[str, ...] = tuple(f"CNAME {name}" for name in chain)
    if result.record_text is not None:
        observed = (*observed, f"TXT {result.record_text}")
    common = {"expected": expected_text, "observed": observed, "cname_chain": chain, "dkim": result}
    if result.status == "error":
        return RequirementResult(status="error", message="; ".join(result.errors), **common, **base)
    if result.status != "found":
        return RequirementResult(
            status="fail", fix=_fix(item), message="; ".join(result.errors), **common, **base
        )
    if (
        spec.type == "CNAME"
        and item.value
        and (not chain or normal_name(chain[0]) != normal_name(item.value))
    ):
        shown = chain[0] if chain else "no CNAME (a key published directly)"
        return RequirementResult(
            status="warn",
            fix=_fix(item),
            message=(
                f"a valid key is published, but via {shown} instead of the CNAME the vendor "
                "gives; the vendor cannot rotate this key for you"
            ),
            **common,
            **base,
        )
    message = f"valid {result.key_type} key" + (f" ({result.bits} bits)" if result.bits else "")
    return RequirementResult(status="pass", message=message, **common, **base)


async def _check_spf(
    resolver: Resolver, item: Expanded, base: dict[str, Any], spf_reaches: SPFReaches
) -> RequirementResult:
    assert item.host is not None
    target = include_target(item.value or "")
    expected_text = f"SPF at {item.host} reaching include:{target}" if target else "SPF include"
    if target is None:
        return RequirementResult(
            status="warn",
            expected=expected_text,
            message=_supply(item.missing) if item.missing else "the vendor's include is unknown",
            **base,
        )
    found = await spf_reaches(resolver, item.host, target)
    observed = tuple(f"TXT {record}" for record in found.records)
    if found.status == "error":
        return RequirementResult(
            status="error",
            expected=expected_text,
            observed=observed,
            message=f"{found.detail}; retry, this is not a missing record",
            **base,
        )
    if found.status == "included":
        return RequirementResult(
            status="pass", expected=expected_text, observed=observed, message=found.detail, **base
        )
    if len(found.records) > 1:
        fix = None
        detail = (
            f"{item.host} has {len(found.records)} SPF records, which is a permanent error: "
            f"merge them into one that includes {target}"
        )
    elif found.status == "invalid":
        # Adding a term cannot repair a record that is already a permerror
        # (too many lookups, syntax): the message says what to fix instead.
        fix, detail = None, found.detail
    else:
        fix = zone_line(item.host, "TXT", spf_with_include(found.record, target))
        detail = found.detail or f"the SPF record at {item.host} does not include {target}"
    return RequirementResult(
        status="fail", expected=expected_text, observed=observed, fix=fix, message=detail, **base
    )
