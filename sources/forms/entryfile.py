"""An entry file uploaded to the web form: a catalog TOML file, or JSON as the API takes it.

The same bounds as the API: the upload is capped while it streams (sources/uploads.py)
and JSON is read by the API's rules (no NaN or Infinity, at most MAX_DEPTH levels, no
lone surrogates: sources/api/parsers.py). JSON may be the catalog entry itself (as
/api/v1/catalog.json lists them) or the API's submission body, `{"entry": {...},
"provenance": [...], "note": "..."}`. Every failure is an `EntryFileError` whose
message names the file and, for a parse error, the line.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field

from rest_framework.exceptions import ParseError

from sources.api.parsers import MAX_DEPTH, check_structure
from sources.uploads import MAX_UPLOAD_BYTES


class EntryFileError(ValueError):
    """The file cannot be read as an entry; the message says why, for people."""


@dataclass
class EntryFile:
    data: dict
    provenance: list[str] = field(default_factory=list)
    note: str = ""


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _parse_json(text: str) -> object:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise EntryFileError(f"it nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise EntryFileError(f"it is not valid JSON ({exc})") from None


def _parse_toml(text: str) -> object:
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise EntryFileError(f"it nests deeper than {MAX_DEPTH} levels") from None
    except tomllib.TOMLDecodeError as exc:
        raise EntryFileError(f"it is not valid TOML ({exc})") from None


def entry_file_read(upload) -> EntryFile:
    """The entry in an uploaded .toml or .json file, or EntryFileError."""
    name = upload.name or "the file"
    if upload.size > MAX_UPLOAD_BYTES:
        raise EntryFileError(
            f"{name} is {upload.size:,} bytes; an entry file may be at most "
            f"{MAX_UPLOAD_BYTES:,} bytes."
        )
    raw = upload.read(MAX_UPLOAD_BYTES + 1)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise EntryFileError(f"{name} is not UTF-8 text.") from None
    if not text.strip():
        raise EntryFileError(f"{name} is empty.")
    lower = name.lower()
    as_json = lower.endswith(".json") or (
        not lower.endswith(".toml") and text.lstrip().startswith("{")
    )
    try:
        data = _parse_json(text) if as_json else _parse_toml(text)
        try:
            check_structure(data)
        except ParseError as exc:
            raise EntryFileError(str(exc.detail).removeprefix("JSON parse error - ")) from None
    except EntryFileError as exc:
        raise EntryFileError(f"{name} could not be read: {exc}.") from None
    if not isinstance(data, dict):
        raise EntryFileError(f"{name} must hold one entry (a table or an object).")
    if isinstance(data.get("entry"), dict):
        return _request_shape(data, name)
    return EntryFile(data=data)


def _request_shape(data: dict, name: str) -> EntryFile:
    """The API's submission body: the entry with its sources and note."""
    provenance = data.get("provenance") or []
    note = data.get("note") or ""
    if not isinstance(provenance, list) or not all(isinstance(u, str) for u in provenance):
        raise EntryFileError(f"{name}: provenance must be a list of URLs.")
    if not isinstance(note, str):
        raise EntryFileError(f"{name}: note must be text.")
    return EntryFile(data=data["entry"], provenance=provenance, note=note)
