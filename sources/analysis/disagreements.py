"""Where our evaluation and the receiver's recorded results differ, and the likely why.

Each item is a code with parameters:

    dkim-changed-since-receipt   the receiver verified d= but the copy here fails its body hash
    dkim-headers-changed-since   the receiver verified d= but the signed fields changed since
    dkim-key-gone                the receiver verified d= but its key is no longer published
    dkim-receiver-failed         the receiver failed d= but it verifies now (key published since,
                                 or the receiver saw another copy)
    dkim-broken-by-forwarder     the signature broke on the way, and an ARC set from a forwarder
                                 records that it passed when the forwarder received it
    dmarc-differs                the receiver's DMARC verdict is not ours
    arc-may-override             DMARC failed, but a valid ARC chain vouches for the original
"""

from __future__ import annotations

from typing import Any

_CHANGED = {
    "body-changed": "dkim-changed-since-receipt",
    "headers-changed": "dkim-headers-changed-since",
    "key-missing": "dkim-key-gone",
    "key-revoked": "dkim-key-gone",
}


def _arc_passes(report: dict[str, Any], domain: str) -> dict[str, Any] | None:
    """The earliest ARC set whose recorded results say DKIM passed for `domain`."""
    for arc in report.get("arc") or ():
        results = (arc.get("results") or {}).get("results") or ()
        for result in results:
            signer = (result["props"].get("header.d") or "").lower()
            if result["method"] == "dkim" and result["result"] == "pass" and signer == domain:
                sealer = (arc.get("seal") or {}).get("domain", "")
                return {"instance": arc["instance"], "forwarder": sealer}
    return None


def disagreements(report: dict[str, Any]) -> list[dict[str, Any]]:
    """See the module docstring."""
    found: list[dict[str, Any]] = []
    receiver = _receiver_dkim(report)
    verified = report["mode"] == "message"
    arc_ok = (report.get("arc_validation") or {}).get("cv") == "pass"
    for sig in report["dkim"]:
        ours = sig["verification"]["status"]
        domain = sig["domain"]
        theirs = receiver.get((domain, sig["selector"])) or receiver.get((domain, ""))
        if not verified:
            continue
        forwarded = (
            _arc_passes(report, domain) if ours in ("body-changed", "headers-changed") else None
        )
        if forwarded and forwarded["forwarder"] != domain:
            found.append(
                {
                    "code": "dkim-broken-by-forwarder",
                    "domain": domain,
                    "forwarder": forwarded["forwarder"],
                    "instance": forwarded["instance"],
                    "arc_valid": arc_ok,
                }
            )
            continue
        if theirs == "pass" and ours in _CHANGED:
            found.append({"code": _CHANGED[ours], "domain": domain, "selector": sig["selector"]})
        elif theirs in ("fail", "neutral", "permerror") and ours == "pass":
            found.append({"code": "dkim-receiver-failed", "domain": domain, "receiver": theirs})
    top = report.get("receiver") or {}
    theirs = top.get("dmarc")
    verdict = report["verdict"]
    if theirs in ("pass", "fail") and verdict in ("pass", "fail") and theirs != verdict:
        found.append({"code": "dmarc-differs", "receiver": theirs, "ours": report["verdict"]})
    if report["verdict"] == "fail" and arc_ok:
        sealer = ((report.get("arc") or [{}])[-1].get("seal") or {}).get("domain", "")
        found.append({"code": "arc-may-override", "forwarder": sealer})
    return found


def _receiver_dkim(report: dict[str, Any]) -> dict[tuple[str, str], str]:
    """The topmost Authentication-Results' DKIM result per (d=, s=) and per d= alone."""
    results = report.get("authentication_results") or []
    found: dict[tuple[str, str], str] = {}
    if not results:
        return found
    for result in results[0]["results"]:
        if result["method"] != "dkim":
            continue
        domain = (result["props"].get("header.d") or "").lower()
        selector = (result["props"].get("header.s") or "").lower()
        if domain:
            found.setdefault((domain, selector), result["result"])
            found.setdefault((domain, ""), result["result"])
    return found
