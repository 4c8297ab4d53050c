"""Splitting `tag=value; tag=value` lists (RFC 6376 section 3.2), shared by DMARC and DKIM.

The splitter only finds the pieces and where they are; each record parser
decides what is an error, what is a warning and what is ignored, because
DMARC and DKIM differ there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RawTag:
    """One `name=value` piece of a tag list, with offsets into the record text."""

    name: str
    value: str
    position: int
    value_position: int


@dataclass(frozen=True)
class Fragment:
    """A piece between semicolons that is not `name=value` (position, text)."""

    position: int
    text: str


def _strip(text: str, start: int, whitespace: str) -> tuple[str, int]:
    """Strip `whitespace` from both ends and return the text and its new offset."""
    left = 0
    while left < len(text) and text[left] in whitespace:
        left += 1
    right = len(text)
    while right > left and text[right - 1] in whitespace:
        right -= 1
    return text[left:right], start + left


def split_tag_list(text: str, whitespace: str) -> tuple[list[RawTag], list[Fragment]]:
    """Split on ';' and the first '=' of each piece; empty pieces are skipped.

    Returns the tags in order and the non-empty pieces that have no '='.
    """
    tags: list[RawTag] = []
    fragments: list[Fragment] = []
    offset = 0
    for piece in text.split(";"):
        body, start = _strip(piece, offset, whitespace)
        offset += len(piece) + 1
        if not body:
            continue
        if "=" not in body:
            fragments.append(Fragment(start, body))
            continue
        raw_name, raw_value = body.split("=", 1)
        name, name_pos = _strip(raw_name, start, whitespace)
        value, value_pos = _strip(raw_value, start + len(raw_name) + 1, whitespace)
        tags.append(RawTag(name, value, name_pos, value_pos))
    return tags, fragments


def empty_pieces(text: str, whitespace: str) -> list[int]:
    """Offsets of empty pieces between two semicolons (a trailing ';' is fine)."""
    positions = []
    offset = 0
    pieces = text.split(";")
    for index, piece in enumerate(pieces):
        if index not in (0, len(pieces) - 1) and not piece.strip(whitespace):
            positions.append(offset)
        offset += len(piece) + 1
    return positions


def shorten(text: str, limit: int = 40) -> str:
    """Text quoted in an error message: escaped to printable ASCII and cut to `limit`."""
    text = text.encode("unicode_escape", "backslashreplace").decode("ascii")
    return text if len(text) <= limit else text[: limit - 1] + "…"
