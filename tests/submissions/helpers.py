"""Building submissions for tests: catalog data <-> the entry form's POST data."""

from __future__ import annotations

import datetime as dt

from tests.factories import new_vendor_data

SOURCES = ["https://docs.example.net/auth"]


def form_post(
    data: dict,
    *,
    provenance=SOURCES,
    note: str = "",
    action: str = "submit",
    extra_rows: bool = True,
) -> dict:
    """The POST the entry form sends for `data` (with a blank extra row per list)."""
    last = data.get("last_verified", dt.date(2026, 11, 1))
    post = {
        "action": action,
        "name": data.get("name", ""),
        "slug": data.get("slug", ""),
        "aliases": "\n".join(data.get("aliases", [])),
        "website": data.get("website", ""),
        "categories": list(data.get("categories", [])),
        "summary": data.get("summary", ""),
        "description": data.get("description", ""),
        "last_verified": last.isoformat() if isinstance(last, dt.date) else last,
        "undocumented": "\n".join(data.get("undocumented", [])),
        "no_compliant_explanation": data.get("no_compliant_explanation", ""),
        "provenance": "\n".join(provenance),
        "note": note,
        "homepage": "",
    }
    if data.get("no_compliant_option"):
        post["no_compliant_option"] = "on"
    docs = data.get("documentation", [])
    post["docs-count"] = str(len(docs) + (1 if extra_rows else 0))
    for i, doc in enumerate(docs):
        post[f"docs-{i}-title"] = doc["title"]
        post[f"docs-{i}-url"] = doc["url"]
    methods = data.get("methods", [])
    post["methods-count"] = str(len(methods) + (1 if extra_rows else 0))
    for i, m in enumerate(methods):
        p = f"methods-{i}"
        post[f"{p}-kind"] = m["kind"]
        post[f"{p}-title"] = m["title"]
        if m.get("recommended"):
            post[f"{p}-recommended"] = "on"
        post[f"{p}-order"] = str(m.get("order", ""))
        post[f"{p}-sources"] = "\n".join(m.get("sources", []))
        post[f"{p}-steps"] = m.get("steps", "")
        params = m.get("parameters", [])
        post[f"{p}-parameters-count"] = str(len(params) + (1 if extra_rows else 0))
        for j, param in enumerate(params):
            q = f"{p}-parameters-{j}"
            for key in ("name", "label", "help", "pattern", "example"):
                post[f"{q}-{key}"] = param.get(key, "")
            if param.get("required", True):
                post[f"{q}-required"] = "on"
        records = m.get("records", [])
        post[f"{p}-records-count"] = str(len(records) + (1 if extra_rows else 0))
        for j, record in enumerate(records):
            q = f"{p}-records-{j}"
            for key in ("id", "type", "host", "value", "pattern", "purpose", "selector", "note"):
                post[f"{q}-{key}"] = record.get(key, "")
            post[f"{q}-check"] = record.get("check", "equals")
            post[f"{q}-priority"] = "" if record.get("priority") is None else record["priority"]
            if record.get("required", True):
                post[f"{q}-required"] = "on"
        if extra_rows:
            post[f"{p}-records-{len(records)}-type"] = "CNAME"
            post[f"{p}-records-{len(records)}-check"] = "equals"
            post[f"{p}-records-{len(records)}-required"] = "on"
    return post


# Markup that would run script if any of it reached the page unescaped.
XSS = (
    '<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2">'
    "<svg onload=window.__xss=3>"
)
XSS_MARKDOWN = (
    "Click [here](javascript:window.__xss=4) and "
    '![x](data:image/png;base64,AAAA "onerror=window.__xss=5")\n\n'
    + XSS
    + '\n\n<a href="javascript:window.__xss=6">link</a> <iframe src="javascript:1"></iframe>'
)


def xss_vendor_data(slug: str = "xss-vendor") -> dict:
    """An entry with a script payload in every free-text field the validator allows."""
    data = new_vendor_data(slug, name="XSS " + XSS[:60])
    data.update(
        aliases=["Alias " + XSS[:200]],
        summary="Summary " + XSS[:250],
        description=XSS_MARKDOWN,
        undocumented=["Point " + XSS[:250]],
        documentation=[
            {"title": "Docs " + XSS[:250], "url": "https://docs.example.net/?q=<script>"}
        ],
        no_compliant_explanation=XSS_MARKDOWN,
    )
    method = data["methods"][0]
    method["title"] = "Method " + XSS[:250]
    method["steps"] = XSS_MARKDOWN
    param = method["parameters"][0]
    param.update(label="Label " + XSS[:250], help="Help " + XSS, example="1234")
    method["records"][0].update(
        value="s1.dkim.u{account_id}.example.net" + XSS[:100],
        note="Note " + XSS[:250],
        selector="s1" + XSS[:50],
    )
    method["records"][1].update(host="bounce.{domain}" + XSS[:100])
    return data
