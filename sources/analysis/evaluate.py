"""A message's authentication, evaluated again: DKIM verified, SPF re-evaluated, DMARC
alignment per route, and the receiver's own results beside ours.

`analyze(raw, resolver=...)` returns one JSON-ready dict (see `analysis_shape` in
the tests for every key). It holds codes and parameters, never sentences: the site
and the command line put them into words. Only the header fields the report shows
are in it, never the body.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

from sources.checker.dmarc import aligned, discover_dmarc, find_organisational_domain
from sources.checker.dns import Resolver
from sources.checker.spf_eval import check_host

from .disagreements import disagreements
from .fields import (
    arc_instance,
    authentication_results,
    dkim_signature,
    from_addresses,
    received,
    received_spf,
    return_path,
    short,
    tags,
)
from .message import ParsedMessage, parse_message
from .verify import fetch_keys, key_summary, verify_arc, verify_signature

MAX_HOPS = 100  # RFC 5321 6.3: more Received fields than this means a loop
MAX_SIGNATURES = 10
MAX_AUTH_RESULTS = 20
# Characters of one field the readers look at: far more than any real field, and it keeps
# a 2 MB field of garbage from costing more than a normal one.
MAX_FIELD_READ = 8000


async def analyze(raw: bytes | str, *, resolver: Resolver) -> dict[str, Any]:
    """Analyse a message or its header block; MessageInputError for input that is neither."""
    message = parse_message(raw)
    started = time.monotonic()
    report = read_headers(message)
    await _evaluate(message, report, resolver)
    report["stats"] = {
        "queries": resolver.stats.queries,
        "elapsed_ms": round((time.monotonic() - started) * 1000, 1),
    }
    return report


def read_headers(message: ParsedMessage) -> dict[str, Any]:
    """Everything the header fields say, before any lookup."""
    problems = list(message.problems)
    authors = [a for f in message.all("From") for a in from_addresses(f.value[:MAX_FIELD_READ])]
    domains = sorted({a["domain"] for a in authors if a["domain"]})
    if not message.all("From"):
        problems.append({"code": "no-from"})
    elif len(message.all("From")) > 1 or len(domains) > 1:
        problems.append({"code": "multiple-from", "domains": domains})
    elif not domains:
        problems.append({"code": "unreadable-from"})
    signatures = [
        dkim_signature(f.value[:MAX_FIELD_READ], i)
        for i, f in enumerate(message.all("DKIM-Signature")[:MAX_SIGNATURES])
    ]
    hops_all = message.all("Received")
    hops = [received(f.value[:MAX_FIELD_READ], i) for i, f in enumerate(hops_all[:MAX_HOPS])]
    _delays(hops)
    if len(hops_all) > MAX_HOPS:
        problems.append({"code": "too-many-received", "count": len(hops_all), "shown": MAX_HOPS})
    results = [
        authentication_results(f.value[:MAX_FIELD_READ])
        for f in message.all("Authentication-Results")[:MAX_AUTH_RESULTS]
    ]
    subject_lists = message.first("List-Id")
    return {
        "mode": "message" if message.has_body else "headers",
        "problems": problems,
        "from": {"addresses": authors[:5], "domain": domains[0] if len(domains) == 1 else None},
        "return_path": _return_path(message, results),
        "message_id": short(message.first("Message-ID").value, 300)
        if message.first("Message-ID")
        else "",
        "list_id": short(subject_lists.value, 300) if subject_lists else "",
        "dkim": signatures,
        "arc": _arc_sets(message),
        "authentication_results": results,
        "received_spf": [
            received_spf(f.value[:MAX_FIELD_READ]) for f in message.all("Received-SPF")[:10]
        ],
        "received": {"hops": hops, "count": len(hops_all)},
    }


def _return_path(message: ParsedMessage, results: list[dict[str, Any]]) -> dict[str, Any] | None:
    field = message.first("Return-Path")
    if field is not None:
        return {**return_path(field.value), "source": "return-path"}
    for item in results:
        for result in item["results"]:
            if result["method"] == "spf" and "smtp.mailfrom" in result["props"]:
                return {**return_path(result["props"]["smtp.mailfrom"]), "source": "receiver"}
    return None


def _arc_sets(message: ParsedMessage) -> list[dict[str, Any]]:
    sets: dict[int, dict[str, Any]] = {}
    for name, key in (
        ("ARC-Seal", "seal"),
        ("ARC-Message-Signature", "message_signature"),
        ("ARC-Authentication-Results", "results"),
    ):
        for field in message.all(name):
            instance = arc_instance(field.value)
            if instance is None or instance > 50:
                continue
            entry = sets.setdefault(instance, {"instance": instance})
            if key == "results":
                entry[key] = authentication_results(field.value[:MAX_FIELD_READ].partition(";")[2])
            else:
                found = tags(field.value[:MAX_FIELD_READ])
                entry[key] = {
                    "domain": short(found.get("d", "").lower(), 253),
                    "selector": short(found.get("s", "").lower(), 253),
                    **({"cv": short(found.get("cv", ""), 10)} if key == "seal" else {}),
                }
    return [sets[i] for i in sorted(sets)]


def _delays(hops: list[dict[str, Any]]) -> None:
    """Each hop's delay: the time since the hop below it (the one before it in transit)."""
    for position, hop in enumerate(hops):
        hop["delay_seconds"] = None
        below = hops[position + 1] if position + 1 < len(hops) else None
        if below and hop["date"] and below["date"]:
            seconds = (
                datetime.fromisoformat(hop["date"]) - datetime.fromisoformat(below["date"])
            ).total_seconds()
            hop["delay_seconds"] = int(seconds)


