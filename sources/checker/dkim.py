"""DKIM key records (RFC 6376 section 3.6.1, RFC 8463 Ed25519, RFC 8301) and selector lookup.

`parse_dkim_key` raises `DKIMSyntaxError` for records a verifier cannot use at
all (broken tag list, wrong version, unknown key type, undecodable key).
Records that parse but are unusable for email (RSA under 1024 bits, a service
type other than email) come back with `errors`; weak choices with `warnings`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .derkeys import DERError, rsa_modulus_bits
from .taglist import shorten, split_tag_list

if TYPE_CHECKING:
    from .dns import Resolver

KeyType = Literal["rsa", "ed25519"]
DKIMStatus = Literal["found", "missing", "invalid", "revoked", "error"]

FWS = " \t\r\n"
MIN_RSA_BITS = 1024  # RFC 8301 section 3.2: smaller keys MUST NOT be accepted
RECOMMENDED_RSA_BITS = 2048
ED25519_KEY_BYTES = 32
_TAG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# RFC 6376 VALCHAR plus the folding whitespace allowed inside a value.
_VALUE = re.compile(r"^[\x21-\x3a\x3c-\x7e \t\r\n]*$")
_SELECTOR = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$"
)
_KNOWN_TAGS = {"v", "h", "k", "n", "p", "s", "t"}


class DKIMSyntaxError(ValueError):
    """A DKIM key record no verifier can use; `position` is a character offset."""

    def __init__(self, position: int, reason: str) -> None:
        super().__init__(f"{reason} (at character {position})")
        self.position = position
        self.reason = reason


@dataclass(frozen=True)
class DKIMKey:
    """A parsed DKIM key record."""

    text: str
    key_type: KeyType
    revoked: bool
    bits: int | None  # RSA modulus size; 256 for Ed25519; None when revoked
    hash_algorithms: tuple[str, ...] | None  # None: any (no h= tag)
    services: tuple[str, ...]
    flags: tuple[str, ...]
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def testing(self) -> bool:
        """t=y: the domain is testing DKIM."""
        return "y" in self.flags

    @property
    def usable(self) -> bool:
        """True when a verifier would use this key for email."""
        return not self.revoked and not self.errors


def parse_dkim_key(text: str) -> DKIMKey:
    """Parse the TXT record of a DKIM selector; raise DKIMSyntaxError if it is unusable."""
    if not isinstance(text, str):
        raise DKIMSyntaxError(0, "a DKIM key record must be text")
    if not text.strip(FWS):
        raise DKIMSyntaxError(0, "the record is empty")
    tags, fragments = split_tag_list(text, FWS)
    if fragments:
        bad = fragments[0]
        raise DKIMSyntaxError(bad.position, f"'{shorten(bad.text)}' is not a tag=value pair")
    values: dict[str, tuple[str, int]] = {}
    warnings: list[str] = []
    for index, tag in enumerate(tags):
        if not _TAG_NAME.match(tag.name):
            raise DKIMSyntaxError(tag.position, f"'{shorten(tag.name)}' is not a valid tag name")
        if tag.name in values:
            raise DKIMSyntaxError(
                tag.position, f"the tag {tag.name} appears twice, which invalidates the record"
            )
        if not _VALUE.match(tag.value):
            if tag.name in _KNOWN_TAGS:
                raise DKIMSyntaxError(
                    tag.value_position, f"the value of {tag.name} contains characters not allowed"
                )
            warnings.append(f"the value of the unknown tag {tag.name} contains invalid characters")
        if tag.name == "v" and index != 0:
            raise DKIMSyntaxError(tag.position, "v= must be the first tag when present")
        values[tag.name] = (tag.value, tag.value_position)

    if "v" in values and values["v"][0] != "DKIM1":
        raw, position = values["v"]
        raise DKIMSyntaxError(position, f"v={shorten(raw)} is not the version DKIM1")
    key_type = _key_type(values)
    if "p" not in values:
        raise DKIMSyntaxError(len(text), "the p= tag (the public key) is missing")
    errors: list[str] = []
    hashes = _hash_algorithms(values, errors, warnings)
    services = _colon_list(values.get("s", ("*", 0))[0])
    if "*" not in services and "email" not in services:
        errors.append(
            f"s={':'.join(services)}: this key is not for email (s must include email or *)"
        )
    flags = _colon_list(values.get("t", ("", 0))[0])
    if "y" in flags:
        warnings.append("t=y: the domain is testing DKIM; verifiers may treat failures leniently")

    raw_key, key_position = values["p"]
    compact = re.sub(r"[ \t\r\n]", "", raw_key)
    if not compact:
        return DKIMKey(
            text, key_type, True, None, hashes, services, flags, tuple(errors), tuple(warnings)
        )
    try:
        material = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise DKIMSyntaxError(key_position, "p= is not valid base64") from None
    bits = _key_bits(key_type, material, key_position, errors, warnings)
    return DKIMKey(
        text, key_type, False, bits, hashes, services, flags, tuple(errors), tuple(warnings)
    )


def _key_type(values: dict[str, tuple[str, int]]) -> KeyType:
    raw, position = values.get("k", ("rsa", 0))
    if raw == "rsa":
        return "rsa"
    if raw == "ed25519":
        return "ed25519"
    hint = " (did you mean k=ed25519?)" if raw.lower().startswith("ed25519") else ""
    raise DKIMSyntaxError(position, f"k={shorten(raw)} is not a known key type{hint}")


def _hash_algorithms(
    values: dict[str, tuple[str, int]], errors: list[str], warnings: list[str]
) -> tuple[str, ...] | None:
    if "h" not in values:
        return None
    hashes = _colon_list(values["h"][0])
    if "sha256" not in hashes:
        errors.append(
            f"h={':'.join(hashes)} does not allow sha256; sha1 signatures are no longer "
            "accepted (RFC 8301), so this key cannot verify anything"
        )
    elif "sha1" in hashes:
        warnings.append("h= lists sha1, which verifiers no longer accept (RFC 8301)")
    return hashes


def _key_bits(
    key_type: KeyType, material: bytes, position: int, errors: list[str], warnings: list[str]
) -> int:
    if key_type == "ed25519":
        if len(material) != ED25519_KEY_BYTES:
            raise DKIMSyntaxError(
                position,
                f"an Ed25519 key is {ED25519_KEY_BYTES} bytes, this one is {len(material)}",
            )
        return 256
    try:
        bits, bare = rsa_modulus_bits(material)
    except DERError as exc:
        raise DKIMSyntaxError(position, f"p= is not a valid RSA public key: {exc}") from None
    if bare:
        warnings.append(
            "p= holds a bare RSAPublicKey; RFC 6376 expects a SubjectPublicKeyInfo and some "
            "verifiers reject this form"
        )
    if bits < MIN_RSA_BITS:
        errors.append(f"the RSA key has {bits} bits; verifiers reject keys under {MIN_RSA_BITS}")
    elif bits < RECOMMENDED_RSA_BITS:
        warnings.append(
            f"the RSA key has {bits} bits; use {RECOMMENDED_RSA_BITS} bits (RFC 8301 allows "
            "1024, but they are considered weak)"
        )
    return bits


def _colon_list(raw: str) -> tuple[str, ...]:
    return tuple(item.strip(FWS) for item in raw.split(":") if item.strip(FWS))


@dataclass(frozen=True)
class DKIMSelectorResult:
    """What a selector publishes, after CNAMEs."""

    selector: str
    domain: str
    name: str  # selector._domainkey.domain
    status: DKIMStatus
    key: DKIMKey | None = None
    record_text: str | None = None
    cname_chain: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def cname_target(self) -> str | None:
        """Where the selector's CNAME chain ends, if it is a CNAME."""
        return self.cname_chain[-1] if self.cname_chain else None

    @property
    def key_type(self) -> KeyType | None:
        """rsa or ed25519, when a key record was read."""
        return self.key.key_type if self.key else None

    @property
    def bits(self) -> int | None:
        """The key size in bits, when known."""
        return self.key.bits if self.key else None


