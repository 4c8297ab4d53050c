"""A vendor check from the domain alone: account values found in DNS, and what stays untested.

The first round of `check_domain` tests every record it can (fixed values,
catalog patterns). This module then reads the per-account values those
records revealed (SendGrid's `s1.domainkey.{mail_target}` CNAME gives
`mail_target`), tries the catalog's `known_selectors` where the selector is a
parameter, re-tests the records the new values complete, and says of every
record still out of reach which value it needs and where the customer finds
it (the parameter's `help`). Lookups of the second round are mostly cached.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .fixes import normal_name
from .requirements import Expanded, RequirementResult, SPFReaches, evaluate, expand
from .specs import MethodSpec, Parameter

if TYPE_CHECKING:
    from .dns import Resolver

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Discovery:
    """What the second round found: final results, values read from DNS, and a summary."""

    results: list[RequirementResult]
    inferred: dict[str, str]
    found: list[dict[str, Any]]


def infer_params(
    items: Sequence[Expanded],
    results: Sequence[RequirementResult],
    domain: str,
    params: Mapping[str, str],
) -> dict[str, str]:
    """Per-account values read back from records that matched their pattern."""
    inferred: dict[str, str] = {}
    for item, result in zip(items, results, strict=True):
        if result.status not in ("pass", "warn") or not item.spec.value:
            continue
        names = [n for n in _PLACEHOLDER.findall(item.spec.value) if n != "domain"]
        if not names or all(n in params for n in names):
            continue
        target = _first_target(result, item.spec.type)
        if target is None:
            continue
        values = _read_template(item.spec.value, target, {**params, "domain": domain})
        for name, value in (values or {}).items():
            if name not in params:
                inferred.setdefault(name, value)
    return inferred


def _first_target(result: RequirementResult, rtype: str) -> str | None:
    prefix = f"{rtype} " if rtype in ("CNAME", "MX", "NS") else "CNAME "
    for text in result.observed:
        if text.startswith(prefix):
            return normal_name(text[len(prefix) :].split()[-1])
    return None


def _read_template(template: str, text: str, known: Mapping[str, str]) -> dict[str, str] | None:
    """The values of a template's unknown placeholders in `text`, or None if it does not fit."""
    pattern, names = "", []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        pattern += re.escape(template[position : match.start()].lower())
        name = match.group(1)
        if name in known:
            pattern += re.escape(known[name].lower())
        elif name in names:
            pattern += f"(?P={name})"
        else:
            names.append(name)
            pattern += f"(?P<{name}>[a-z0-9_.-]+?)"
        position = match.end()
    pattern += re.escape(template[position:].lower().rstrip("."))
    found = re.fullmatch(pattern, text.lower())
    return {name: found.group(name) for name in names} if found else None


async def discover(
    resolver: Resolver,
    *,
    method: MethodSpec,
    items: list[Expanded],
    results: list[RequirementResult],
    domain: str,
    params: Mapping[str, str],
    spf_reaches: SPFReaches,
) -> Discovery:
    """Complete the first round: inferred values, known selectors, then what stays untested."""
    inferred = infer_params(items, results, domain, params)
    values = {**params, **inferred}
    retests: dict[int, list[Expanded]] = {}
    for index, item in enumerate(items):
        if not item.missing:
            continue
        again = expand(item.spec, domain, values)
        candidates = _selector_candidates(again, domain, values)
        if candidates:
            retests[index] = candidates
        elif len(again.missing) < len(item.missing) and again.host is not None:
            retests[index] = [again]
        elif again.value != item.value:
            items[index] = again  # the expected value is now known, the host still is not
    final = list(results)
    if retests:
        order = list(retests)

        async def each(candidates: list[Expanded]) -> list[RequirementResult]:
            return await asyncio.gather(
                *(evaluate(resolver, c, spf_reaches=spf_reaches) for c in candidates)
            )

        rounds = await asyncio.gather(*(each(retests[i]) for i in order))
        for index, outcomes in zip(order, rounds, strict=True):
            best = next((r for r in outcomes if r.status == "pass"), None)
            if best is not None or len(outcomes) == 1:
                chosen = best or outcomes[0]
                final[index] = chosen
                position = outcomes.index(chosen)
                items[index] = retests[index][position]
                if chosen.selector and chosen.status == "pass":
                    for name in _PLACEHOLDER.findall(items[index].spec.selector or ""):
                        if name not in values:
                            inferred[name] = chosen.selector
    by_name = {p.name: p for p in method.parameters}
    final = [
        _explain_untested(item, result, by_name, domain)
        for item, result in zip(items, final, strict=True)
    ]
    return Discovery(final, inferred, found_summary(final, inferred))


def _selector_candidates(item: Expanded, domain: str, values: Mapping[str, str]) -> list[Expanded]:
    """The record filled in with each known selector, when its selector is the missing value."""
    spec = item.spec
    names = _PLACEHOLDER.findall(spec.selector or "")
    if not spec.known_selectors or spec.selector != "{" + (names[0] if names else "") + "}":
        return []
    name = names[0]
    if name in values or item.missing != (name,):
        return []
    return [expand(spec, domain, {**values, name: selector}) for selector in spec.known_selectors]


def _explain_untested(
    item: Expanded,
    result: RequirementResult,
    parameters: Mapping[str, Parameter],
    domain: str,
) -> RequirementResult:
    """A record that could not be tested says which value it needs and where to find it."""
    tested = item.host is not None and not result.message.startswith("not checked")
    if not item.missing or result.status != "warn" or result.observed or tested:
        return result
    needs = []
    for name in item.missing:
        parameter = parameters.get(name)
        label = (parameter.label or name) if parameter else name
        needs.append((name, label, parameter.help if parameter else ""))
    wanted = " and ".join(label for _name, label, _help in needs)
    where = " ".join(help_text for _n, _l, help_text in needs if help_text)
    known = f" Its value is {item.value}." if item.value else ""
    name = item.host or item.spec.host.replace("{domain}", domain)
    for missing, label, _help in needs:
        name = name.replace("{" + missing + "}", f"<{label}>")
    message = (
        f"could not be tested: {name} needs your account's {wanted}, which DNS does not "
        f"reveal.{known}" + (f" {where}" if where else "")
    )
    expected = result.expected
    if item.value and not item.value.startswith("include:"):
        expected = f"{item.spec.type} {item.value}"
    return replace(result, status="warn", message=message, untested=tuple(needs), expected=expected)


def found_summary(
    results: Sequence[RequirementResult], inferred: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The vendor records found by pattern or fixed value, grouped by record type and target."""
    groups: dict[tuple[str, str], list[str]] = {}
    for result in results:
        if result.status not in ("pass", "warn") or result.untested:
            continue
        target = None
        for text in result.observed:
            if text.startswith("CNAME "):
                target = normal_name(text[len("CNAME ") :])
                break
        if target is None:
            continue
        label = result.selector or (result.host or "").split(".")[0]
        shown = _account_part(target, inferred)
        groups.setdefault(("CNAME", shown), []).append(label)
    return [
        {"type": rtype, "labels": labels, "target": target}
        for (rtype, target), labels in groups.items()
    ]


def _account_part(target: str, inferred: Mapping[str, str]) -> str:
    """The per-account value a target ends in, when one was read from DNS, else the target."""
    for value in sorted(inferred.values(), key=len, reverse=True):
        if target == value or target.endswith("." + value):
            return value
    return target
