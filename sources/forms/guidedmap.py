"""The guided entry form's answers as a catalog entry.

A product manager answers plain questions ("customers create two CNAMEs, s1 and s2,
pointing at our keys"); `guided_entry()` writes the entry in catalog-file form, the
same data the raw form and the API submit, so that validation, moderation and the
preview are the catalog's own. It also returns where each part of the entry came
from (`Origins`), so that a validator error naming `methods[0].records[1].value` is
shown beside the question that produced it.

Pure functions over plain values: the form parses and checks each answer alone; this
module only assembles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
# What a per-account part of a name may be when the checker has to recognise it unaided.
ACCOUNT_PART = "[a-z0-9_-]+"

# The routes a vendor may offer, best first (DESIGN.md): the order of the methods.
ROUTES = ("ns", "dkim", "return_path", "spf", "relay", "credentials")


@dataclass(frozen=True)
class DkimKey:
    selector: str
    target: str
    line: int  # 1-based line of the answer it came from


@dataclass
class Origins:
    """Where each catalog path came from: (question, line or None)."""

    paths: dict[str, tuple[str, int | None]] = field(default_factory=dict)

    def add(self, path: str, question: str, line: int | None = None) -> None:
        self.paths[path] = (question, line)

    def find(self, path: str) -> tuple[str, int | None] | None:
        """The question behind `path` or behind the nearest part that contains it."""
        while path:
            if path in self.paths:
                return self.paths[path]
            path = re.sub(r"(\.[a-z_]+|\[\d+\])$", "", path)
            if path in self.paths:
                return self.paths[path]
            if "." not in path and "[" not in path:
                break
        return None


def placeholders(text: str) -> list[str]:
    """The {names} in a template, in order, without repeats."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text or "")))


def host_in_domain(label: str) -> str:
    """'bounce' -> 'bounce.{domain}': a name the customer creates in their own domain."""
    label = label.strip().rstrip(".")
    if label.endswith("{domain}"):
        return label
    return f"{label}.{{domain}}" if label else "{domain}"


def value_pattern(template: str) -> str:
    """A regular expression matching a template's values for any account, so that the
    checker can test a record without being told the account's value."""
    parts = PLACEHOLDER.split(template.lower().rstrip("."))
    # split() alternates text and placeholder names: escape the text, widen the names.
    out = [
        re.escape(part) if i % 2 == 0 else r"\{domain\}" if part == "domain" else ACCOUNT_PART
        for i, part in enumerate(parts)
    ]
    return "^" + "".join(out) + "$"


