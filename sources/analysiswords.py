"""The message analyzer's codes put into words, for the pages, the API's errors and the
command line (translatable: the engine in sources/analysis returns codes only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):.1f} MB" if count >= 1024 * 1024 else f"{count // 1024} KB"


def input_error(code: str, params: Mapping[str, Any]) -> str:
    """Why the input could not be analysed at all."""
    if code == "too-large":
        return _(
            "The message is %(size)s; the analyzer reads at most %(limit)s. Paste only its "
            "header fields (everything before the first blank line) instead."
        ) % {"size": _size(params.get("size", 0)), "limit": _size(params.get("limit", 0))}
    if code == "binary":
        return _(
            "This is not a text message: it holds binary data. Save the message as .eml "
            "(\u201cshow original\u201d or \u201cdownload message\u201d in your mail program) "
            "and try again."
        )
    if code == "empty":
        return _("Paste a message's header fields, or choose an .eml file.")
    if code == "no-headers":
        return _(
            "No header fields found: a message starts with lines such as \u201cFrom: \u2026\u201d "
            "and \u201cReceived: \u2026\u201d. Paste the message's original source, not its text."
        )
    return _("The input cannot be read as a message.")


def problem(item: Mapping[str, Any]) -> str:
    """Something wrong with the input that the analysis went on despite."""
    code = item.get("code")
    if code == "not-utf8":
        return _("The text is not UTF-8 (from byte %(offset)s on); it was read as Latin-1.") % {
            "offset": item.get("offset")
        }
    if code == "utf16":
        return _(
            "The file is UTF-16 text: it was converted, so its signatures may no longer verify. "
            "Save the original .eml instead."
        )
    if code == "bad-lines":
        lines = ", ".join(str(n) for n in item.get("lines") or [])
        return ngettext(
            "%(count)s line is not a header field and was skipped (line %(lines)s).",
            "%(count)s lines are not header fields and were skipped (lines %(lines)s…).",
            item.get("count", 0),
        ) % {"count": item.get("count", 0), "lines": lines}
    if code == "too-many-received":
        return _(
            "The message has %(count)s Received fields; only the first %(shown)s are shown. "
            "More than 100 means a mail loop."
        ) % {"count": item.get("count"), "shown": item.get("shown")}
    if code == "no-from":
        return _("The message has no From field: DMARC cannot pass without one.")
    if code == "multiple-from":
        return _(
            "The message has more than one From address (%(domains)s): receivers applying "
            "DMARC reject or ignore it."
        ) % {"domains": ", ".join(item.get("domains") or []) or "?"}
    if code == "unreadable-from":
        return _("The From field holds no address that can be read.")
    return str(code)


SIGNATURE_STATUS = {
    "pass": gettext_noop("verifies"),
    "body-changed": gettext_noop("body changed after signing (the body hash does not match)"),
    "headers-changed": gettext_noop(
        "signed header fields changed after signing (the signature does not verify)"
    ),
    "key-missing": gettext_noop("no key published at the selector (removed, or rotated since)"),
    "key-revoked": gettext_noop("the key is revoked (empty p=)"),
    "key-invalid": gettext_noop("the published key cannot be used"),
    "key-error": gettext_noop("the key lookup failed (timeout or server error): try again"),
    "invalid": gettext_noop("the signature is malformed or expired"),
    "format-error": gettext_noop("the message cannot be read for verification"),
    "not-verified": gettext_noop("not verified: only the header fields were given"),
}


def signature_status(status: str) -> str:
    return _(SIGNATURE_STATUS.get(status, status))


DISAGREEMENTS = {
    "dkim-changed-since-receipt": gettext_noop(
        "The receiver verified the signature of %(domain)s, but this copy's body no longer "
        "matches it: the body was changed after delivery (by a forward, a disclaimer or "
        "antivirus footer added later, or when the message was saved or pasted)."
    ),
    "dkim-headers-changed-since": gettext_noop(
        "The receiver verified the signature of %(domain)s, but signed header fields of "
        "this copy changed since (a subject tag, a rewritten address)."
    ),
    "dkim-key-gone": gettext_noop(
        "The receiver verified the signature of %(domain)s, but the key at "
        "%(selector)s._domainkey.%(domain)s is no longer published: it was removed or "
        "rotated since the message was delivered."
    ),
    "dkim-receiver-failed": gettext_noop(
        "The receiver recorded %(receiver)s for the signature of %(domain)s, but it "
        "verifies now: the key was published or fixed since, or the receiver saw another copy."
    ),
    "dkim-broken-by-forwarder": gettext_noop(
        "The signature of %(domain)s broke on the way: %(forwarder)s (a mailing list or "
        "forwarder) changed the message, and its ARC set %(instance)s records that the "
        "signature passed when the message reached it."
    ),
    "dmarc-differs": gettext_noop(
        "The receiver recorded DMARC %(receiver)s; our evaluation says %(ours)s."
    ),
    "arc-may-override": gettext_noop(
        "DMARC fails, but a valid ARC chain sealed by %(forwarder)s vouches for the original "
        "results: receivers that trust %(forwarder)s may deliver the message anyway."
    ),
}


def disagreement(item: Mapping[str, Any]) -> str:
    """Why the receiver's recorded result and ours differ."""
    text = DISAGREEMENTS.get(str(item.get("code")))
    if text is None:
        return str(item.get("code"))
    try:
        return _(text) % {k: v for k, v in item.items() if k != "code"}
    except (KeyError, TypeError, ValueError):
        return str(item.get("code"))


