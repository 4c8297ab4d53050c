"""Record requirements as data: the catalog's method shape, parameters and template expansion.

The shape follows sources/catalog/FORMAT.md; `MethodSpec.from_dict` reads a
method as it comes from a catalog file or the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from . import userpatterns

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


MAX_PARAMETER_LENGTH = 255


class InvalidParameter(ValueError):
    """Customer-supplied parameters that cannot be used; `errors` maps each name to its problem.

    `name` and `reason` are the first problem (for one-line messages).
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        self.name, self.reason = next(iter(self.errors.items()))
        super().__init__(f"{self.name}: {self.reason}")


@dataclass(frozen=True)
class Parameter:
    """A customer-specific value used in templates."""

    name: str
    pattern: str | None = None
    required: bool = True
    label: str = ""
    help: str = ""  # where the customer finds the value (shown when a record cannot be tested)


@dataclass(frozen=True)
class RecordSpec:
    """One record requirement of a setup method."""

    id: str
    type: str
    host: str
    value: str = ""
    check: str = "equals"
    purpose: str = "verification"
    pattern: str | None = None
    selector: str | None = None
    priority: int | None = None
    required: bool = True
    note: str = ""
    known_selectors: tuple[str, ...] = ()  # selector names to try when the selector is a parameter


@dataclass(frozen=True)
class MethodSpec:
    """A setup method: its kind, parameters and record requirements."""

    kind: str
    title: str = ""
    parameters: tuple[Parameter, ...] = ()
    records: tuple[RecordSpec, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MethodSpec:
        """Build from a catalog-shaped dict (as read from TOML or the database)."""
        parameters = tuple(
            Parameter(
                name=str(item["name"]),
                pattern=item.get("pattern") or None,
                required=bool(item.get("required", True)),
                label=str(item.get("label", "")),
                help=str(item.get("help", "") or ""),
            )
            for item in data.get("parameters", ()) or ()
        )
        records = tuple(
            RecordSpec(
                id=str(item["id"]),
                type=str(item["type"]).upper(),
                host=str(item["host"]),
                value=str(item.get("value", "") or ""),
                check=str(item.get("check", "equals")),
                purpose=str(item.get("purpose", "verification")),
                pattern=item.get("pattern") or None,
                selector=item.get("selector") or None,
                priority=item.get("priority"),
                required=bool(item.get("required", True)),
                note=str(item.get("note", "") or ""),
                known_selectors=tuple(str(s) for s in item.get("known_selectors") or ()),
            )
            for item in data.get("records", ()) or ()
        )
        return cls(str(data.get("kind", "")), str(data.get("title", "")), parameters, records)


def validate_parameters(method: MethodSpec, params: Mapping[str, str]) -> dict[str, str]:
    """The supplied values, stripped; InvalidParameter names every value that cannot be used.

    The rules (one message each): a name the method does not take, a value
    over MAX_PARAMETER_LENGTH characters, a value holding a character that is
    not printable, a value that does not match its pattern. Any value may be
    left out, `required` ones included: a check needs nothing beyond the
    domain and the vendor. The records that need a missing value are tested
    by their pattern, completed from values other records reveal, or reported
    as untested with where to find the value (see discovery.py).
    """
    errors: dict[str, str] = {}
    known = {p.name for p in method.parameters}
    for name in params:
        if name not in known:
            listed = ", ".join(sorted(known)) or "none"
            errors[name] = f"not a parameter of this setup method (it takes: {listed})"
    cleaned: dict[str, str] = {}
    for parameter in method.parameters:
        value = str(params.get(parameter.name) or "").strip()
        label = parameter.label or parameter.name
        if not value:
            continue
        if len(value) > MAX_PARAMETER_LENGTH:
            errors[parameter.name] = f"at most {MAX_PARAMETER_LENGTH} characters"
            continue
        if not value.isprintable():
            # A NUL, a control character or a lone surrogate: no DNS label or
            # database text holds one (PostgreSQL refuses NUL outright).
            errors[parameter.name] = f"{label} contains a character that is not printable"
            continue
        if parameter.pattern and not _fullmatch(parameter.pattern, value):
            errors[parameter.name] = f"'{value}' is not a valid {label}"
            continue
        cleaned[parameter.name] = value
    if errors:
        raise InvalidParameter(errors)
    return cleaned


def _fullmatch(pattern: str, value: str) -> bool:
    try:
        return userpatterns.fullmatch(pattern, value)
    except userpatterns.PatternError:
        return True  # a broken catalog pattern must not block the customer's check


@dataclass(frozen=True)
class Expanded:
    """A requirement with its templates filled in as far as the parameters allow."""

    spec: RecordSpec
    host: str | None
    value: str | None
    selector: str | None
    missing: tuple[str, ...]  # parameters the host, value or selector still needs


def expand(spec: RecordSpec, domain: str, params: Mapping[str, str]) -> Expanded:
    """Fill `{domain}` and parameters into host, value and selector."""
    values = {**params, "domain": domain}
    missing: list[str] = []

    def fill(template: str | None) -> str | None:
        if template is None:
            return None
        names = _PLACEHOLDER.findall(template)
        absent = [name for name in names if name not in values]
        if absent:
            missing.extend(name for name in absent if name not in missing)
            return None
        return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)

    host = fill(spec.host)
    value = fill(spec.value) if spec.value else ""
    selector = fill(spec.selector)
    host = _name(host) if host else host
    if spec.pattern and "\\{" in spec.pattern:
        spec = replace(spec, pattern=derived_pattern(spec.pattern, domain))
    return Expanded(spec, host, value, selector, tuple(missing))


def derived_values(domain: str) -> dict[str, str]:
    """Values a record can take from the domain itself, never typed by the customer.

    `domain_dashes` is the domain with dots as dashes: Microsoft 365 names its
    DKIM targets selector1-<domain-with-dashes>._domainkey.<tenant>....
    """
    return {"domain": domain, "domain_dashes": domain.replace(".", "-")}


# Written with escaped braces (\{domain_dashes\}) so that a pattern is a valid regular
# expression as it stands (literal braces) for the catalog's own checks.
_DERIVED = re.compile(r"\\\{([a-z_]+)\\\}")


def derived_pattern(pattern: str, domain: str) -> str:
    r"""A record pattern with \{domain\} and \{domain_dashes\} filled in (escaped)."""
    values = derived_values(domain)
    return _DERIVED.sub(
        lambda match: (
            re.escape(values[match.group(1)]) if match.group(1) in values else match.group(0)
        ),
        pattern,
    )


def _name(text: str) -> str:
    return text.strip().rstrip(".").lower()
