"""Record requirements as data: the catalog's method shape, parameters and template expansion.

The shape follows sources/catalog/FORMAT.md; `MethodSpec.from_dict` reads a
method as it comes from a catalog file or the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class InvalidParameter(ValueError):
    """A customer-supplied parameter does not match its pattern; `name` says which."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


@dataclass(frozen=True)
class Parameter:
    """A customer-specific value used in templates."""

    name: str
    pattern: str | None = None
    required: bool = True
    label: str = ""


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
            )
            for item in data.get("records", ()) or ()
        )
        return cls(str(data.get("kind", "")), str(data.get("title", "")), parameters, records)


def validate_parameters(method: MethodSpec, params: Mapping[str, str]) -> dict[str, str]:
    """Check supplied values against the method's patterns; return the cleaned values.

    Unknown names are ignored; missing values are allowed here (the records
    that need them are reported as warnings).
    """
    cleaned: dict[str, str] = {}
    for parameter in method.parameters:
        value = str(params.get(parameter.name) or "").strip()
        if not value:
            continue
        if parameter.pattern and not _fullmatch(parameter.pattern, value):
            label = parameter.label or parameter.name
            raise InvalidParameter(parameter.name, f"'{value}' is not a valid {label}")
        cleaned[parameter.name] = value
    return cleaned


def _fullmatch(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
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
    return Expanded(spec, host, value, selector, tuple(missing))


def _name(text: str) -> str:
    return text.strip().rstrip(".").lower()