def record_id(prefix: str, name: str, taken: set[str]) -> str:
    """A record id unique within its method ('dkim-s1', 'dkim-2')."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-")
    candidate = f"{prefix}-{base}" if base and not PLACEHOLDER.search(name) else prefix
    number = 1
    unique = candidate
    while unique in taken:
        number += 1
        unique = f"{candidate}-{number}"
    taken.add(unique)
    return unique


def _parameters(records: list[dict], account: dict) -> list[dict]:
    names: list[str] = []
    for record in records:
        for key in ("host", "value", "selector"):
            names += [n for n in placeholders(record.get(key, "")) if n != "domain"]
    params = []
    for name in dict.fromkeys(names):
        label = account["label"] if name == "account" else name.replace("_", " ").capitalize()
        params.append(
            {
                "name": name,
                "label": label or "Account identifier",
                "help": account["help"] if name == "account" else "",
                "pattern": "",
                "example": account["example"] if name == "account" else "",
                "required": True,
            }
        )
    return params


def _dkim_records(keys: list[DkimKey], origins: Origins, path: str, taken: set[str]) -> list:
    records = []
    for key in keys:
        selector = key.selector
        records.append(
            {
                "id": record_id("dkim", selector, taken),
                "type": "CNAME",
                "host": host_in_domain(f"{selector}._domainkey"),
                "value": key.target,
                "check": "equals",
                "pattern": value_pattern(key.target) if placeholders(key.target) else "",
                "purpose": "dkim",
                "selector": selector,
                "priority": None,
                "required": True,
                "note": "",
            }
        )
        origins.add(f"{path}.records[{len(records) - 1}]", "dkim_keys", key.line)
    return records


def _return_path_record(answers: dict, taken: set[str]) -> dict:
    target = answers["rp_target"]
    return {
        "id": record_id("bounce", "", taken),
        "type": "CNAME",
        "host": host_in_domain(answers["rp_host"]),
        "value": target,
        "check": "equals",
        "pattern": value_pattern(target) if placeholders(target) else "",
        "purpose": "return-path",
        "selector": "",
        "priority": None,
        "required": True,
        "note": "",
    }


def _steps(answers: dict, route: str, default: str) -> str:
    return answers.get(f"{route}_steps") or default


def _sources(answers: dict, route: str, fallback: list[str]) -> list[str]:
    return list(answers.get(f"{route}_sources") or fallback)


def guided_methods(answers: dict, fallback_sources: list[str]) -> tuple[list[dict], Origins]:
    """The setup methods the answers describe, best first, with their origins."""
    routes = set(answers.get("routes") or ())
    origins = Origins()
    methods: list[dict] = []

    def add(route: str, kind: str, title: str, records: list[dict], steps: str, **extra):
        path = f"methods[{len(methods)}]"
        method = {
            "kind": kind,
            "title": title,
            "recommended": not methods,
            "order": len(methods) + 1,
            "sources": _sources(answers, route, fallback_sources),
            "steps": _steps(answers, route, steps),
            "parameters": _parameters(records, answers["account"]),
            "records": records,
            **extra,
        }
        origins.add(path, "routes")
        origins.add(f"{path}.sources", f"{route}_sources")
        origins.add(f"{path}.steps", f"{route}_steps")
        origins.add(f"{path}.parameters", "account_label")
        origins.add(f"{path}.title", "routes")
        methods.append(method)
        return path

    dns_step = "Create the records below at your DNS provider."
    if "ns" in routes:
        taken: set[str] = set()
        host = host_in_domain(answers["ns_host"])
        records = []
        path = f"methods[{len(methods)}]"
        for i, server in enumerate(answers["ns_servers"]):
            records.append(
                {
                    "id": record_id("ns", str(i + 1), taken),
                    "type": "NS",
                    "host": host,
                    "value": server,
                    "check": "equals",
                    "pattern": "",
                    "purpose": "delegation",
                    "selector": "",
                    "priority": None,
                    "required": True,
                    "note": "",
                }
            )
            origins.add(f"{path}.records[{i}]", "ns_servers", i + 1)
            origins.add(f"{path}.records[{i}].host", "ns_host")
        add(
            "ns",
            "subdomain-ns",
            "Subdomain delegation to our name servers",
            records,
            "Delegate the subdomain to the name servers below (NS records at your DNS provider).",
        )

    together = "dkim" in routes and "return_path" in routes and answers.get("together")
    if together:
        taken = set()
        path = f"methods[{len(methods)}]"
        records = _dkim_records(answers["dkim_keys"], origins, path, taken)
        records.append(_return_path_record(answers, taken))
        origins.add(f"{path}.records[{len(records) - 1}]", "rp_target")
        origins.add(f"{path}.records[{len(records) - 1}].host", "rp_host")
        add(
            "dkim",
            "cname-delegation",
            "CNAMEs for DKIM keys and the bounce domain",
            records,
            dns_step,
        )
    else:
        if "dkim" in routes:
            path = f"methods[{len(methods)}]"
            records = _dkim_records(answers["dkim_keys"], origins, path, set())
            add("dkim", "dkim-cname", "DKIM keys hosted by us (CNAME)", records, dns_step)
        if "return_path" in routes:
            path = f"methods[{len(methods)}]"
            records = [_return_path_record(answers, set())]
            origins.add(f"{path}.records[0]", "rp_target")
            origins.add(f"{path}.records[0].host", "rp_host")
            add(
                "return_path",
                "return-path",
                "Custom bounce (Return-Path) domain",
                records,
                dns_step,
            )

    if "spf" in routes:
        path = f"methods[{len(methods)}]"
        record = {
            "id": "spf",
            "type": "TXT",
            "host": "{domain}",
            "value": f"include:{answers['spf_include']}",
            "check": "spf-include",
            "pattern": "",
            "purpose": "spf",
            "selector": "",
            "priority": None,
            "required": True,
            "note": "",
        }
        origins.add(f"{path}.records[0]", "spf_include")
        # SPF aligns only when the vendor's mail uses the customer's domain as envelope
        # sender; otherwise the include is listed but earns no SPF credit (FORMAT.md).
        extra = {"aligns": ["spf"]} if answers.get("spf_aligned") else {}
        add(
            "spf",
            "spf-include",
            "SPF include",
            [record],
            "Add the include below to your domain's SPF record (one SPF record per domain: "
            "merge it into the existing one).",
            **extra,
        )
        if extra:
            origins.add(f"{path}.aligns", "spf_aligned")

    if "relay" in routes:
        add(
            "relay",
            "smtp-relay",
            "Relay through your own mail server",
            [],
            "Give us your mail server's SMTP address and credentials; your own server then "
            "signs and sends the mail.",
        )
    if "credentials" in routes:
        add(
            "credentials",
            "customer-credentials",
            "Send with your own mailbox",
            [],
            "Connect the mailbox we send from (for example in Gmail or Microsoft 365); your "
            "mail provider then signs and sends the mail.",
        )
    return methods, origins


def guided_entry(answers: dict, *, slug: str) -> tuple[dict, Origins]:
    """The whole entry in catalog-file form, and where each part of it came from."""
    docs = [{"title": title, "url": url} for title, url, _ in answers["documentation"]]
    doc_urls = [url for _, url, _ in answers["documentation"]]
    methods, origins = guided_methods(answers, doc_urls)
    for index, (_, _, line) in enumerate(answers["documentation"]):
        origins.add(f"documentation[{index}]", "documentation", line)
    data = {
        "slug": slug,
        "name": answers["name"],
        "aliases": [],
        "website": answers["website"],
        "categories": list(answers["categories"]),
        "summary": answers["summary"],
        "description": answers.get("description", ""),
        "last_verified": answers["last_verified"],
        "undocumented": list(answers.get("undocumented") or []),
        "no_compliant_option": False,
        "no_compliant_explanation": "",
        "documentation": docs,
        "methods": methods,
    }
    return data, origins


def guided_provenance(data: dict) -> list[str]:
    """The documentation an entry cites, as the submission's sources."""
    urls = [doc["url"] for doc in data["documentation"]]
    for method in data["methods"]:
        urls += method["sources"]
    return list(dict.fromkeys(urls))
