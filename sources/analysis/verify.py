"""DKIM signatures and ARC sets verified with dkimpy, keys fetched through the checker.

dkimpy asks for keys through a synchronous `dnsfunc`. Every key the message names
(each DKIM-Signature's and ARC field's s= and d=) is first looked up concurrently
through the checker's `Resolver` (so the check's query and time budgets apply, and
tests use the loopback server); dkimpy then reads them from that table. A key the
table lacks reads as missing.

Each signature gets one status code:

    pass              body hash and signature verify
    body-changed      the body hash does not match: the body was changed after signing
    headers-changed   the signature does not verify over the signed header fields
    key-missing       no key at s._domainkey.d (removed, or rotated since)
    key-revoked       the key record has an empty p=
    key-invalid       the key record cannot be used
    key-error         the key lookup failed (timeout, SERVFAIL): retry
    invalid           the signature itself is malformed or expired (`detail` says how)
    format-error      the message cannot be read as RFC 5322 for verification
    not-verified      headers only: there is no body to verify against
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

import dkim

from sources.checker.dkim import DKIMSelectorResult, lookup_dkim
from sources.checker.dns import Resolver

from .fields import short

# dkimpy logs each failure at error level; the report carries them instead.
_QUIET = logging.getLogger("sources.analysis.dkimpy")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False
MIN_KEY_BITS = 1024
KEY_STATUS = {"missing": "key-missing", "revoked": "key-revoked", "invalid": "key-invalid"}


async def fetch_keys(
    resolver: Resolver, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], DKIMSelectorResult]:
    """The key record at each (selector, domain), looked up at once."""
    wanted = sorted({(s, d) for s, d in pairs if s and d})
    found = await asyncio.gather(*(lookup_dkim(resolver, s, d) for s, d in wanted))
    return dict(zip(wanted, found, strict=True))


def _dnsfunc(keys: dict[tuple[str, str], DKIMSelectorResult]):
    table = {}
    for (selector, domain), result in keys.items():
        if result.status == "found" and result.record_text:
            table[f"{selector}._domainkey.{domain}"] = result.record_text.encode()

    def lookup(name: bytes, timeout: float = 5) -> bytes | None:
        text = name.decode("ascii", "replace").rstrip(".").lower()
        return table.get(text)

    return lookup


def key_summary(result: DKIMSelectorResult | None) -> dict[str, Any]:
    """What the key lookup found, for the report."""
    if result is None:
        return {"status": "not-looked-up"}
    return {
        "name": result.name,
        "status": result.status,
        "cname_target": result.cname_target,
        "key_type": result.key_type,
        "bits": result.bits,
    }


def verify_signature(
    raw: bytes, index: int, key: DKIMSelectorResult | None, keys: dict
) -> dict[str, Any]:
    """Verify the `index`-th DKIM-Signature (0 = topmost) of `raw`; see the module docstring."""
    if key is not None and key.status != "found":
        code = "key-error" if key.status == "error" else KEY_STATUS.get(key.status, "key-invalid")
        return {"status": code, "detail": short("; ".join(key.errors), 300)}
    verifier = dkim.DKIM(raw, logger=_QUIET, minkey=MIN_KEY_BITS)
    try:
        ok = verifier.verify(idx=index, dnsfunc=_dnsfunc(keys))
    except dkim.ValidationError as exc:
        text = str(exc)
        if text.startswith("body hash mismatch"):
            return {"status": "body-changed", "detail": ""}
        return {"status": "invalid", "detail": short(text, 300)}
    except dkim.MessageFormatError as exc:
        return {"status": "format-error", "detail": short(str(exc), 300)}
    except dkim.KeyFormatError as exc:
        return {"status": "key-invalid", "detail": short(str(exc), 300)}
    except (dkim.DKIMException, ValueError, IndexError, TypeError) as exc:
        return {"status": "invalid", "detail": short(str(exc) or type(exc).__name__, 300)}
    return {"status": "pass" if ok else "headers-changed", "detail": ""}


def verify_arc(raw: bytes, keys: dict) -> dict[str, Any]:
    """The ARC chain's validation: `cv` pass, fail or none, with dkimpy's reason."""
    try:
        cv, results, reason = dkim.arc_verify(raw, logger=_QUIET, dnsfunc=_dnsfunc(keys))
    except (dkim.DKIMException, ValueError, IndexError, TypeError) as exc:
        return {"cv": "fail", "reason": short(str(exc) or type(exc).__name__, 300), "sets": []}
    word = (cv or b"fail").decode() if isinstance(cv, bytes) else str(cv or "fail")
    sets = [
        {
            "instance": item.get("instance"),
            "seal_valid": bool(item.get("as-valid")),
            "message_signature_valid": bool(item.get("ams-valid")),
            "cv": _text(item.get("cv")),
        }
        for item in results
    ]
    return {"cv": word.lower(), "reason": short(str(reason), 300), "sets": sets}


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")