async def lookup_dkim(resolver: Resolver, selector: str, domain: str) -> DKIMSelectorResult:
    """Fetch and judge the key at `selector._domainkey.domain`, following CNAMEs."""
    selector = selector.strip().rstrip(".").lower()
    domain = domain.strip().rstrip(".").lower()
    name = f"{selector}._domainkey.{domain}"
    if not _SELECTOR.match(selector):
        return DKIMSelectorResult(
            selector, domain, name, "invalid", errors=(f"'{shorten(selector)}' is not a selector",)
        )
    answer = await resolver.query(name, "TXT")
    chain = answer.cname_chain
    base = {"selector": selector, "domain": domain, "name": name, "cname_chain": chain}
    via = f" (CNAME to {chain[-1]})" if chain else ""
    if answer.is_retryable:
        reason = answer.reason or answer.status
        return DKIMSelectorResult(
            status="error",
            errors=(f"lookup of {name}{via} failed ({reason}); retry, the key may exist",),
            **base,
        )
    if not answer.ok:
        where = f"{chain[-1]}, the CNAME target," if chain else name
        return DKIMSelectorResult(
            status="missing", errors=(f"no DKIM key record at {where}",), **base
        )
    records = [text for text in answer.records if text.strip(FWS)]
    if not records:
        return DKIMSelectorResult(
            status="missing", errors=(f"only empty TXT records at {name}{via}",), **base
        )
    parsed: list[tuple[str, DKIMKey | DKIMSyntaxError]] = []
    for text in records:
        try:
            parsed.append((text, parse_dkim_key(text)))
        except DKIMSyntaxError as exc:
            parsed.append((text, exc))
    warnings: list[str] = []
    if len(records) > 1:
        warnings.append(
            f"{len(records)} TXT records at {name}{via}; verifiers may use any one of them"
        )
    keys = [(text, item) for text, item in parsed if isinstance(item, DKIMKey)]
    usable = [(text, key) for text, key in keys if key.usable]
    text, chosen = (usable or keys or parsed)[0]
    if isinstance(chosen, DKIMSyntaxError):
        return DKIMSelectorResult(
            status="invalid",
            record_text=text,
            errors=(str(chosen),),
            warnings=tuple(warnings),
            **base,
        )
    status: DKIMStatus = "revoked" if chosen.revoked else "invalid" if chosen.errors else "found"
    errors = chosen.errors
    if chosen.revoked:
        errors = (*errors, f"the key at {name}{via} is revoked (empty p=)")
    return DKIMSelectorResult(
        status=status,
        key=chosen,
        record_text=text,
        errors=errors,
        warnings=(*warnings, *chosen.warnings),
        **base,
    )


_shared: weakref.WeakKeyDictionary[Resolver, dict[str, asyncio.Future[DKIMSelectorResult]]] = (
    weakref.WeakKeyDictionary()
)


async def shared_lookup_dkim(resolver: Resolver, selector: str, domain: str) -> DKIMSelectorResult:
    """lookup_dkim(), done once per resolver (one check) however many callers ask."""
    per_resolver = _shared.setdefault(resolver, {})
    key = f"{selector.strip().lower()}\x00{domain.strip().lower()}"
    future = per_resolver.get(key)
    if future is None:
        future = asyncio.ensure_future(lookup_dkim(resolver, selector, domain))
        per_resolver[key] = future
    return await asyncio.shield(future)
