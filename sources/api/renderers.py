"""CSV for list endpoints (`?format=csv` or `Accept: text/csv`)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from rest_framework.renderers import BaseRenderer

# A cell starting with one of these is a formula to spreadsheets: prefix it with '.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        text = "; ".join(csv_cell(item) for item in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _line(values) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(values)
    return out.getvalue()


def csv_stream(columns: list[str], batches: Iterable[list[dict]]) -> Iterator[bytes]:
    """A CSV file, one batch of rows at a time (for a response streamed as it is read)."""
    yield _line(columns).encode(CSVRenderer.charset)
    for rows in batches:
        text = "".join(_line([csv_cell(row.get(c)) for c in columns]) for row in rows)
        yield text.encode(CSVRenderer.charset)


class CSVRenderer(BaseRenderer):
    """One row per item of a list (or of a page's `results`); lists joined with '; '."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        rows = data.get("results", []) if isinstance(data, dict) else (data or [])
        # A serializer's list knows its columns even when it is empty.
        serializer = getattr(rows, "serializer", None)
        child = getattr(serializer, "child", None)
        columns = list(child.fields if child is not None else rows[0] if rows else [])
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_cell(row.get(column)) for column in columns])
        return out.getvalue().encode(self.charset)
