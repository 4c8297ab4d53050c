"""Fixes written the way DNS providers and zone files take them."""

from __future__ import annotations

FIX_TTL = 3600


def normal_name(text: str) -> str:
    """Lowercase, without the trailing dot: the form names are compared in."""
    return text.strip().rstrip(".").lower()


def zone_line(host: str, rdtype: str, value: str, priority: int | None = None) -> str:
    """One record in master-file form, e.g. `s1._domainkey.example.com. 3600 IN CNAME x.`."""
    rdtype = rdtype.upper()
    if rdtype == "TXT":
        data = _quote_txt(value)
    elif rdtype == "MX":
        parts = value.split()
        if len(parts) == 2 and parts[0].isdigit():
            data = f"{parts[0]} {_fqdn(parts[1])}"
        else:
            data = f"{priority if priority is not None else 10} {_fqdn(value)}"
    elif rdtype in ("CNAME", "NS"):
        data = _fqdn(value)
    else:
        data = value
    return f"{_fqdn(host)} {FIX_TTL} IN {rdtype} {data}"


def _fqdn(name: str) -> str:
    return name.strip().rstrip(".").lower() + "."


def _quote_txt(value: str) -> str:
    # A character-string holds at most 255 octets; longer values (2048-bit
    # DKIM keys) are written as several strings, which DNS joins back.
    raw = value.encode("utf-8")
    chunks = [raw[i : i + 255] for i in range(0, len(raw), 255)] or [b""]
    quoted = []
    for chunk in chunks:
        text = chunk.decode("utf-8", "replace").replace("\\", "\\\\").replace('"', '\\"')
        quoted.append(f'"{text}"')
    return " ".join(quoted)


def include_target(value: str) -> str | None:
    """The domain of `include:domain` (or the bare domain) in a requirement value."""
    text = value.strip()
    if not text:
        return None
    for term in text.split():
        if term.lower().startswith("include:"):
            return normal_name(term.split(":", 1)[1])
    return normal_name(text)


def spf_with_include(record: str | None, target: str) -> str:
    """The SPF record with `include:target` added before its `all` (or a new record).

    An include of `target` that could not pass (a -, ~ or ? qualifier, or a
    place after `all`) is replaced rather than kept beside the new one.
    """
    if not record:
        return f"v=spf1 include:{target} ~all"
    wanted = f"include:{normal_name(target)}"
    terms = [term for term in record.split() if normal_name(term.lstrip("+-~?")) != wanted]
    position = next(
        (
            index
            for index, term in enumerate(terms)
            if term.lower().lstrip("+-~?") == "all" or term.lower().startswith("redirect=")
        ),
        len(terms),
    )
    terms.insert(position, f"include:{target}")
    return " ".join(terms)
