"""SPF record syntax (RFC 7208 sections 4.5, 4.6, 5, 6 and 7): parsing only, no DNS.

`parse_record()` turns the text of a TXT record into an `SPFRecord`, or raises
`SPFSyntaxError` with the character position of the first problem. The whole
record is checked before anything is evaluated, as section 4.6 requires.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any, Literal

Qualifier = Literal["+", "-", "~", "?"]
Kind = Literal["all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"]

MECHANISMS: frozenset[str] = frozenset({"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"})
# Terms that cost a DNS lookup and count towards the limit of 10 (section 4.6.4).
LOOKUP_KINDS: frozenset[str] = frozenset({"include", "a", "mx", "ptr", "exists"})
QUALIFIER_RESULTS: dict[str, str] = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}

MACRO_LETTERS = frozenset("slodipvh")
EXP_ONLY_LETTERS = frozenset("crt")  # only meaningful in explanation text (section 7.2)
DELIMITERS = frozenset(".-+,/_=")

_MODIFIER = re.compile(r"([A-Za-z][A-Za-z0-9_.-]*)=(.*)", re.DOTALL)
_MECHANISM = re.compile(r"([+\-~?]?)((?:[A-Za-z][A-Za-z0-9]*)?)(.*)", re.DOTALL)
# The domain may itself contain "/" (section 7.1), so only a digits-only
# suffix is taken as a prefix length.
_DUAL_CIDR = re.compile(r"(?::(?P<spec>.*?))?(?:/(?P<c4>[0-9]+))?(?://(?P<c6>[0-9]+))?", re.DOTALL)
_QNUM = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])"
_IP4 = re.compile(rf"{_QNUM}\.{_QNUM}\.{_QNUM}\.{_QNUM}")
_CIDR4 = re.compile(r"0|[1-9][0-9]?")
_CIDR6 = re.compile(r"0|[1-9][0-9]{0,2}")
_ALL_PARTS = 1_000_000_000
_MACRO_BODY = re.compile(r"([A-Za-z])([0-9]*)([rR]?)(.*)", re.DOTALL)
# toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
_TOPLABEL = re.compile(r"[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9]")


class SPFSyntaxError(ValueError):
    """An SPF record that does not follow the RFC 7208 grammar."""

    def __init__(self, position: int, reason: str) -> None:
        super().__init__(f"{reason} (at character {position})")
        self.position = position
        self.reason = reason


@dataclass(frozen=True)
class Macro:
    """One %{...} expansion: letter, how many right-hand parts, reversal, split characters."""

    letter: str
    url_escape: bool = False
    keep: int | None = None
    reverse: bool = False
    delimiters: str = "."


MacroString = tuple[str | Macro, ...]


@dataclass(frozen=True)
class Mechanism:
    """A directive: qualifier, mechanism and its arguments."""

    qualifier: Qualifier
    kind: Kind
    text: str
    position: int
    domain_spec: str | None = None
    target: MacroString | None = None
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    cidr4: int = 32
    cidr6: int = 128

    @property
    def result(self) -> str:
        """The check_host() result when this mechanism matches."""
        return QUALIFIER_RESULTS[self.qualifier]

    @property
    def costs_lookup(self) -> bool:
        """Whether evaluating it counts towards the 10-lookup limit."""
        return self.kind in LOOKUP_KINDS


@dataclass(frozen=True)
class Modifier:
    """A name=value term; redirect and exp carry a parsed domain-spec."""

    name: str
    value: str
    position: int
    target: MacroString | None = None


@dataclass(frozen=True)
class SPFRecord:
    """A parsed SPF record."""

    text: str
    mechanisms: tuple[Mechanism, ...]
    modifiers: tuple[Modifier, ...] = ()
    redirect: Modifier | None = None
    exp: Modifier | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def lookup_terms(self) -> int:
        """Terms of this record alone that cost a DNS lookup (redirect included if used)."""
        count = sum(1 for mechanism in self.mechanisms if mechanism.costs_lookup)
        return count + (1 if self.redirect_used else 0)

    @property
    def has_all(self) -> bool:
        """Whether an `all` mechanism is present."""
        return any(mechanism.kind == "all" for mechanism in self.mechanisms)

    @property
    def redirect_used(self) -> bool:
        """A redirect is only followed when no `all` mechanism comes first (section 6.1)."""
        return self.redirect is not None and not self.has_all

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description of the record's terms."""
        return {
            "text": self.text,
            "mechanisms": [
                {
                    "qualifier": m.qualifier,
                    "kind": m.kind,
                    "text": m.text,
                    "position": m.position,
                    **({"domain_spec": m.domain_spec} if m.domain_spec is not None else {}),
                    **({"network": str(m.network)} if m.network is not None else {}),
                }
                for m in self.mechanisms
            ],
            "modifiers": [
                {"name": m.name, "value": m.value, "position": m.position} for m in self.modifiers
            ],
        }


