"""Template helpers for the checker's pages."""

from django import template

register = template.Library()

STATUS_LABELS = {
    "pass": "Pass",
    "fail": "Fail",
    "warn": "Warning",
    "error": "Lookup failed: retry",
    "partial": "Partly",
}
VERDICT_LABELS = {
    "pass": "Passes DMARC",
    "partial": "Passes, with problems",
    "fail": "Fails DMARC",
    "error": "Unknown: lookups failed",
}
GENERIC_VERDICT_LABELS = {
    "pass": "DMARC enforced",
    "partial": "DMARC incomplete",
    "fail": "No DMARC policy",
    "error": "Unknown: lookups failed",
}
DKIM_STATUS_LABELS = {
    "found": "Key found",
    "missing": "No key",
    "invalid": "Invalid key",
    "revoked": "Revoked key",
    "error": "Lookup failed: retry",
}


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template, or an empty string."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


@register.filter
def verdict_label(verdict: str, requirements=None) -> str:
    """The verdict in words; a report without vendor records judges the domain's own DMARC."""
    if requirements is not None and not requirements:
        return GENERIC_VERDICT_LABELS.get(verdict, verdict)
    return VERDICT_LABELS.get(verdict, verdict)


@register.filter
def dkim_status_label(status: str) -> str:
    return DKIM_STATUS_LABELS.get(status, status)


@register.simple_tag
def method_titles_for(form, kinds) -> str:
    """Titles of the methods a parameter is used by, when the vendor has several."""
    if not form.has_several_methods:
        return ""
    titles = form.method_titles()
    return "; ".join(titles.get(kind, kind) for kind in kinds)


@register.filter
def unicode_name(name: str) -> str:
    """The Unicode form of a name with xn-- labels ("" when it has none, or is not valid)."""
    if "xn--" not in (name or ""):
        return ""
    try:
        return name.encode("ascii").decode("idna")
    except UnicodeError:
        return ""


@register.filter
def trace_rows(stats) -> list[dict]:
    """The result page's DNS timeline: each lookup with its bar on a 0-1000 scale."""
    trace = (stats or {}).get("trace") or []
    total = max((entry["end_ms"] for entry in trace), default=0) or 1.0
    rows = []
    for entry in trace:
        x = round(entry["start_ms"] / total * 1000)
        width = max(4, round((entry["end_ms"] - entry["start_ms"]) / total * 1000))
        rows.append({**entry, "x": x, "width": min(width, 1000 - x) or 4})
    return rows
