"""DMARC policy record parser (RFC 9989, with RFC 7489's removed tags recognised).

RFC 9989 section 4.8 says syntax errors after `v=DMARC1` are discarded in
favour of defaults, so most problems become warnings. Only three things make
a record unusable and raise `DMARCSyntaxError`: it is empty, it does not begin
with `v=DMARC1`, or its `p`/`sp`/`np` tag is missing or invalid and there is no
valid `rua` URI (section 4.10.1: then receivers apply no DMARC processing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from .taglist import empty_pieces, shorten, split_tag_list

Policy = Literal["none", "quarantine", "reject"]
Alignment = Literal["r", "s"]

POLICIES: tuple[Policy, ...] = ("none", "quarantine", "reject")
WSP = " \t"
# RFC 9989's dmarc-value: any printing character but ';' (plus space).
_VALUE_CHARS = re.compile(r"^[\x20-\x3a\x3c-\x7e]+$")
_TAG_NAME = re.compile(r"^[A-Za-z]+$")
_URI = re.compile(
    r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*):(?P<rest>[^\s!]+)(?P<size>!\d+[kmgtKMGT]?)?$"
)
_MAILTO_DOMAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9_-]+)+$")
_VERSION = re.compile(r"^[vV][ \t]*=[ \t]*DMARC1[ \t]*(?:;|$)")

REMOVED_TAGS = {
    "pct": "pct was removed in RFC 9989 and is ignored by updated receivers; use t=y to test",
    "rf": "rf was removed in RFC 9989 and is ignored",
    "ri": "ri was removed in RFC 9989 and is ignored",
}
KNOWN_TAGS = {"v", "p", "sp", "np", "psd", "t", "adkim", "aspf", "rua", "ruf", "fo"}


class DMARCSyntaxError(ValueError):
    """A DMARC record that receivers ignore entirely; `position` is a character offset."""

    def __init__(self, position: int, reason: str) -> None:
        super().__init__(f"{reason} (at character {position})")
        self.position = position
        self.reason = reason


@dataclass(frozen=True)
class ReportURI:
    """One rua/ruf destination."""

    uri: str
    scheme: str
    domain: str | None  # mailto: the address's domain, lowercase; else None
    valid: bool  # syntactically a URI (any scheme)


@dataclass(frozen=True)
class DMARCRecord:
    """A usable DMARC record, with RFC 9989 defaults filled in."""

    text: str
    p: Policy
    sp: Policy | None = None
    np: Policy | None = None
    psd: Literal["y", "n", "u"] = "u"
    testing: bool = False
    adkim: Alignment = "r"
    aspf: Alignment = "r"
    rua: tuple[ReportURI, ...] = ()
    ruf: tuple[ReportURI, ...] = ()
    fo: tuple[str, ...] = ("0",)
    p_assumed: bool = False  # p was missing or invalid; treated as none because of rua
    tags: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def policy_for(self, *, at_policy_domain: bool, exists: bool = True) -> tuple[Policy, str]:
        """The policy for an author domain, and the tag it comes from (RFC 9989 4.10.1)."""
        if at_policy_domain:
            return self.p, "p"
        if not exists and self.np is not None:
            return self.np, "np"
        if self.sp is not None:
            return self.sp, "sp"
        return self.p, "p"


def is_dmarc_candidate(text: str) -> bool:
    """True when a TXT string starts with the v=DMARC1 tag (RFC 9989 4.10 step 2)."""
    return bool(_VERSION.match(text))


def parse_dmarc(text: str) -> DMARCRecord:
    """Parse a DMARC TXT record; raise DMARCSyntaxError if receivers would ignore it."""
    if not isinstance(text, str):
        raise DMARCSyntaxError(0, "a DMARC record must be text")
    if not text.strip():
        raise DMARCSyntaxError(0, "the record is empty")
    _check_version(text)
    tags, fragments = split_tag_list(text, WSP)
    warnings: list[str] = []
    for position in empty_pieces(text, WSP):
        warnings.append(f"empty tag between two ';' at character {position} ignored")
    for fragment in fragments:
        warnings.append(
            f"'{shorten(fragment.text)}' at character {fragment.position} is not a tag=value "
            "pair and is ignored"
        )
    values: dict[str, tuple[str, int]] = {}
    seen_order: list[tuple[str, str]] = []
    for tag in tags[1:]:  # tags[0] is the version, already checked
        name = tag.name.lower()
        if not _TAG_NAME.match(tag.name):
            warnings.append(f"'{shorten(tag.name)}' is not a valid tag name and is ignored")
            continue
        if not _VALUE_CHARS.match(tag.value):
            problem = "is empty" if not tag.value else "contains characters DMARC does not allow"
            warnings.append(f"the value of {name} {problem}; the tag is ignored")
            if name in ("p", "sp", "np"):
                values.setdefault(name, ("", tag.value_position))
            continue
        if name in values:
            warnings.append(f"{name} appears more than once; only the first value is used")
            continue
        values[name] = (tag.value, tag.value_position)
        seen_order.append((name, tag.value))
        if name in REMOVED_TAGS:
            warnings.append(REMOVED_TAGS[name])
        elif name == "v":
            pass  # a second v is caught by the duplicate check above
        elif name not in KNOWN_TAGS:
            warnings.append(f"unknown tag '{name}' is ignored")
    return _build(text, values, seen_order, warnings)


def _check_version(text: str) -> None:
    if _VERSION.match(text):
        return
    if text[0] in WSP:
        raise DMARCSyntaxError(0, "the record must begin with v=DMARC1, not with a space")
    head = text.split(";", 1)[0]
    name, _, value = head.partition("=")
    if name.strip(WSP).lower() != "v" or not _:
        raise DMARCSyntaxError(0, "the record must begin with the tag v=DMARC1")
    start = len(name) + 1 + (len(value) - len(value.lstrip(WSP)))
    value = value.strip(WSP)
    if value.upper() == "DMARC1":
        raise DMARCSyntaxError(start, "the version is case-sensitive: write v=DMARC1")
    if value.startswith("DMARC1"):
        raise DMARCSyntaxError(start + 6, "v=DMARC1 must be followed by ';' before the next tag")
    raise DMARCSyntaxError(start, f"unsupported version '{shorten(value)}'; it must be DMARC1")


def _build(
    text: str,
    values: dict[str, tuple[str, int]],
    seen_order: list[tuple[str, str]],
    warnings: list[str],
) -> DMARCRecord:
    rua = _uri_list("rua", values, warnings)
    ruf = _uri_list("ruf", values, warnings)
    has_valid_rua = any(uri.valid for uri in rua)

    policies: dict[str, Policy | None] = {}
    bad_policy: tuple[str, int, str] | None = None
    for name in ("p", "sp", "np"):
        if name not in values:
            policies[name] = None
            continue
        raw, position = values[name]
        lowered = raw.lower()
        if lowered in POLICIES:
            policies[name] = lowered  # type: ignore[assignment]
        else:
            policies[name] = None
            if bad_policy is None:
                bad_policy = (name, position, raw)
    p_assumed = False
    if bad_policy is not None or policies["p"] is None:
        if bad_policy is not None:
            name, position, raw = bad_policy
            problem = f"{name}={shorten(raw)} is not none, quarantine or reject"
        else:
            position, problem = len(text), "the p tag is missing"
        if not has_valid_rua:
            raise DMARCSyntaxError(
                position, f"{problem} and there is no valid rua, so receivers ignore the record"
            )
        warnings.append(f"{problem}; because rua is present receivers treat the record as p=none")
        policies = {"p": "none", "sp": None, "np": None}
        p_assumed = True

    psd = _choice("psd", values, ("y", "n", "u"), "u", warnings)
    testing = _choice("t", values, ("y", "n"), "n", warnings) == "y"
    adkim = _choice("adkim", values, ("r", "s"), "r", warnings)
    aspf = _choice("aspf", values, ("r", "s"), "r", warnings)
    fo = _failure_options(values, bool(ruf), warnings)
    record = DMARCRecord(
        text=text,
        p=policies["p"] or "none",
        sp=policies["sp"],
        np=policies["np"],
        psd=psd,  # type: ignore[arg-type]
        testing=testing,
        adkim=adkim,  # type: ignore[arg-type]
        aspf=aspf,  # type: ignore[arg-type]
        rua=rua,
        ruf=ruf,
        fo=fo,
        p_assumed=p_assumed,
        tags=tuple(seen_order),
    )
    warnings.extend(_advice(record))
    return replace(record, warnings=tuple(warnings))


def _choice(
    name: str,
    values: dict[str, tuple[str, int]],
    allowed: tuple[str, ...],
    default: str,
    warnings: list[str],
) -> str:
    if name not in values:
        return default
    raw = values[name][0].lower()
    if raw in allowed:
        return raw
    warnings.append(
        f"{name}={shorten(values[name][0])} is not valid ({' or '.join(allowed)}); "
        f"it is discarded and the default {name}={default} applies"
    )
    return default


def _failure_options(
    values: dict[str, tuple[str, int]], has_ruf: bool, warnings: list[str]
) -> tuple[str, ...]:
    if "fo" not in values:
        return ("0",)
    raw = values["fo"][0]
    options = [item.strip(WSP).lower() for item in raw.split(":")]
    valid = (
        all(item in ("0", "1", "d", "s") for item in options)
        and len(set(options)) == len(options)
        and not {"0", "1"} <= set(options)
    )
    if not valid:
        warnings.append(f"fo={shorten(raw)} is not valid; the default fo=0 applies")
        return ("0",)
    if not has_ruf:
        warnings.append("fo has no effect without a ruf tag")
    return tuple(options)


def _uri_list(
    name: str, values: dict[str, tuple[str, int]], warnings: list[str]
) -> tuple[ReportURI, ...]:
    if name not in values:
        return ()
    uris = []
    for item in values[name][0].split(","):
        item = item.strip(WSP)
        if not item:
            continue
        match = _URI.match(item)
        if not match:
            warnings.append(f"{name} entry '{shorten(item)}' is not a valid URI and is ignored")
            uris.append(ReportURI(item, "", None, False))
            continue
        if match["size"]:
            warnings.append(
                f"{name} entry '{shorten(item)}' has a size limit ({match['size']}), "
                "which RFC 9989 made obsolete; receivers ignore it"
            )
        scheme = match["scheme"].lower()
        domain = None
        if scheme == "mailto":
            address = match["rest"].split("?", 1)[0]
            local, at, host = address.rpartition("@")
            if not at or not local or not _MAILTO_DOMAIN.match(host):
                warnings.append(
                    f"{name} entry '{shorten(item)}' is not a usable mailto: address "
                    "(expected mailto:name@domain)"
                )
            else:
                domain = host.lower()
        else:
            warnings.append(
                f"{name} entry '{shorten(item)}' uses the {scheme}: scheme; receivers are only "
                "required to support mailto:"
            )
        uris.append(ReportURI(item, scheme, domain, True))
    return tuple(uris)


def _advice(record: DMARCRecord) -> list[str]:
    """Warnings about valid but weak choices."""
    advice = []
    if record.p == "none" and not record.p_assumed:
        advice.append("p=none only monitors: mail failing DMARC is delivered as usual")
    if record.testing and record.p != "none":
        advice.append("t=y: receivers are asked to apply one level less than the stated policy")
    if record.sp == "none" and record.p != "none":
        advice.append("sp=none leaves existing subdomains unprotected")
    if not any(uri.domain for uri in record.rua):
        advice.append("no usable rua address: you will receive no aggregate reports")
    return advice