def is_spf_record(text: str) -> bool:
    """True when a TXT record claims to be SPF version 1 (section 4.5)."""
    return text[:6].lower() == "v=spf1" and (len(text) == 6 or text[6] == " ")


def parse_record(text: str) -> SPFRecord:
    """Parse a whole SPF record, "v=spf1" included; raises SPFSyntaxError."""
    if not is_spf_record(text):
        raise SPFSyntaxError(0, 'an SPF record starts with "v=spf1" followed by a space')
    for index, char in enumerate(text):
        if char != " " and not "\x21" <= char <= "\x7e":
            raise SPFSyntaxError(
                index,
                f"character {char!r} is not allowed: SPF records are printable ASCII "
                "terms separated by spaces",
            )
    mechanisms: list[Mechanism] = []
    modifiers: list[Modifier] = []
    redirect: Modifier | None = None
    exp: Modifier | None = None
    for match in re.finditer(r"[^ ]+", text[6:]):
        term, position = match.group(), match.start() + 6
        modifier = _MODIFIER.fullmatch(term)
        if modifier:
            parsed = _parse_modifier(modifier.group(1), modifier.group(2), position)
            if parsed.name == "redirect":
                if redirect is not None:
                    raise SPFSyntaxError(position, "redirect= appears more than once")
                redirect = parsed
            elif parsed.name == "exp":
                if exp is not None:
                    raise SPFSyntaxError(position, "exp= appears more than once")
                exp = parsed
            modifiers.append(parsed)
        else:
            mechanisms.append(_parse_mechanism(term, position))
    return SPFRecord(text, tuple(mechanisms), tuple(modifiers), redirect, exp)


def _parse_modifier(name: str, value: str, position: int) -> Modifier:
    value_at = position + len(name) + 1
    lowered = name.lower()
    if lowered in ("redirect", "exp"):
        if not value:
            raise SPFSyntaxError(value_at, f"{lowered}= needs a domain")
        target = parse_domain_spec(value, value_at)
        return Modifier(lowered, value, position, target)
    # Unknown modifiers are ignored, but their value must still be a valid
    # macro-string (appendix A).
    parse_macro_string(value, value_at, explanation=True)
    return Modifier(lowered, value, position)


def _parse_mechanism(term: str, position: int) -> Mechanism:
    match = _MECHANISM.fullmatch(term)
    assert match is not None  # the pattern accepts any text
    qualifier, name, rest = match.groups()
    kind = name.lower()
    if kind not in MECHANISMS:
        if "=" in term:
            raise SPFSyntaxError(position, f"{term.split('=')[0]!r} is not a valid modifier name")
        shown = name or term
        raise SPFSyntaxError(position, f"unknown mechanism {shown!r}")
    rest_at = position + len(qualifier) + len(name)
    base: dict[str, Any] = {
        "qualifier": qualifier or "+",
        "kind": kind,
        "text": term,
        "position": position,
    }
    if kind == "all":
        if rest:
            raise SPFSyntaxError(rest_at, '"all" takes no argument')
        return Mechanism(**base)
    if kind in ("include", "exists"):
        if not rest.startswith(":") or len(rest) == 1:
            raise SPFSyntaxError(rest_at, f'"{kind}" needs ":" and a domain')
        spec = rest[1:]
        return Mechanism(**base, domain_spec=spec, target=parse_domain_spec(spec, rest_at + 1))
    if kind == "ptr":
        if not rest:
            return Mechanism(**base)
        if not rest.startswith(":") or len(rest) == 1:
            raise SPFSyntaxError(rest_at, '"ptr" takes only ":" and a domain')
        spec = rest[1:]
        return Mechanism(**base, domain_spec=spec, target=parse_domain_spec(spec, rest_at + 1))
    if kind in ("a", "mx"):
        return _parse_a_or_mx(base, rest, rest_at)
    return _parse_ip(base, kind, rest, rest_at)


def _parse_a_or_mx(base: dict[str, Any], rest: str, rest_at: int) -> Mechanism:
    match = _DUAL_CIDR.fullmatch(rest)
    if match is None:
        raise SPFSyntaxError(
            rest_at, f'"{base["kind"]}" takes ":domain", "/ip4-cidr" and "//ip6-cidr"'
        )
    spec, c4, c6 = match.group("spec"), match.group("c4"), match.group("c6")
    target = None
    if spec is not None:
        if not spec:
            raise SPFSyntaxError(rest_at + 1, 'empty domain after ":"')
        target = parse_domain_spec(spec, rest_at + 1)
    cidr_at = rest_at + (len(spec) + 1 if spec is not None else 0)
    cidr4 = _cidr(c4, _CIDR4, 32, cidr_at) if c4 is not None else 32
    cidr6 = _cidr(c6, _CIDR6, 128, cidr_at) if c6 is not None else 128
    return Mechanism(**base, domain_spec=spec, target=target, cidr4=cidr4, cidr6=cidr6)