def unaligned(item: Mapping[str, Any], vendor: str, from_domain: str) -> str:
    """What of a vendor's set-up does not align, and what changes it."""
    params = {"vendor": vendor, "domain": item.get("domain"), "from": from_domain}
    if item.get("code") == "dkim-vendor-domain":
        return (
            _(
                "%(vendor)s signs with its own domain (d=%(domain)s), which does not align "
                "with %(from)s. Set up %(vendor)s's DKIM for your domain so that it signs "
                "with d=%(from)s."
            )
            % params
        )
    if item.get("code") == "bounce-vendor-domain":
        return (
            _(
                "%(vendor)s's bounce (Return-Path) domain %(domain)s is not in %(from)s, so SPF "
                "cannot align. Give %(vendor)s a bounce subdomain of %(from)s."
            )
            % params
        )
    return str(item.get("code"))


EVIDENCE = {
    "dkim-domain": gettext_noop("DKIM signature d={value}"),
    "dkim-key-cname": gettext_noop("DKIM key CNAME → {value}"),
    "dkim-selector": gettext_noop("DKIM selector {value}"),
    "return-path": gettext_noop("Return-Path domain {value}"),
    "return-path-cname": gettext_noop("Return-Path domain CNAME → {value}"),
    "received-host": gettext_noop("Received from {value}"),
    "ip": gettext_noop("Connecting address {value} in its SPF"),
}


def evidence(item: Mapping[str, Any]) -> str:
    return _(EVIDENCE.get(item.get("signal", ""), "{value}")).format(value=item.get("value"))


def verdict(report: Mapping[str, Any]) -> str:
    """The verdict in one sentence."""
    domain = (report.get("from") or {}).get("domain") or _("the From domain")
    routes = " and ".join(r.upper() for r in report.get("dmarc_pass_routes") or [])
    basis = (
        _(" (from the receiver's recorded results: only header fields were given)")
        if report.get("verdict_basis") == "headers"
        else ""
    )
    if report.get("verdict") == "pass":
        return _(
            "This message passes DMARC for %(domain)s through %(routes)s alignment%(basis)s."
        ) % {
            "domain": domain,
            "routes": routes,
            "basis": basis,
        }
    if report.get("verdict") == "unknown":
        return _(
            "DMARC could not be decided for %(domain)s: a lookup failed. Try again in a moment."
        ) % {"domain": domain}
    return _(
        "This message fails DMARC for %(domain)s: neither DKIM nor SPF is both passing and "
        "aligned%(basis)s."
    ) % {"domain": domain, "basis": basis}


def presented(report: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the result page and the command line say, in words."""
    domain = (report.get("from") or {}).get("domain") or ""
    vendors = []
    for position, vendor in enumerate(report.get("vendors") or ()):
        vendors.append(
            {
                **vendor,
                "evidence_text": [evidence(item) for item in vendor.get("evidence") or ()],
                "fixes": [unaligned(item, vendor["name"], domain) for item in vendor["unaligned"]]
                if position == 0
                else [],
            }
        )
    return {
        "verdict_text": verdict(report),
        "problems": [problem(item) for item in report.get("problems") or ()],
        "signatures": [
            {**sig, "status_text": signature_status(sig["verification"]["status"])}
            for sig in report.get("dkim") or ()
        ],
        "disagreements": [disagreement(item) for item in report.get("disagreements") or ()],
        "vendors": vendors,
    }


def render_text(report: Mapping[str, Any]) -> str:
    """The analysis as plain text (the command line's default format)."""
    words = presented(report)
    lines = [words["verdict_text"], ""]
    lines += [f"! {text}" for text in words["problems"]]
    authors = ", ".join(a["address"] for a in (report.get("from") or {}).get("addresses") or [])
    lines.append(f"From: {authors or '-'}")
    path = report.get("return_path") or {}
    lines.append(f"Return-Path: {path.get('address') or '-'}")
    dmarc = report.get("dmarc") or {}
    if dmarc:
        lines.append(
            f"DMARC record ({dmarc.get('policy_domain') or dmarc.get('domain')}): "
            f"{dmarc.get('record') or dmarc.get('status')}"
        )
    for sig in words["signatures"]:
        aligned = {True: "aligned", False: "not aligned", None: "alignment unknown"}[sig["aligned"]]
        lines.append(
            f"DKIM d={sig['domain']} s={sig['selector']} a={sig['algorithm']}: "
            f"{sig['status_text']} ({aligned})"
        )
    spf = report.get("spf")
    if spf:
        aligned = "aligned" if spf.get("aligned") else "not aligned"
        lines.append(f"SPF {spf['domain']} for {spf['ip']}: {spf['result']} ({aligned})")
    receiver = report.get("receiver") or {}
    if receiver:
        lines.append(
            f"Receiver {receiver.get('authserv_id') or '?'}: dmarc={receiver.get('dmarc') or '-'} "
            f"dkim={receiver.get('dkim') or '-'} spf={receiver.get('spf') or '-'}"
        )
    lines += [f"* {text}" for text in words["disagreements"]]
    for vendor in words["vendors"][:1]:
        lines.append(f"Sent by: {vendor['name']} ({'; '.join(vendor['evidence_text'])})")
        lines += [f"  Fix: {text}" for text in vendor["fixes"]]
        recipe = vendor.get("recipe")
        if recipe:
            lines.append(f"  Recipe: {recipe['title']}")
            lines += [f"    {r['type']} {r['host']} {r['value']}" for r in recipe["records"]]
    hops = (report.get("received") or {}).get("hops") or []
    if hops:
        lines.append("Received chain (newest first):")
        for hop in hops:
            delay = f" +{hop['delay_seconds']}s" if hop.get("delay_seconds") is not None else ""
            origin = hop.get("from_host") or hop.get("from_helo") or "?"
            lines.append(
                f"  {origin} [{hop.get('from_ip') or '?'}] → {hop.get('by') or '?'}{delay}"
            )
    return "\n".join(lines) + "\n"
