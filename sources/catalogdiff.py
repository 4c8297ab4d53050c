"""Field-by-field differences between two vendor entries in catalog-file form.

Pure Python: used for the moderators' review and the changes stored with each
revision. Only real changes count: text is compared as stored (line endings and
trailing spaces normalised), rows (links, methods, parameters, records) are matched
by what identifies them rather than by position, and a row added or removed is one
change, not one per field.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sources.catalogfile import normalise_text

VENDOR_LABELS = {
    "slug": "Slug",
    "name": "Name",
    "aliases": "Aliases",
    "website": "Website",
    "categories": "Categories",
    "summary": "Summary",
    "description": "Description",
    "last_verified": "Last verified",
    "published": "Published",
    "undocumented": "Not documented by the vendor",
    "no_compliant_option": "No DMARC-aligned option",
    "no_compliant_explanation": "Why there is no aligned option",
    "related": "Related entries",
}
DOC_LABELS = {"title": "Title", "url": "URL"}
METHOD_LABELS = {
    "kind": "Kind",
    "title": "Title",
    "recommended": "Recommended",
    "order": "Position",
    "sources": "Sources",
    "evidence": "Evidence",
    "aligns": "Aligns",
    "steps": "Steps",
}
PARAMETER_LABELS = {
    "name": "Name",
    "label": "Label",
    "help": "Help",
    "pattern": "Pattern",
    "example": "Example",
    "required": "Required",
}
RECORD_LABELS = {
    "id": "Id",
    "type": "Type",
    "host": "Host",
    "value": "Value",
    "check": "Check",
    "pattern": "Pattern",
    "purpose": "Purpose",
    "selector": "Selector",
    "priority": "Priority",
    "required": "Required",
    "note": "Note",
    "known_selectors": "Known selectors",
    "sources": "Sources",
    "evidence": "Evidence",
}
NOT_ALIGNED_LABELS = {
    "route": "Route",
    "note": "Note",
    "sources": "Sources",
    "evidence": "Evidence",
}
# Texts longer than this (or on several lines) are compared word by word on the page.
LONG_TEXT = 80
# A word or a punctuation mark with the spaces after it, or leading spaces.
_WORDS = re.compile(r"(?:\w+|[^\w\s])\s*|\s+")


@dataclass(frozen=True)
class FieldChange:
    path: str  # e.g. "methods[0].records[1].host"
    label: str  # e.g. "Method 1 › Record bounce › Host"
    old: str | None  # None when the field did not exist before
    new: str | None  # None when the field is gone

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"

    @property
    def is_real(self) -> bool:
        """False for a change of line endings or spacing only (stored before they were
        normalised)."""
        return self.old is None or self.new is None or not _same_text(self.old, self.new)

    @property
    def word_level(self) -> bool:
        """Whether the page marks the changed words rather than the whole values."""
        if not self.old or not self.new:
            return False
        return any(len(t) > LONG_TEXT or "\n" in t for t in (self.old, self.new))

    @property
    def old_parts(self) -> list[tuple[bool, str]]:
        """The old text as (removed?, text) runs, word by word."""
        return word_diff(self.old or "", self.new or "")[0]

    @property
    def new_parts(self) -> list[tuple[bool, str]]:
        """The new text as (inserted?, text) runs, word by word."""
        return word_diff(self.old or "", self.new or "")[1]

    def to_dict(self) -> dict:
        return asdict(self)


def _same_text(old: str, new: str) -> bool:
    return normalise_text(old) == normalise_text(new)


def real_changes(changes: Iterable[dict]) -> list[FieldChange]:
    """Stored changes as FieldChanges, without those that only changed spacing."""
    return [c for c in (FieldChange(**item) for item in changes) if c.is_real]


def word_diff(old: str, new: str) -> tuple[list[tuple[bool, str]], list[tuple[bool, str]]]:
    """Both texts cut into runs of words, each run marked when it is not in the other.

    Words and punctuation are compared without the spaces after them, so a changed
    line break or a comma moved does not drag its neighbours into the highlight.
    """
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    matcher = difflib.SequenceMatcher(
        None, [t.strip() for t in a], [t.strip() for t in b], autojunk=False
    )
    old_runs: list[tuple[bool, str]] = []
    new_runs: list[tuple[bool, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        _extend(old_runs, op != "equal", "".join(a[i1:i2]))
        _extend(new_runs, op != "equal", "".join(b[j1:j2]))
    return old_runs, new_runs


def _extend(runs: list[tuple[bool, str]], marked: bool, text: str) -> None:
    if not text:
        return
    pieces = [(marked, text)]
    if marked and text != text.rstrip():
        # The spaces after a changed word are not part of the change.
        body = text.rstrip()
        pieces = [(True, body), (False, text[len(body) :])] if body else [(False, text)]
    for flag, piece in pieces:
        if runs and runs[-1][0] == flag:
            runs[-1] = (flag, runs[-1][1] + piece)
        else:
            runs.append((flag, piece))


def display(value: Any) -> str:
    """A field value as text: lists one item a line, booleans as yes/no, text normalised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "\n".join(display(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {display(v)}" for k, v in value.items() if display(v))
    return normalise_text(str(value))


def flatten(data: dict) -> dict[str, tuple[str, str]]:
    """Every leaf field of an entry: {path: (label, text)}, in reading order."""
    out: dict[str, tuple[str, str]] = {}
    for key, label in VENDOR_LABELS.items():
        if key in data:
            out[key] = (label, display(data[key]))
    for i, doc in enumerate(data.get("documentation") or []):
        for key, label in DOC_LABELS.items():
            out[f"documentation[{i}].{key}"] = (
                f"Documentation link {i + 1} › {label}",
                display(doc.get(key)),
            )
    for i, method in enumerate(data.get("methods") or []):
        head = f"Method {i + 1}"
        for key, label in METHOD_LABELS.items():
            out[f"methods[{i}].{key}"] = (f"{head} › {label}", display(method.get(key)))
        for j, param in enumerate(method.get("parameters") or []):
            for key, label in PARAMETER_LABELS.items():
                out[f"methods[{i}].parameters[{j}].{key}"] = (
                    f"{head} › Parameter {param.get('name') or j + 1} › {label}",
                    display(param.get(key)),
                )
        for j, record in enumerate(method.get("records") or []):
            for key, label in RECORD_LABELS.items():
                out[f"methods[{i}].records[{j}].{key}"] = (
                    f"{head} › Record {record.get('id') or j + 1} › {label}",
                    display(record.get(key)),
                )
    for i, item in enumerate(data.get("not_aligned") or []):
        for key, label in NOT_ALIGNED_LABELS.items():
            out[f"not_aligned[{i}].{key}"] = (
                f"Not aligned {i + 1} › {label}",
                display(item.get(key)),
            )
    return out


def diff_entries(old: dict | None, new: dict) -> list[FieldChange]:
    """What changed from `old` to `new` (everything is new when `old` is None)."""
    if old is None:
        return [
            FieldChange(path, label, None, text)
            for path, (label, text) in flatten(new).items()
            if text
        ]
    changes = _fields(old, new, VENDOR_LABELS, path="", head="")
    changes += _rows(
        old.get("documentation"),
        new.get("documentation"),
        keys=[lambda d: d.get("url"), lambda d: d.get("title")],
        path="documentation",
        head=lambda i, d: f"Documentation link {i + 1}",
        compare=lambda a, b, path, head: _fields(a, b, DOC_LABELS, path=path, head=head),
        labels=DOC_LABELS,
    )
    changes += _rows(
        old.get("methods"),
        new.get("methods"),
        keys=[lambda m: (m.get("kind"), m.get("title")), lambda m: m.get("kind")],
        path="methods",
        head=lambda i, m: f"Method {i + 1}",
        compare=_method_changes,
        labels=METHOD_LABELS,
    )
    changes += _rows(
        old.get("not_aligned"),
        new.get("not_aligned"),
        keys=[lambda n: (n.get("route"), display(n.get("note"))), lambda n: n.get("route")],
        path="not_aligned",
        head=lambda i, n: f"Not aligned {i + 1}",
        compare=lambda a, b, path, head: _fields(a, b, NOT_ALIGNED_LABELS, path=path, head=head),
        labels=NOT_ALIGNED_LABELS,
    )
    return changes


def _label(head: str, label: str) -> str:
    return f"{head} › {label}" if head else label


def _fields(old: dict, new: dict, labels: dict[str, str], *, path: str, head: str) -> list:
    changes = []
    for key, label in labels.items():
        before, after = display(old.get(key)), display(new.get(key))
        # An empty optional field that appears or disappears is not a change worth showing.
        if before == after or (not before and not after):
            continue
        where = f"{path}.{key}" if path else key
        changes.append(FieldChange(where, _label(head, label), before, after))
    return changes


def _method_changes(old: dict, new: dict, path: str, head: str) -> list[FieldChange]:
    changes = _fields(old, new, METHOD_LABELS, path=path, head=head)
    changes += _rows(
        old.get("parameters"),
        new.get("parameters"),
        keys=[lambda p: p.get("name")],
        path=f"{path}.parameters",
        head=lambda i, p: f"{head} › Parameter {p.get('name') or i + 1}",
        compare=lambda a, b, p, h: _fields(a, b, PARAMETER_LABELS, path=p, head=h),
        labels=PARAMETER_LABELS,
    )
    changes += _rows(
        old.get("records"),
        new.get("records"),
        keys=[lambda r: r.get("id"), lambda r: (r.get("type"), r.get("host"))],
        path=f"{path}.records",
        head=lambda i, r: f"{head} › Record {r.get('id') or i + 1}",
        compare=lambda a, b, p, h: _fields(a, b, RECORD_LABELS, path=p, head=h),
        labels=RECORD_LABELS,
    )
    return changes


def _summary(row: dict, labels: dict[str, str]) -> str:
    """A whole row as text, one "Label: value" line per filled field (with its records)."""
    lines = [
        f"{label}: {display(row.get(key))}"
        for key, label in labels.items()
        if display(row.get(key))
    ]
    for record in row.get("records") or []:
        value = f" → {record.get('value')}" if record.get("value") else ""
        lines.append(f"Record {record.get('id')}: {record.get('type')} {record.get('host')}{value}")
    return "\n".join(lines)


def _rows(
    old_rows: list | None,
    new_rows: list | None,
    *,
    keys: list[Callable[[dict], Any]],
    path: str,
    head: Callable[[int, dict], str],
    compare: Callable[[dict, dict, str, str], list[FieldChange]],
    labels: dict[str, str],
) -> list[FieldChange]:
    """Changes between two lists of rows: pairs compared field by field, rows without a
    partner reported whole, as added or removed."""
    old_rows, new_rows = list(old_rows or []), list(new_rows or [])
    partner = _match(old_rows, new_rows, keys)
    changes: list[FieldChange] = []
    for j, row in enumerate(new_rows):
        i = partner.get(j)
        if i is None:
            changes.append(FieldChange(f"{path}[{j}]", head(j, row), None, _summary(row, labels)))
        else:
            changes += compare(old_rows[i], row, f"{path}[{j}]", head(j, row))
    matched = set(partner.values())
    for i, row in enumerate(old_rows):
        if i not in matched:
            changes.append(FieldChange(f"{path}[{i}]", head(i, row), _summary(row, labels), None))
    return changes


def _match(old_rows: list[dict], new_rows: list[dict], keys) -> dict[int, int]:
    """{new index: old index}: each new row's partner, by the first key that pairs them.

    Position is never a key: a record inserted first is one record added, not every
    record after it changed field by field.
    """
    partner: dict[int, int] = {}
    for key in keys:
        free = {}
        for i, row in enumerate(old_rows):
            if i not in partner.values():
                free.setdefault(key(row), []).append(i)
        for j, row in enumerate(new_rows):
            if j in partner:
                continue
            candidates = free.get(key(row))
            if candidates:
                partner[j] = candidates.pop(0)
    return partner
