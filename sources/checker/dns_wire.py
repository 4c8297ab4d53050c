"""DNS messages on the wire (RFC 1035 section 4.1), only as much as the stub resolver needs.

Encoding one query and decoding one response by hand costs a few tens of
microseconds; the general-purpose message classes of dnspython cost ten
times more, which dominated bulk checks. Everything here works on bytes
and plain tuples; no I/O. Any response that does not follow the format
raises MalformedMessage.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

TYPE_CODES: dict[str, int] = {
    "A": 1,
    "NS": 2,
    "CNAME": 5,
    "SOA": 6,
    "PTR": 12,
    "MX": 15,
    "TXT": 16,
    "AAAA": 28,
}
CLASS_IN = 1
TYPE_OPT = 41
FLAG_QR = 0x8000
FLAG_TC = 0x0200
FLAG_RD = 0x0100
RCODE_NAMES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}

_HEADER = struct.Struct("!HHHHHH")
_RR_FIXED = struct.Struct("!HHIH")
_ESCAPED = frozenset(b'"().;\\@$')
_MAX_POINTER_JUMPS = 64

Labels = tuple[bytes, ...]


class MalformedMessage(ValueError):
    """Bytes that are not a well-formed DNS response."""


@dataclass(frozen=True)
class Record:
    """One resource record: owner (lowercase labels), type, and rdata rendered as text."""

    owner: Labels
    rdtype: int
    text: str
    target: Labels | None = None  # for CNAME: the name it points to


@dataclass(frozen=True)
class Response:
    """The parts of a response the resolver looks at."""

    id: int
    flags: int
    question: tuple[Labels, int] | None
    answer: tuple[Record, ...]
    authority: tuple[Record, ...]

    @property
    def rcode(self) -> int:
        """The response code (the 4 header bits; extended codes are not used here)."""
        return self.flags & 0x000F

    @property
    def truncated(self) -> bool:
        """The TC bit: the answer did not fit and must be asked for over TCP."""
        return bool(self.flags & FLAG_TC)


def encode_query(query_id: int, labels: Labels, rdtype: int, *, payload: int = 1232) -> bytes:
    """A recursive query with an EDNS0 OPT record advertising `payload` bytes."""
    header = _HEADER.pack(query_id, FLAG_RD, 1, 0, 0, 1)
    qname = b"".join(bytes((len(label),)) + label for label in labels) + b"\x00"
    opt = b"\x00" + _RR_FIXED.pack(TYPE_OPT, payload, 0, 0)
    return header + qname + struct.pack("!HH", rdtype, CLASS_IN) + opt


def labels_text(labels: Labels) -> str:
    """Presentation form in lowercase without the final dot ("." for the root).

    Escapes bytes the way dnspython does, so names read from the wire and
    names typed by people compare equal as text.
    """
    if not labels:
        return "."
    return ".".join(_label_text(label) for label in labels).lower()


def _label_text(label: bytes) -> str:
    parts = []
    for byte in label:
        if byte in _ESCAPED:
            parts.append("\\" + chr(byte))
        elif 0x20 < byte < 0x7F:
            parts.append(chr(byte))
        else:
            parts.append(f"\\{byte:03d}")
    return "".join(parts)


def decode_txt(strings: list[bytes]) -> str:
    """Join TXT character-strings and decode them without ever failing.

    UTF-8 when the bytes are valid UTF-8, else Latin-1, which maps every byte
    to one character: garbage stays visible and never produces surrogates
    that would break JSON or HTML output later.
    """
    raw = b"".join(strings)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def decode_response(wire: bytes) -> Response:
    """Parse a response; raises MalformedMessage for anything out of format."""
    if len(wire) < _HEADER.size:
        raise MalformedMessage(f"message of {len(wire)} bytes is shorter than a DNS header")
    query_id, flags, qdcount, ancount, nscount, _ = _HEADER.unpack_from(wire)
    if not flags & FLAG_QR:
        raise MalformedMessage("not a response (QR bit clear)")
    offset = _HEADER.size
    question = None
    for index in range(qdcount):
        labels, offset = _read_name(wire, offset)
        if offset + 4 > len(wire):
            raise MalformedMessage("question cut short")
        qtype, _qclass = struct.unpack_from("!HH", wire, offset)
        offset += 4
        if index == 0:
            question = (labels, qtype)
    answer, offset = _read_records(wire, offset, ancount)
    authority, offset = _read_records(wire, offset, nscount)
    # The additional section (EDNS OPT, glue) is not needed.
    return Response(query_id, flags, question, answer, authority)


def _read_records(wire: bytes, offset: int, count: int) -> tuple[tuple[Record, ...], int]:
    records = []
    for _ in range(count):
        owner, offset = _read_name(wire, offset)
        if offset + _RR_FIXED.size > len(wire):
            raise MalformedMessage("resource record cut short")
        rdtype, _rdclass, _ttl, rdlength = _RR_FIXED.unpack_from(wire, offset)
        offset += _RR_FIXED.size
        end = offset + rdlength
        if end > len(wire):
            raise MalformedMessage("record data runs past the end of the message")
        record = _read_rdata(wire, offset, end, owner, rdtype)
        if record is not None:
            records.append(record)
        offset = end
    return tuple(records), offset


def _read_rdata(wire: bytes, start: int, end: int, owner: Labels, rdtype: int) -> Record | None:
    if rdtype == TYPE_CODES["TXT"]:
        strings = []
        offset = start
        while offset < end:
            size = wire[offset]
            if offset + 1 + size > end:
                raise MalformedMessage("TXT string runs past its record")
            strings.append(wire[offset + 1 : offset + 1 + size])
            offset += 1 + size
        return Record(owner, rdtype, decode_txt(strings))
    if rdtype == TYPE_CODES["A"]:
        if end - start != 4:
            raise MalformedMessage("A record that is not 4 bytes")
        return Record(owner, rdtype, str(ipaddress.IPv4Address(wire[start:end])))
    if rdtype == TYPE_CODES["AAAA"]:
        if end - start != 16:
            raise MalformedMessage("AAAA record that is not 16 bytes")
        return Record(owner, rdtype, str(ipaddress.IPv6Address(wire[start:end])))
    if rdtype == TYPE_CODES["MX"]:
        if end - start < 3:
            raise MalformedMessage("MX record too short")
        (preference,) = struct.unpack_from("!H", wire, start)
        exchange, offset = _read_name(wire, start + 2, end)
        _check_consumed(offset, end)
        return Record(owner, rdtype, f"{preference} {labels_text(exchange)}")
    if rdtype in (TYPE_CODES["CNAME"], TYPE_CODES["NS"], TYPE_CODES["PTR"]):
        target, offset = _read_name(wire, start, end)
        _check_consumed(offset, end)
        return Record(owner, rdtype, labels_text(target), target)
    if rdtype == TYPE_CODES["SOA"]:
        mname, offset = _read_name(wire, start, end)
        rname, offset = _read_name(wire, offset, end)
        if offset + 20 != end:
            raise MalformedMessage("SOA record of the wrong length")
        numbers = " ".join(str(n) for n in struct.unpack_from("!IIIII", wire, offset))
        return Record(owner, rdtype, f"{labels_text(mname)} {labels_text(rname)} {numbers}")
    return None  # types the checker never asks for


def _check_consumed(offset: int, end: int) -> None:
    if offset != end:
        raise MalformedMessage("record data longer than its content")


def _read_name(wire: bytes, offset: int, limit: int | None = None) -> tuple[Labels, int]:
    """Read a possibly compressed name; returns lowercase labels and the offset after it."""
    limit = len(wire) if limit is None else limit
    labels: list[bytes] = []
    total = 0
    jumps = 0
    resume: int | None = None
    while True:
        if offset >= (limit if resume is None else len(wire)):
            raise MalformedMessage("name runs past the end of its data")
        size = wire[offset]
        if size == 0:
            offset += 1
            break
        if size & 0xC0 == 0xC0:
            if offset + 1 >= len(wire):
                raise MalformedMessage("compression pointer cut short")
            jumps += 1
            if jumps > _MAX_POINTER_JUMPS:
                raise MalformedMessage("compression pointers loop")
            if resume is None:
                resume = offset + 2
            offset = ((size & 0x3F) << 8) | wire[offset + 1]
            continue
        if size & 0xC0:
            raise MalformedMessage(f"unknown label type {size:#x}")
        label = wire[offset + 1 : offset + 1 + size]
        if len(label) != size:
            raise MalformedMessage("label runs past the end of the message")
        total += size + 1
        if total + 1 > 255:  # the root's zero byte counts too (RFC 1035 2.3.4)
            raise MalformedMessage("name longer than 255 bytes")
        labels.append(label.lower())
        offset += 1 + size
    end = resume if resume is not None else offset
    if end > limit:
        raise MalformedMessage("name runs past the end of its record")
    return tuple(labels), end
