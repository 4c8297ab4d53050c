"""Reading the header fields that authentication is about, as plain dicts.

DKIM-Signature and ARC tags (RFC 6376, RFC 8617), From and Return-Path addresses,
Authentication-Results (RFC 8601) and Received-SPF (RFC 7208 section 9.1) as the
receiver recorded them, and Received fields (RFC 5321 section 4.4) with their hosts,
address and time. Every reader is lenient: what it cannot read is left out or
marked, never raised.
"""

from __future__ import annotations

import email.utils
import ipaddress
import re
from datetime import datetime
from typing import Any

from sources.checker.taglist import split_tag_list

MAX_VALUE = 2000  # characters of a value kept for the report
_FWS = " \t\r\n"
_DOMAIN = re.compile(r"^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{1,63}$")
_ADDRESS = re.compile(r"<([^<>]*)>")
_BRACKET_IP = re.compile(r"\[(?:IPv6:)?([0-9a-fA-F:.]+)\]")
_RECEIVED_PART = re.compile(r"\b(from|by|via|with|id|for)\s+", re.IGNORECASE)
_COMMENT = re.compile(r"\(([^()]*)\)")
_INTERNAL = [
    ipaddress.ip_network(net)
    for net in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
    )
]


def short(text: str, limit: int = MAX_VALUE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def as_domain(text: str) -> str | None:
    """A lowercase domain name without trailing dot, or None if `text` is not one."""
    name = text.strip().strip(".").lower()
    if not name or len(name) > 253:
        return None
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return name if _DOMAIN.match(name) else None


def address_domain(address: str) -> str | None:
    """The domain of an address (`Name <user@Example.COM>` → example.com)."""
    _, _, domain = address.strip().strip("<>").rpartition("@")
    return as_domain(domain) if domain else None


def from_addresses(value: str) -> list[dict[str, Any]]:
    """The author addresses in a From field, each with its domain (None if unreadable)."""
    found = []
    for _name, addr in email.utils.getaddresses([value]):
        if addr:
            found.append({"address": short(addr, 320), "domain": address_domain(addr)})
    return found


def return_path(value: str) -> dict[str, Any]:
    """A Return-Path value: the address (empty for a bounce, `<>`) and its domain."""
    match = _ADDRESS.search(value)
    addr = (match.group(1) if match else value).strip()
    return {"address": short(addr, 320), "domain": address_domain(addr) if addr else None}


def tags(value: str) -> dict[str, str]:
    """The tags of a DKIM-Signature, ARC-Seal or ARC-Message-Signature (first of each)."""
    found: dict[str, str] = {}
    parsed, _ = split_tag_list(value, _FWS)
    for tag in parsed:
        name = tag.name.lower()
        if name not in found:
            found[name] = re.sub(r"[ \t\r\n]+", "" if name in ("b", "bh") else " ", tag.value)
    return found


def dkim_signature(value: str, index: int) -> dict[str, Any]:
    """What a DKIM-Signature says: d=, s=, a=, c=, h= (as a list), l=, t=, x=, i=."""
    found = tags(value)
    headers = [h.strip().lower() for h in found.get("h", "").split(":") if h.strip()]
    return {
        "index": index,
        "domain": as_domain(found.get("d", "")) or short(found.get("d", ""), 253),
        "selector": short(found.get("s", "").strip().lower(), 253),
        "algorithm": short(found.get("a", ""), 40),
        "canonicalization": short(found.get("c", "simple/simple"), 40),
        "headers": [short(h, 80) for h in headers[:100]],
        "length": _number(found.get("l")),
        "timestamp": _number(found.get("t")),
        "expires": _number(found.get("x")),
        "identity": short(found.get("i", ""), 320),
        "missing_tags": [tag for tag in ("v", "a", "b", "bh", "d", "h", "s") if tag not in found],
    }


def _number(text: str | None) -> int | None:
    if text is None or not text.strip().isdigit() or len(text.strip()) > 12:
        return None
    return int(text.strip())


# -- Authentication-Results -----------------------------------------------------------

_RESINFO = re.compile(
    r"(?P<method>[a-z0-9_-]+)\s*=\s*(?P<result>[a-z]+)(?P<props>(?:\s+(?:\([^()]*\)\s*)?"
    r"[a-z0-9_-]+\.[a-z0-9_.-]+\s*=\s*(?:\"[^\"]*\"|[^\s;]+))*)",
    re.IGNORECASE,
)
_PROP = re.compile(r"([a-z0-9_-]+\.[a-z0-9_.-]+)\s*=\s*(\"[^\"]*\"|[^\s;]+)", re.IGNORECASE)


def authentication_results(value: str) -> dict[str, Any]:
    """An Authentication-Results value: the authserv-id and each method's result with its
    properties (`dkim=pass header.d=example.com` → {method, result, props})."""
    text = _COMMENT.sub(" ", value)
    head, _, rest = text.partition(";")
    authserv = head.strip().split()[0] if head.strip() else ""
    results = []
    for part in rest.split(";"):
        match = _RESINFO.search(part)
        if not match:
            continue
        props = {
            key.lower(): val.strip('"').strip()
            for key, val in _PROP.findall(match.group("props") or "")
        }
        results.append(
            {
                "method": match.group("method").lower(),
                "result": match.group("result").lower(),
                "props": {k: short(v, 320) for k, v in list(props.items())[:20]},
            }
        )
    return {"authserv_id": short(authserv, 253), "results": results[:50]}


def arc_instance(value: str) -> int | None:
    """The i= of an ARC field."""
    match = re.match(r"\s*i\s*=\s*(\d{1,3})\s*(;|$)", value)
    return int(match.group(1)) if match else None


def received_spf(value: str) -> dict[str, Any]:
    """A Received-SPF value: the result word and its key=value pairs (client_ip, envelope_from,
    helo)."""
    text = value.strip()
    word = text.split(None, 1)[0].lower() if text else ""
    pairs = {
        key.lower(): val.strip('"')
        for key, val in re.findall(r"([a-z-]+)\s*=\s*(\"[^\"]*\"|[^\s;]+)", _COMMENT.sub(" ", text))
    }
    keep = ("client-ip", "envelope-from", "helo", "receiver", "identity")
    found = {key.replace("-", "_"): short(pairs[key], 320) for key in keep if key in pairs}
    return {"result": word, **found}


# -- Received ----------------------------------------------------------------------------


def is_internal(ip: str) -> bool:
    """True for loopback, private and link-local addresses (hops inside one network)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in net for net in _INTERNAL if net.version == address.version)


def received(value: str, index: int) -> dict[str, Any]:
    """A Received field: from (HELO name, reverse DNS name, address), by, with, time."""
    clauses, _, date_text = value.rpartition(";")
    if not _:
        clauses, date_text = value, ""
    # Clauses are read with comments blanked ("(using TLSv1.3 with cipher …)" is no
    # "with" clause); the from clause keeps its comment, which holds the address.
    blanked = clauses
    for _depth in range(5):  # comments nest: "(using TLS (256/256 bits))"
        blanked = _COMMENT.sub(lambda m: " " * len(m.group(0)), blanked)
    parts: dict[str, str] = {}
    spans: dict[str, tuple[int, int]] = {}
    matches = list(_RECEIVED_PART.finditer(blanked))
    for position, match in enumerate(matches):
        end = matches[position + 1].start() if position + 1 < len(matches) else len(blanked)
        word = match.group(1).lower()
        if word not in parts:
            parts[word] = blanked[match.end() : end].strip()
            spans[word] = (match.end(), end)
    start, end = spans.get("from", (0, 0))
    origin = clauses[start:end].strip()
    helo = origin.split()[0] if origin.split() else ""
    ip = None
    reverse = None
    for comment in _COMMENT.findall(origin):
        bracket = _BRACKET_IP.search(comment)
        if bracket and _is_ip(bracket.group(1)):
            ip = ip or bracket.group(1)
        for word in comment.replace("[", " ").split():
            if reverse is None and as_domain(word.rstrip(")").rstrip(".")) and "." in word:
                reverse = as_domain(word.rstrip(")"))
    if ip is None:
        bracket = _BRACKET_IP.search(origin)
        if bracket and _is_ip(bracket.group(1)):
            ip = bracket.group(1)
    by = parts.get("by", "").split()
    when = _date(date_text)
    return {
        "index": index,
        "from_helo": short(helo.strip("[]"), 253),
        "from_host": reverse,
        "from_ip": ip,
        "by": short(by[0], 253) if by else "",
        "with": short(parts.get("with", "").split()[0], 40) if parts.get("with") else "",
        "date": when.isoformat() if when else None,
        "internal": bool(ip and is_internal(ip)),
    }


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _date(text: str) -> datetime | None:
    text = _COMMENT.sub(" ", text).strip()
    if not text:
        return None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo is not None else None
