"""Turning what people paste into a domain name, and organisational domains.

`normalise_domain` accepts URLs, e-mail addresses, trailing dots, odd case and
internationalised names, and returns the lowercase A-label form used for DNS
queries; anything that is not a usable mail domain raises `InvalidDomain`
with a reason a person can act on.
"""

from __future__ import annotations

import encodings.idna
import ipaddress
import re
from functools import cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

MAX_NAME_OCTETS = 253
MAX_LABEL_OCTETS = 63

# Full stops that IDNA (RFC 3490 section 3.1) treats as label separators.
_IDN_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_LDH_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_PORT_SUFFIX = re.compile(r":[0-9]{1,5}$")

# Names that can never be a public mail domain (RFC 6761, 6762, 7686, 8375,
# 9476, ICANN's .internal, and the private-network names ICANN will never
# delegate). Checking them would show internal records when the resolver is
# an internal one. `.test` and `.example` are refused too, unless
# allow_test_domains(True) is called: the test suite and the benchmarks serve
# such zones from a DNS server on loopback (CHECKER_ALLOW_TEST_DOMAINS).
_SPECIAL_USE_TLDS = {
    "localhost": "is reserved for the local machine (RFC 6761)",
    "local": "is used by multicast DNS on the local network (RFC 6762)",
    "invalid": "is reserved to be always invalid (RFC 6761)",
    "onion": "is a Tor onion service name, not reachable through DNS (RFC 7686)",
    "arpa": "belongs to the infrastructure domain .arpa (reverse DNS, home.arpa), not to mail",
    "internal": "is reserved for private networks and never delegated publicly",
    "alt": "is reserved for non-DNS name systems (RFC 9476)",
    "corp": "is used on private networks and will never be delegated publicly",
    "home": "is used on private networks and will never be delegated publicly",
    "lan": "is used on private networks and is not a public top-level domain",
    "test": "is reserved for testing (RFC 6761)",
    "example": "is reserved for documentation (RFC 6761)",
}
_TEST_TLDS = frozenset({"test", "example"})
_allowed_test_tlds: frozenset[str] = frozenset()


def allow_test_domains(allowed: bool) -> None:
    """Accept (or again refuse) .test and .example names, for tests and benchmarks only."""
    global _allowed_test_tlds
    _allowed_test_tlds = _TEST_TLDS if allowed else frozenset()


class InvalidDomain(ValueError):
    """The text is not a usable domain name; `reason` says why, for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalise_domain(text: str) -> str:
    """Return the lowercase A-label form of a pasted domain, URL or address."""
    if not isinstance(text, str):
        raise InvalidDomain("a domain name must be text")
    host = _extract_host(text)
    if not host:
        raise InvalidDomain("no domain name was given")
    _reject_ip_literal(host)
    host = host.translate(_IDN_DOTS)
    if host.endswith("."):
        host = host[:-1]  # the root's empty label: "example.com." is fully qualified
    if not host:
        raise InvalidDomain("no domain name was given")
    labels = [_to_a_label(label) for label in host.split(".")]
    name = ".".join(labels)
    if len(name) > MAX_NAME_OCTETS:
        raise InvalidDomain(
            f"the name is {len(name)} characters long; a domain name has at most {MAX_NAME_OCTETS}"
        )
    if len(labels) < 2:
        raise InvalidDomain(f"'{name}' has a single label; give a full domain such as {name}.com")
    if labels[-1].isdigit():
        raise InvalidDomain(f"'{name}' ends in a number, so it looks like an IP address")
    _reject_special_use(labels)
    return name


def _extract_host(text: str) -> str:
    """Pull the host part out of a URL, an e-mail address or a bare name."""
    value = text.strip().strip("<>\"'").strip()
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:") :]
    if "://" in value:
        try:
            parts = urlsplit(value)
            host = parts.hostname or ""
        except ValueError as exc:
            raise InvalidDomain(f"could not read a domain from that URL ({exc})") from None
        if parts.netloc.rstrip("/").endswith("]") or (host and ":" in host):
            raise InvalidDomain("an IP address is not a domain name")
        return host
    # A bare name may still carry a path, query or fragment: "example.com/about".
    value = re.split(r"[/?#]", value, maxsplit=1)[0]
    if "@" in value:
        value = value.rsplit("@", 1)[1]
    if value.startswith("[") or value.endswith("]"):
        raise InvalidDomain("an IP address is not a domain name")
    if _PORT_SUFFIX.search(value) and value.count(":") == 1:
        value = value.rsplit(":", 1)[0]
    return value.strip()


def _reject_ip_literal(host: str) -> None:
    candidate = host.strip("[]")
    if "%" in candidate:  # IPv6 zone index, "fe80::1%eth0"
        candidate = candidate.split("%", 1)[0]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        if ":" in candidate:
            raise InvalidDomain(
                "':' is not allowed in a domain name (is this an IPv6 address or host:port?)"
            ) from None
        return
    raise InvalidDomain(f"'{host}' is an IP address, not a domain name")


def _to_a_label(label: str) -> str:
    if not label:
        raise InvalidDomain("the name has an empty label (two dots in a row, or a leading dot)")
    if label.isascii():
        label = label.lower()
        if label.startswith("xn--"):
            _check_punycode(label)
    else:
        try:
            label = encodings.idna.ToASCII(label).decode("ascii").lower()
        except UnicodeError:
            raise InvalidDomain(
                f"'{label}' is not a valid internationalised domain label"
            ) from None
    if len(label) > MAX_LABEL_OCTETS:
        raise InvalidDomain(
            f"the label '{label[:20]}…' is {len(label)} characters long; "
            f"a label has at most {MAX_LABEL_OCTETS}"
        )
    if not _LDH_LABEL.match(label):
        bad = sorted({ch for ch in label if not (ch.isascii() and (ch.isalnum() or ch == "-"))})
        if bad:
            shown = " ".join(repr(ch) for ch in bad[:5])
            raise InvalidDomain(
                f"the label '{label}' contains characters not allowed in a domain name: {shown}"
            )
        raise InvalidDomain(f"the label '{label}' must not start or end with a hyphen")
    return label


def _check_punycode(label: str) -> None:
    try:
        label.encode("ascii").decode("idna")
    except (UnicodeError, OverflowError):  # the codec overflows on long runs of digits
        raise InvalidDomain(f"'{label}' is not valid punycode (an xn-- label)") from None


def _reject_special_use(labels: list[str]) -> None:
    tld = labels[-1]
    if tld in _SPECIAL_USE_TLDS and tld not in _allowed_test_tlds:
        raise InvalidDomain(f"'.{tld}' {_SPECIAL_USE_TLDS[tld]}")


@cache
def _psl() -> PublicSuffixList:
    # The package ships its own copy of the list; constructing it never downloads.
    return PublicSuffixList()


def organisational_domain(name: str) -> str:
    """The registrable domain of `name` by the Public Suffix List (RFC 7489 style).

    A name that is itself a public suffix is returned unchanged.
    """
    name = name.lower().rstrip(".")
    return _psl().privatesuffix(name) or name


def public_suffix(name: str) -> str:
    """The public suffix of `name` by the Public Suffix List."""
    name = name.lower().rstrip(".")
    return _psl().publicsuffix(name) or name


def is_subdomain(name: str, parent: str) -> bool:
    """True when `name` equals `parent` or lies beneath it (case-insensitive)."""
    name, parent = name.lower().rstrip("."), parent.lower().rstrip(".")
    return name == parent or name.endswith("." + parent)