def _cidr(text: str, pattern: re.Pattern[str], limit: int, position: int) -> int:
    if not pattern.fullmatch(text) or int(text) > limit:
        raise SPFSyntaxError(
            position, f"bad CIDR prefix length {text!r} (0 to {limit}, no leading zeros)"
        )
    return int(text)


def _parse_ip(base: dict[str, Any], kind: str, rest: str, rest_at: int) -> Mechanism:
    if not rest.startswith(":") or len(rest) == 1:
        raise SPFSyntaxError(rest_at, f'"{kind}" needs ":" and a network')
    address, slash, length = rest[1:].partition("/")
    net_at = rest_at + 1
    if kind == "ip4":
        if not _IP4.fullmatch(address):
            raise SPFSyntaxError(net_at, f"{address!r} is not a dotted-quad IPv4 address")
        prefix = _cidr(length, _CIDR4, 32, net_at + len(address)) if slash else 32
    else:
        try:
            if "%" in address:
                raise ValueError
            ipaddress.IPv6Address(address)
        except ValueError:
            raise SPFSyntaxError(net_at, f"{address!r} is not an IPv6 address") from None
        prefix = _cidr(length, _CIDR6, 128, net_at + len(address)) if slash else 128
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    return Mechanism(**base, network=network)


def parse_domain_spec(spec: str, position: int = 0) -> MacroString:
    """Parse a domain-spec: a macro-string ending in a macro or a valid top label (7.1)."""
    tokens, tail_start = _parse_macros(spec, position, explanation=False)
    tail = spec[tail_start:]
    if tail:
        name = tail[:-1] if tail.endswith(".") else tail
        if "." not in name:
            raise SPFSyntaxError(
                position + tail_start,
                f"{spec!r} is not a domain: it must end in a dot and a top label, or in a macro",
            )
        top = name.rsplit(".", 1)[1]
        if not _TOPLABEL.fullmatch(top):
            raise SPFSyntaxError(
                position + tail_start + name.rfind(".") + 1,
                f"{top!r} is not a valid top label (letters, digits and inner dashes, "
                "not all digits)",
            )
    return tokens


def parse_macro_string(text: str, position: int = 0, *, explanation: bool = False) -> MacroString:
    """Parse macro text (section 7.1); `explanation` allows c, r, t and spaces."""
    return _parse_macros(text, position, explanation=explanation)[0]


def _parse_macros(text: str, position: int, *, explanation: bool) -> tuple[MacroString, int]:
    """Tokens, and where the literal text after the last macro begins."""
    tokens: list[str | Macro] = []
    literal: list[str] = []
    tail_start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char != "%":
            if not ("\x21" <= char <= "\x7e" or (explanation and char == " ")):
                raise SPFSyntaxError(position + index, f"character {char!r} is not allowed here")
            literal.append(char)
            index += 1
            continue
        following = text[index + 1 : index + 2]
        if following in ("%", "_", "-"):
            literal.append({"%": "%", "_": " ", "-": "%20"}[following])
            index += 2
            tail_start = index
            continue
        if following != "{":
            raise SPFSyntaxError(
                position + index,
                'a "%" must be followed by "{", "%", "_" or "-" (write "%%" for a percent sign)',
            )
        end = text.find("}", index)
        if end < 0:
            raise SPFSyntaxError(position + index, 'unclosed macro: missing "}"')
        macro = _parse_macro(text[index + 2 : end], position + index, explanation)
        if literal:
            tokens.append("".join(literal))
            literal = []
        tokens.append(macro)
        index = end + 1
        tail_start = index
    if literal:
        tokens.append("".join(literal))
    return tuple(tokens), tail_start


def _parse_macro(body: str, position: int, explanation: bool) -> Macro:
    match = _MACRO_BODY.fullmatch(body)
    if match is None:
        raise SPFSyntaxError(position, f"bad macro %{{{body}}}")
    letter, digits, reverse, delimiters = match.groups()
    lowered = letter.lower()
    allowed = MACRO_LETTERS | EXP_ONLY_LETTERS if explanation else MACRO_LETTERS
    if lowered not in allowed:
        where = "" if explanation else " (c, r and t are only allowed in explanations)"
        raise SPFSyntaxError(position, f"unknown macro letter {letter!r}{where}")
    significant = digits.lstrip("0")
    if digits and not significant:
        raise SPFSyntaxError(position, "the number of parts in a macro cannot be zero")
    if any(char not in DELIMITERS for char in delimiters):
        raise SPFSyntaxError(position, f"bad macro delimiters {delimiters!r}")
    return Macro(
        letter=lowered,
        url_escape=letter.isupper(),
        keep=_part_count(significant) if digits else None,
        reverse=bool(reverse),
        delimiters=delimiters or ".",
    )


def _part_count(digits: str) -> int:
    # More parts than any value can have means all of them; capping the
    # count also keeps int() away from its 4,300-digit ValueError.
    return int(digits) if len(digits) <= 9 else _ALL_PARTS
