"""Reading what people paste or upload into header fields and a body, without trusting it.

The input is bytes: a whole RFC 5322 message (`.eml`) or only its header block.
Nothing here raises anything but `MessageInputError` (a code and parameters, for the
site to put into words), and only for input that cannot be a message at all: empty,
too large, binary, or without a single header field. Anything else that is wrong
(a line that is not a header field, an encoding that is not UTF-8, thousands of
Received fields) becomes a `problem` and the analysis goes on with what it could read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

MAX_MESSAGE_BYTES = 2 * 1024 * 1024
# Binary files (images, archives, Outlook .msg) are full of these; mail is not.
# (ESC is left out: ISO-2022-JP text, common in Japanese mail, is made of escape sequences.)
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_NAME = re.compile(r"^[!-9;-~]{1,76}$")  # RFC 5322 ftext, and no longer than a line allows
_SEPARATOR = re.compile(rb"\r?\n\r?\n")
MAX_PROBLEM_LINES = 5


class MessageInputError(ValueError):
    """The input is not a message; `code` says why, `params` give the details."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class HeaderField:
    name: str  # as written
    value: str  # unfolded: line breaks removed, leading space kept out
    line: int  # 1-based line of the field's first line

    @property
    def key(self) -> str:
        return self.name.lower()


@dataclass
class ParsedMessage:
    """The header fields in order (topmost first), the body if there was one, and what
    was wrong with the input."""

    fields: list[HeaderField]
    raw: bytes  # the input as bytes, for signature verification (CRLF kept as given)
    has_body: bool
    body_bytes: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    def all(self, name: str) -> list[HeaderField]:
        """Every field called `name` (any case), topmost first."""
        key = name.lower()
        return [item for item in self.fields if item.key == key]

    def first(self, name: str) -> HeaderField | None:
        found = self.all(name)
        return found[0] if found else None


def _decode(data: bytes, problems: list[dict[str, Any]]) -> tuple[str, bytes]:
    """The text of the input and the bytes signatures are verified over."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Saved as UTF-16 by a text editor: readable, but no longer the bytes that were signed.
        text = data.decode("utf-16", errors="replace")
        problems.append({"code": "utf16"})
        return text, text.encode("utf-8")
    if _CONTROL.search(data[:8192]) or b"\x00" in data:
        raise MessageInputError("binary")
    try:
        return data.decode("utf-8"), data
    except UnicodeDecodeError as exc:
        problems.append({"code": "not-utf8", "offset": exc.start})
        # Latin-1 reads every byte: the fields stay readable and the bytes stay as signed.
        return data.decode("latin-1"), data


def parse_message(data: bytes | str) -> ParsedMessage:
    """Split the input into header fields and a body; see the module docstring."""
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogateescape")
    if len(data) > MAX_MESSAGE_BYTES:
        raise MessageInputError("too-large", size=len(data), limit=MAX_MESSAGE_BYTES)
    if not data.strip():
        raise MessageInputError("empty")
    problems: list[dict[str, Any]] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text, raw = _decode(data, problems)
    text = text.lstrip("\r\n")
    raw = raw.lstrip(b"\r\n")
    # An mbox "From " line (as some mail programs save a message) is not a header field.
    if text.startswith("From "):
        first_break = text.find("\n")
        text = text[first_break + 1 :] if first_break >= 0 else ""
        raw_break = raw.find(b"\n")
        raw = raw[raw_break + 1 :] if raw_break >= 0 else b""
    match = re.search(r"\r?\n\r?\n", text)
    header_text = text[: match.start()] if match else text
    raw_match = _SEPARATOR.search(raw)
    has_body = match is not None
    body_bytes = len(raw) - raw_match.end() if raw_match else 0
    fields, bad = _fields(header_text)
    if not fields:
        raise MessageInputError("no-headers")
    if bad:
        problems.append({"code": "bad-lines", "count": len(bad), "lines": bad[:MAX_PROBLEM_LINES]})
    if has_body and not text[match.end() :].strip():
        # Headers pasted with blank lines after them: there is no body to verify (a real
        # message with an empty body is rare enough to be read the same way).
        has_body = False
    return ParsedMessage(fields, raw, has_body, body_bytes, problems)


def _fields(header_text: str) -> tuple[list[HeaderField], list[int]]:
    fields: list[HeaderField] = []
    bad: list[int] = []
    current: list[str] | None = None
    start = 0
    name = ""
    # Only CRLF or LF ends a line: a bare CR inside a value is not a new field.
    for number, line in enumerate(re.split(r"\r?\n", header_text), start=1):
        if line[:1] in (" ", "\t"):
            if current is not None:
                current.append(line)
            else:
                bad.append(number)
            continue
        if current is not None:
            fields.append(HeaderField(name, _unfold(current), start))
            current = None
        head, colon, rest = line.partition(":")
        # No white space before the colon: dkimpy, which verifies the signatures, reads
        # field names the same way, so both count the same DKIM-Signature fields.
        if colon and _NAME.match(head):
            name, current, start = head, [rest], number
        elif line.strip():
            bad.append(number)
    if current is not None:
        fields.append(HeaderField(name, _unfold(current), start))
    return fields, bad


def _unfold(lines: list[str]) -> str:
    return clean_value("".join(lines)).strip()


def clean_value(text: str) -> str:
    """A header value as shown: no control characters (a CR or NUL smuggled into a field
    cannot start another line in a report), runs of white space as one space."""
    text = re.sub(r"[\x00-\x08\x0a-\x1f\x7f]", " ", text)
    return re.sub(r"[ \t]+", " ", text)