# -- lookups ------------------------------------------------------------------------------


def _connecting_hop(report: dict[str, Any]) -> dict[str, Any] | None:
    """The first hop from outside the receiver: the topmost Received with a public address."""
    for hop in report["received"]["hops"]:
        if hop["from_ip"] and not hop["internal"]:
            return hop
    return None


def _client(report: dict[str, Any]) -> tuple[str | None, str]:
    """(address, HELO name) of the server that handed the message to the receiver: as the
    receiver's Received-SPF states it, else from the Received chain."""
    hop = _connecting_hop(report)
    helo = hop["from_helo"] if hop else ""
    for item in report["received_spf"]:
        if item.get("client_ip"):
            return item["client_ip"], item.get("helo") or helo
    return (hop["from_ip"], helo) if hop else (None, "")


def connecting_ip(report: dict[str, Any]) -> str | None:
    """The address of the first hop from outside the receiver, if the fields tell it."""
    return _client(report)[0]


def unevaluated(report: dict[str, Any]) -> dict[str, Any]:
    """A report whose lookups did not finish in time: the header fields, verdict unknown."""
    for sig in report["dkim"]:
        sig.update(key={"status": "not-looked-up"}, aligned=None, passes=False)
        sig["verification"] = {"status": "key-error", "detail": ""}
    report.update(
        spf=None,
        dmarc=None,
        alignment=None,
        dmarc_pass_routes=[],
        verdict="unknown",
        verdict_basis="verified" if report["mode"] == "message" else "headers",
        receiver=_receiver(report),
        disagreements=[],
    )
    return report


def _spf_input(report: dict[str, Any]) -> dict[str, Any] | None:
    ip, helo = _client(report)
    if not ip:
        return None
    path = report["return_path"] or {}
    sender = path.get("address") or ""
    domain = path.get("domain") or (helo if not sender else None)
    if not domain:
        return None
    return {"ip": ip, "helo": helo, "sender": sender, "domain": domain}


async def _spf(resolver: Resolver, spf_in: dict[str, Any] | None) -> dict[str, Any] | None:
    if spf_in is None:
        return None
    try:
        result = await check_host(
            resolver, spf_in["ip"], spf_in["domain"], spf_in["sender"], spf_in["helo"]
        )
    except ValueError:
        return {**spf_in, "result": "none", "reason": "bad-ip", "mechanism": None}
    return {
        **spf_in,
        "result": result.result,
        "reason": short(result.reason, 300),
        "mechanism": result.mechanism,
        "return_path_cname": None,
    }


async def _evaluate(message: ParsedMessage, report: dict[str, Any], resolver: Resolver) -> None:
    from_domain = report["from"]["domain"]
    pairs = [(sig["selector"], sig["domain"]) for sig in report["dkim"]]
    for arc in report["arc"]:
        for key in ("seal", "message_signature"):
            if key in arc:
                pairs.append((arc[key]["selector"], arc[key]["domain"]))
    spf_in = _spf_input(report)
    dmarc_task = discover_dmarc(resolver, from_domain) if from_domain else _none()
    keys, spf, dmarc = await asyncio.gather(
        fetch_keys(resolver, pairs), _spf(resolver, spf_in), dmarc_task
    )
    if spf is not None:
        # A return-path domain that is a CNAME (a vendor's bounce host) shows whose it is.
        answer = await resolver.query(spf["domain"], "TXT")
        spf["return_path_cname"] = answer.cname_chain[-1] if answer.cname_chain else None
    for sig in report["dkim"]:
        key = keys.get((sig["selector"], sig["domain"]))
        sig["key"] = key_summary(key)
        if message.has_body:
            sig["verification"] = verify_signature(message.raw, sig["index"], key, keys)
        else:
            sig["verification"] = {"status": "not-verified", "detail": ""}
    if report["arc"]:
        if message.has_body:
            report["arc_validation"] = verify_arc(message.raw, keys)
        else:
            report["arc_validation"] = {"cv": "not-verified", "reason": "", "sets": []}
    report["spf"] = spf
    report["dmarc"] = _dmarc_summary(dmarc)
    await _alignment(report, resolver, dmarc)
    report["receiver"] = _receiver(report)
    report["disagreements"] = disagreements(report)


