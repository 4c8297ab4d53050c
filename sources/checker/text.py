"""A check report as plain text, for the command line (the same words as the pages)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .explain import explain_policy


def render_text(report: Mapping[str, Any]) -> str:
    """The report as plain text: headline, requirements, DMARC, SPF, DKIM, MX, change plan."""
    out: list[str] = [report.get("headline") or report.get("summary") or "", ""]
    label = report.get("verdict_label")
    verdict = f"{report['verdict']} ({label})" if label else report["verdict"]
    if report.get("requirements"):
        routes = ", ".join(report.get("dmarc_pass_routes") or []) or "none"
        out.append(f"Verdict: {verdict}    DMARC routes in place: {routes}")
    else:
        out.append(f"Verdict: {verdict}")
    if report.get("requirements"):
        method = (report.get("method") or {}).get("title") or ""
        out += ["", f"Requirements ({method}):" if method else "Requirements:"]
        for item in report["requirements"]:
            optional = "" if item.get("required", True) else " (optional)"
            out.append(
                f"  {item['status'].upper():<6} {item['id']}{optional}  {item.get('host') or ''}"
            )
            out.append(f"         expected: {item['expected']}")
            for observed in item.get("observed") or []:
                out.append(f"         found:    {_clip(observed)}")
            if item.get("message"):
                out.append(f"         {item['message']}")
            if item.get("fix"):
                out.append(f"         fix:      {item['fix']}")
    dmarc = report.get("dmarc")
    if dmarc:
        out += ["", "DMARC:"]
        explained = explain_policy(report)
        if dmarc.get("record"):
            out.append(f"  {dmarc['record']}")
            where = dmarc.get("policy_domain")
            org = dmarc.get("organisational_domain")
            out.append(f"  found at _dmarc.{where}; organisational domain {org}")
        if explained:
            out.append(f"  {explained.title}: {explained.text}")
        out += [f"  error: {text}" for text in dmarc.get("errors") or []]
        out += [f"  warning: {text}" for text in dmarc.get("warnings") or []]
    spf = report.get("spf")
    if spf:
        out += ["", "SPF:"]
        out.append(f"  {spf.get('record') or '(no SPF record)'}")
        out.append(f"  {spf['lookups']}/10 DNS lookups, {spf['void_lookups']}/2 void lookups")
        repair = report.get("spf_repair") or {}
        if repair.get("problem") == "multiple":
            out += [f"  record: {text}" for text in repair.get("records") or []]
            out.append(f"  merged, these records need {repair.get('lookups')}/10 DNS lookups")
        for term in repair.get("terms") or []:
            if term.get("lookups"):
                out.append(f"  cost: {term['term']}  {term['lookups']} lookup(s)")
        out += [f"  error: {text}" for text in spf.get("errors") or []]
        out += [f"  warning: {text}" for text in spf.get("warnings") or []]
        tree = spf.get("tree")
        if tree and tree.get("children"):
            out += _tree_lines(tree, "  ")
    if report.get("dkim"):
        out += ["", "DKIM:"]
        for name, key in report["dkim"].items():
            size = f" {key['bits']} bits" if key.get("bits") else ""
            kind = f" {key['key_type']}{size}" if key.get("key_type") else ""
            via = f" (CNAME to {key['cname_target']})" if key.get("cname_target") else ""
            out.append(f"  {name}: {key['status']}{kind}{via}")
            out += [f"    error: {text}" for text in key.get("errors") or []]
            out += [f"    warning: {text}" for text in key.get("warnings") or []]
    elif report.get("dkim_selectors_checked"):
        out += [
            "",
            f"DKIM: none of the {report['dkim_selectors_checked']} selectors known to the "
            "directory has a key here.",
        ]
    mx = report.get("mx")
    if mx:
        records = ", ".join(mx.get("records") or []) or mx.get("status")
        out += ["", f"MX: {records}"]
        out += [f"  error: {text}" for text in mx.get("errors") or []]
    vendors = report.get("catalog_vendors")
    if vendors:
        out += ["", "Vendors these records already authorise:"]
        for vendor in vendors:
            users = ", ".join(user["name"] for user in vendor.get("also_used_by") or ())
            also = f" (also used by {users})" if users else ""
            out.append(
                f"  {vendor['name']} ({vendor['slug']}){also}: {'; '.join(vendor['evidence'])}"
            )
    plan = report.get("change_plan") or {}
    if plan.get("rows") or plan.get("warnings"):
        out += ["", f"DNS change plan (zone {plan.get('zone')}):"]
        out += [f"  warning: {text}" for text in plan.get("warnings") or []]
        if plan.get("zone_file"):
            out += ["", plan["zone_file"].rstrip("\n")]
    stats = report.get("stats") or {}
    out += ["", f"{stats.get('queries', 0)} DNS queries in {stats.get('elapsed_ms', 0):.0f} ms."]
    return "\n".join(out) + "\n"


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tree_lines(node: Mapping[str, Any], indent: str) -> list[str]:
    label = node.get("term") or node.get("domain")
    cost = node.get("branch_lookups", node.get("lookups", 0))
    lines = [f"{indent}{label}  [{cost} lookup{'s' if cost != 1 else ''}] {node.get('status', '')}"]
    for child in node.get("children") or []:
        lines += _tree_lines(child, indent + "  ")
    return lines


def render_trace(report: Mapping[str, Any], width: int = 40) -> str:
    """Each DNS lookup's start and end as a timeline (check_domain --trace)."""
    trace = (report.get("stats") or {}).get("trace") or []
    if not trace:
        return "No DNS lookups were sent.\n"
    total = max(entry["end_ms"] for entry in trace) or 1.0
    lines = [
        f"DNS timeline: {len(trace)} lookups, {total:.0f} ms from the first to the last answer"
    ]
    for entry in trace:
        start = int(entry["start_ms"] / total * width)
        end = max(start + 1, int(entry["end_ms"] / total * width))
        bar = " " * start + "#" * (end - start) + " " * (width - end)
        lines.append(
            f"  {entry['start_ms']:7.1f} {entry['end_ms']:7.1f} ms |{bar}| "
            f"{entry['type']:<5} {entry['name']} ({entry['status']})"
        )
    return "\n".join(lines) + "\n"
