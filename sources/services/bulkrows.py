"""Per-row vendors and parameters of a bulk check, and the input columns echoed back.

A bulk CSV with a header may carry, besides the domain column, a `vendor` column (slug,
name or alias), a `method` column (a method kind) and one column per parameter, headed
with the parameter's name or `param_<name>` (the web form's field names). A row without
a vendor uses the bulk's own vendor (or none: the domain is checked on its own). Every
column but the domain is also echoed back, in input order, in the results.

Rows are grouped by their setup (vendor, method and parameters), each group cleaned
once with `check_input_clean`, so a file of 5,000 rows for three vendors looks three
vendors up. A row whose vendor or parameters cannot be used is reported as an invalid
row with the reason, like a row that is not a domain.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sources.catalogknowledge import CatalogKnowledge
from sources.checker import UnknownMethod, pick_method
from sources.services.checks import (
    CheckInput,
    CheckInputError,
    UnknownVendor,
    check_input_clean,
    vendor_lookup_data,
)

VENDOR_COLUMN = "vendor"
METHOD_COLUMN = "method"
PARAM_PREFIX = "param_"


@dataclass
class RowGroup:
    """Rows that share one setup, ready to run."""

    check: CheckInput
    rows: list[tuple[int, str]] = field(default_factory=list)  # (line, domain)


def row_cells(entry: Sequence[Any]) -> list[list[str]]:
    """The [column, value] pairs a stored domain entry ([line, domain, extras]) carries."""
    extras = entry[2] if len(entry) > 2 and isinstance(entry[2], Mapping) else {}
    return [list(pair) for pair in extras.get("cells") or ()]


def row_key(cells: Iterable[Sequence[str]]) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """The setup a row asks for: (vendor text, method, candidate parameters)."""
    vendor = method = ""
    params: list[tuple[str, str]] = []
    for name, value in cells:
        name, value = name.strip().lower(), value.strip()
        if name == VENDOR_COLUMN:
            vendor = value
        elif name == METHOD_COLUMN:
            method = value
        elif value:
            params.append((name.removeprefix(PARAM_PREFIX), value))
    return vendor, method, tuple(params)


def bulk_row_groups(
    entries: Iterable[Sequence[Any]], default: CheckInput
) -> tuple[list[RowGroup], list[dict[str, Any]]]:
    """Group stored domain entries by setup; rows whose setup cannot run are returned as
    invalid rows ({line, text, error})."""
    groups: dict[tuple, RowGroup | str] = {}
    invalid: list[dict[str, Any]] = []
    for entry in entries:
        line, domain = int(entry[0]), str(entry[1])
        key = row_key(row_cells(entry))
        if key not in groups:
            groups[key] = _clean(key, default)
        group = groups[key]
        if isinstance(group, str):
            invalid.append({"line": line, "text": domain, "error": group})
        else:
            group.rows.append((line, domain))
    return [group for group in groups.values() if isinstance(group, RowGroup)], invalid


def _clean(key: tuple, default: CheckInput) -> RowGroup | str:
    vendor_text, method, candidates = key
    if not vendor_text and not method:
        # The bulk's own vendor; the row may only give its parameters.
        params = _parameters_of(default.method, candidates)
        if not params:
            return RowGroup(default)
        vendor, method, params = default.vendor, default.method_kind, {**default.params, **params}
    else:
        vendor = default.vendor
        if vendor_text:
            try:
                vendor = vendor_lookup_data(vendor_text)
            except UnknownVendor as exc:
                return f"vendor: {exc}"
        try:
            spec = pick_method(vendor, method or None)
        except UnknownMethod as exc:
            return f"method: {exc}"
        # The columns that are parameters of the row's method are its parameters; the
        # others are only echoed back.
        params = _parameters_of(spec, candidates)
    try:
        return RowGroup(
            check_input_clean(domain=None, vendor=vendor, method=method or None, params=params)
        )
    except CheckInputError as exc:
        return exc.first_message()


def _parameters_of(method: Any, candidates: Iterable[tuple[str, str]]) -> dict[str, str]:
    names = {parameter.name for parameter in (method.parameters if method else ())}
    return {name: value for name, value in candidates if name in names}


async def group_reports(
    groups: list[RowGroup],
    catalog: CatalogKnowledge | None,
    reports: Callable[..., AsyncIterator[dict[str, Any]]],
) -> AsyncIterator[tuple[CheckInput, dict[str, Any]]]:
    """Each group's reports in turn (`reports` is bulkchecks.bulk_reports), with its input."""
    for group in groups:
        found = reports(
            group.check,
            [domain for _, domain in group.rows],
            catalog=catalog if group.check.vendor is None else None,
        )
        try:
            async for data in found:
                yield group.check, data
        finally:
            await found.aclose()