async def _none() -> None:
    return None


def _dmarc_summary(dmarc: Any) -> dict[str, Any] | None:
    if dmarc is None:
        return None
    return {
        "domain": dmarc.domain,
        "status": dmarc.status,
        "record": dmarc.record_text,
        "policy": dmarc.policy,
        "policy_domain": dmarc.policy_domain,
        "organisational_domain": dmarc.organisational_domain,
        "adkim": dmarc.adkim,
        "aspf": dmarc.aspf,
        "testing": dmarc.testing,
        "errors": list(dmarc.errors),
    }


def receiver_dkim_pass(report: dict[str, Any]) -> dict[str, str]:
    """Signing domains the receiver recorded a DKIM pass for (topmost results first)."""
    passed: dict[str, str] = {}
    for item in report["authentication_results"]:
        for result in item["results"]:
            domain = result["props"].get("header.d") or result["props"].get("header.i", "")
            domain = domain.rpartition("@")[2].lower()
            if result["method"] == "dkim" and domain:
                passed.setdefault(domain, result["result"])
    return passed


async def _alignment(report: dict[str, Any], resolver: Resolver, dmarc: Any) -> None:
    from_domain = report["from"]["domain"]
    verified = report["mode"] == "message"
    receiver = receiver_dkim_pass(report)
    candidates = {sig["domain"] for sig in report["dkim"]} | set(receiver)
    spf = report["spf"]
    if spf:
        candidates.add(spf["domain"])
    orgs: dict[str, str] = {}
    if from_domain:
        names = sorted(candidates | {from_domain})
        found = await asyncio.gather(*(find_organisational_domain(resolver, n) for n in names))
        orgs = {name: org.domain for name, org in zip(names, found, strict=True)}
    adkim = dmarc.adkim if dmarc else "r"
    aspf = dmarc.aspf if dmarc else "r"

    def is_aligned(domain: str, mode: str) -> bool | None:
        if not from_domain or not domain:
            return None
        return aligned(from_domain, domain, mode, org_domain_of=lambda n: orgs.get(n, n))

    dkim_pass = None
    for sig in report["dkim"]:
        sig["aligned"] = is_aligned(sig["domain"], adkim)
        if verified:
            passes = sig["verification"]["status"] == "pass"
        else:
            passes = receiver.get(sig["domain"]) == "pass"
        sig["passes"] = passes
        if passes and sig["aligned"] and dkim_pass is None:
            dkim_pass = sig["domain"]
    if not verified and dkim_pass is None:
        # The receiver's word for a signature the pasted headers no longer carry.
        for domain, result in receiver.items():
            if result == "pass" and is_aligned(domain, adkim):
                dkim_pass = domain
                break
    spf_aligned = is_aligned(spf["domain"], aspf) if spf else None
    spf_pass = bool(spf and spf["result"] == "pass" and spf_aligned)
    if spf:
        spf["aligned"] = spf_aligned
    report["alignment"] = {
        "adkim": adkim,
        "aspf": aspf,
        "dkim": {"pass": dkim_pass is not None, "domain": dkim_pass},
        "spf": {"pass": spf_pass, "domain": spf["domain"] if spf else None},
        "organisational_domains": orgs,
    }
    report["dmarc_pass_routes"] = [
        route for route in ("dkim", "spf") if report["alignment"][route]["pass"]
    ]
    report["verdict"] = _verdict(report, dmarc)
    report["verdict_basis"] = "verified" if verified else "headers"


def _verdict(report: dict[str, Any], dmarc: Any) -> str:
    codes = {problem["code"] for problem in report["problems"]}
    if codes & {"no-from", "multiple-from", "unreadable-from"}:
        return "fail"
    unknown_modes = dmarc is not None and dmarc.status == "error"
    if report["dmarc_pass_routes"]:
        from_domain = report["from"]["domain"]
        strict = [
            r
            for r in report["dmarc_pass_routes"]
            if report["alignment"][r]["domain"] == from_domain
        ]
        # Without the record, adkim/aspf are unknown: only an identical domain surely aligns.
        return "pass" if strict or not unknown_modes else "unknown"
    temporary = unknown_modes
    temporary |= any(
        sig.get("verification", {}).get("status") == "key-error" for sig in report["dkim"]
    )
    temporary |= bool(report["spf"] and report["spf"]["result"] == "temperror")
    return "unknown" if temporary else "fail"


def _receiver(report: dict[str, Any]) -> dict[str, Any] | None:
    """The receiver's own verdicts, from the topmost Authentication-Results."""
    if not report["authentication_results"]:
        return None
    top = report["authentication_results"][0]
    words: dict[str, str] = {}
    for result in top["results"]:
        words.setdefault(result["method"], result["result"])
    return {
        "authserv_id": top["authserv_id"],
        "dmarc": words.get("dmarc"),
        "dkim": words.get("dkim"),
        "spf": words.get("spf"),
        "arc": words.get("arc"),
    }
