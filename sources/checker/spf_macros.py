"""SPF macro expansion helpers and name checks shared by check_host() and the tree (RFC 7208 7)."""

from __future__ import annotations

import ipaddress
import urllib.parse

from .dns import normalise_name
from .spf_syntax import Macro


def domain_problem(domain: str, *, multi_label: bool = True) -> str | None:
    """Why a name cannot be queried (section 4.3), or None when it can."""
    if domain.startswith("["):
        return "an address literal is not a domain"
    name = domain[:-1] if domain.endswith(".") else domain
    if not name:
        return "empty domain"
    labels = name.split(".")
    if any(not label for label in labels):
        return "empty label"
    if any(len(label.encode("utf-8", "surrogateescape")) > 63 for label in labels):
        return "label longer than 63 characters"
    if len(name) > 253:
        return "name longer than 253 characters"
    if multi_label and len(labels) < 2:
        return "not a fully qualified domain name"
    return None


def as_ascii(domain: str) -> str | None:
    """The domain in ASCII (A-labels for an IDN), or None if it cannot be converted."""
    if domain.isascii():
        return domain
    try:
        return normalise_name(domain)
    except ValueError:
        return None


def transform(macro: Macro, value: str) -> str:
    """Apply a macro's transformers (split, reverse, keep N parts) and URL escaping (7.3)."""
    if macro.keep is not None or macro.reverse or macro.delimiters != ".":
        parts = [value]
        for delimiter in macro.delimiters:
            parts = [piece for part in parts for piece in part.split(delimiter)]
        if macro.reverse:
            parts.reverse()
        if macro.keep is not None:
            parts = parts[-macro.keep :]
        value = ".".join(parts)
    if macro.url_escape:
        value = urllib.parse.quote(value, safe="-._~")
    return value


def as_query_name(text: str) -> str | None:
    """An expanded domain-spec as a query name (7.3 truncation), or None if impossible."""
    if text.endswith("."):
        text = text[:-1]
    # Over-long results lose labels from the left (section 7.3).
    while len(text) > 253 and "." in text:
        text = text.split(".", 1)[1]
    name = as_ascii(text)
    if name is None or domain_problem(name, multi_label=False):
        return None
    return name


def dotted_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, written: str) -> str:
    """The %{i} form of an address: dotted quad, or dot-separated nibbles for IPv6."""
    if ip.version == 4:
        return str(ip)
    nibbles = ip.exploded.replace(":", "")
    # DNS ignores case; keep the case the address was written in so that
    # explanations echo it (the openspf suite expects this).
    if any(char in "ABCDEF" for char in written) and not any(char in "abcdef" for char in written):
        nibbles = nibbles.upper()
    return ".".join(nibbles)
