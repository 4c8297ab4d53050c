"""Field-by-field differences between two vendor entries in catalog-file form.

Pure Python: used for the moderators' review and the changes stored with each
revision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

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
}
DOC_LABELS = {"title": "Title", "url": "URL"}
METHOD_LABELS = {
    "kind": "Kind",
    "title": "Title",
    "recommended": "Recommended",
    "order": "Position",
    "sources": "Sources",
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
}


@dataclass(frozen=True)
class FieldChange:
    path: str  # e.g. "methods[0].records[1].host"
    label: str  # e.g. "Method 1 › Record 2 › Host"
    old: str | None  # None when the field did not exist before
    new: str | None  # None when the field is gone

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"

    def to_dict(self) -> dict:
        return asdict(self)


def display(value: Any) -> str:
    """A field value as text: lists one item a line, booleans as yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "\n".join(display(v) for v in value)
    return str(value)


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
                    f"{head} › Parameter {j + 1} › {label}",
                    display(param.get(key)),
                )
        for j, record in enumerate(method.get("records") or []):
            for key, label in RECORD_LABELS.items():
                out[f"methods[{i}].records[{j}].{key}"] = (
                    f"{head} › Record {j + 1} › {label}",
                    display(record.get(key)),
                )
    return out


def diff_entries(old: dict | None, new: dict) -> list[FieldChange]:
    """What changed from `old` to `new` (everything is new when `old` is None)."""
    before = flatten(old) if old is not None else {}
    after = flatten(new)
    changes = []
    for path in _merged_order(list(before), list(after)):
        old_text = before[path][1] if path in before else None
        new_text = after[path][1] if path in after else None
        if old_text == new_text:
            continue
        # An empty optional field that appears or disappears is not a change worth showing.
        if not old_text and not new_text:
            continue
        label = (after.get(path) or before[path])[0]
        changes.append(FieldChange(path, label, old_text, new_text))
    return changes


def _merged_order(first: list[str], second: list[str]) -> list[str]:
    """Paths of both lists, keeping each list's order (new paths after their neighbours)."""
    seen = set(first)
    merged = list(first)
    position = 0
    for path in second:
        if path in seen:
            position = merged.index(path) + 1
            continue
        merged.insert(position, path)
        seen.add(path)
        position += 1
    return merged
