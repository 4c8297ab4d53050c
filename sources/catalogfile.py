"""The catalog file format: validation and canonical serialisation.

Pure Python (no Django) so that the import command, the submission forms and
the command line (`python -m sources.catalogfile FILE...`) share one validator.
The format is documented in sources/catalog/FORMAT.md.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sources.catalogtemplates import PLACEHOLDER_RE, placeholders  # noqa: F401 - re-exported
from sources.checker import userpatterns

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
CATEGORIES_FILE = "categories.toml"

METHOD_KINDS = {
    "subdomain-ns": "Subdomain delegation (NS)",
    "cname-delegation": "CNAME delegation",
    "return-path": "Custom return-path domain",
    "dkim-cname": "DKIM by CNAME",
    "dkim-txt": "DKIM by TXT key",
    "spf-include": "SPF include",
    "smtp-relay": "Relay through your SMTP server",
    "customer-credentials": "Send with your mailbox credentials",
}
RECORD_TYPES = ("CNAME", "TXT", "MX", "NS")
CHECKS = ("equals", "spf-include", "dkim-key", "exists")
PURPOSES = ("return-path", "dkim", "spf", "delegation", "tracking", "verification")
# Where a fact comes from (FORMAT.md, "Evidence"): the vendor's own pages, two or
# more independent third-party guides that agree, or the vendor's verified PM.
EVIDENCE = ("vendor-docs", "secondary", "vendor-verified")
ROUTES = ("spf", "dkim")
# Lists left out of a file when empty, so that entries without them stay byte-stable.
OPTIONAL_LISTS = {"known_selectors", "sources", "not_aligned", "related"}

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PARAM_RE = re.compile(r"^[a-z][a-z0-9_]*$")
RECORD_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
MAX_TEXT = 20_000
MAX_LINE = 300


class CatalogError(ValueError):
    """A catalog entry is invalid; names the file and the field at fault."""

    def __init__(self, source: str, field: str, message: str) -> None:
        self.source, self.field, self.message = source, field, message
        where = f"{source}: {field}" if field else source
        super().__init__(f"{where}: {message}")


class _Reader:
    """Reads typed fields from one table, remembering where it is for errors."""

    def __init__(self, source: str, prefix: str, table: Any) -> None:
        self.source, self.prefix = source, prefix
        if not isinstance(table, dict):
            raise CatalogError(source, prefix or "(top level)", "must be a table")
        self.table = table
        self.seen: set[str] = set()

    def path(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def error(self, key: str, message: str) -> CatalogError:
        return CatalogError(self.source, self.path(key), message)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        self.seen.add(key)
        if key not in self.table:
            if default is ...:
                raise self.error(key, "is required")
            return default
        value = self.table[key]
        if value is None and default is not ...:
            return default
        if kind is int and isinstance(value, bool):
            raise self.error(key, "must be an integer")
        if not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise self.error(key, f"must be of type {names}, not {type(value).__name__}")
        return value

    def text(self, key: str, *, default: Any = ..., limit: int = MAX_LINE) -> str:
        value = normalise_text(self.get(key, str, default))
        if len(value) > limit:
            raise self.error(key, f"is longer than {limit} characters")
        if not value and default is ...:
            raise self.error(key, "must not be empty")
        problem = text_problem(value)
        if problem:
            raise self.error(key, problem)
        return value

    def choice(self, key: str, choices, *, default: Any = ...) -> str:
        """A text field that must be one of `choices`."""
        value = self.text(key, default=default)
        if value not in choices:
            raise self.error(key, f"must be one of {', '.join(choices)}")
        return value

    def strings(self, key: str, *, default: Any = ...) -> list[str]:
        values = self.get(key, list, default)
        for i, item in enumerate(values):
            if not isinstance(item, str) or not item.strip():
                raise self.error(f"{key}[{i}]", "must be a non-empty string")
            if len(item) > MAX_LINE:
                raise self.error(f"{key}[{i}]", f"is longer than {MAX_LINE} characters")
            problem = text_problem(item)
            if problem:
                raise self.error(f"{key}[{i}]", problem)
        return [normalise_text(item) for item in values]

    def url(self, key: str) -> str:
        return check_url(self.text(key), self.source, self.path(key))

    def tables(self, key: str) -> list[dict]:
        values = self.get(key, list, [])
        return values

    def finish(self) -> None:
        unknown = sorted(set(self.table) - self.seen)
        if unknown:
            raise self.error(unknown[0], "is not a known field")


def normalise_text(value: str) -> str:
    """Text as stored: LF line endings, no trailing spaces on a line, no blank lines or
    spaces around it (so no final newline).

    Every way in (catalog files, web forms, the API, the admin) goes through this, so a
    browser's CRLF or an editor's trailing space never counts as a change.
    """
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if "\n" in value:
        value = "\n".join(line.rstrip() for line in value.split("\n"))
    return value.strip()


def text_problem(value: str) -> str:
    """Why `value` cannot be stored as text (PostgreSQL refuses both), or ''."""
    if "\x00" in value:
        return "contains a NUL character"
    if not value.isascii() and _SURROGATE_RE.search(value):
        return "contains a lone surrogate, which is not a character"
    return ""


def check_url(value: str, source: str, field: str) -> str:
    """Accept only well-formed https URLs with a host name."""
    try:
        parts = urlsplit(value)
        hostname = parts.hostname or ""
    except ValueError:  # an unclosed [IPv6 literal, a port that is not a number
        hostname = ""
        parts = None
    if (
        parts is None
        or parts.scheme != "https"
        or " " in value
        or "." not in hostname
        or text_problem(value)
    ):
        raise CatalogError(source, field, f"must be an https URL, not {echo_safe(value)!r}")
    return value


def echo_safe(value: str) -> str:
    """`value` with lone surrogates escaped, so that an error message can echo it."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _regex(reader: _Reader, key: str) -> str:
    pattern = reader.text(key, default="", limit=500)
    if pattern:
        try:
            userpatterns.validate_pattern(pattern)
        except userpatterns.PatternError as exc:
            raise reader.error(key, str(exc)) from None
    return pattern


def _evidence(r: _Reader, sources: list[str], *, required: bool) -> str:
    """The evidence tier of a fact; `secondary` needs two or more cited guides."""
    evidence = r.choice("evidence", EVIDENCE, default="vendor-docs")
    if evidence == "secondary" and len(sources) < 2:
        raise r.error("sources", "must cite at least two independent guides for secondary evidence")
    if required and not sources:
        raise r.error("sources", "must cite at least one source")
    return evidence


def _sources(r: _Reader, key: str = "sources") -> list[str]:
    urls = r.strings(key, default=[])
    for i, url in enumerate(urls):
        check_url(url, r.source, r.path(f"{key}[{i}]"))
    return urls


def _template(reader: _Reader, key: str, declared: set[str], *, default: Any = ...) -> str:
    value = reader.text(key, default=default, limit=2000)
    if value.count("{") != value.count("}"):
        raise reader.error(key, "has unbalanced braces")
    for name in sorted(placeholders(value)):
        if name != "domain" and name not in declared:
            raise reader.error(key, f"uses {{{name}}}, which is not a declared parameter")
    return value


def _parameter(source: str, prefix: str, table: Any) -> dict:
    r = _Reader(source, prefix, table)
    name = r.text("name")
    if not PARAM_RE.match(name) or name == "domain":
        raise r.error("name", "must be lowercase letters, digits and _ (and not 'domain')")
    param = {
        "name": name,
        "label": r.text("label"),
        "help": r.text("help", default="", limit=1000),
        "pattern": _regex(r, "pattern"),
        "example": r.text("example", default=""),
        "required": r.get("required", bool, True),
    }
    if param["pattern"] and param["example"]:
        try:
            matches = userpatterns.fullmatch(param["pattern"], param["example"])
        except userpatterns.PatternError as exc:
            raise r.error("pattern", str(exc)) from None
        if not matches:
            raise r.error("example", "does not match the parameter's pattern")
    r.finish()
    return param


def _record(source: str, prefix: str, table: Any, declared: set[str]) -> dict:
    r = _Reader(source, prefix, table)
    record_id = r.text("id")
    if not RECORD_ID_RE.match(record_id):
        raise r.error("id", "must be lowercase letters, digits and hyphens")
    rtype = r.text("type").upper()
    if rtype not in RECORD_TYPES:
        raise r.error("type", f"must be one of {', '.join(RECORD_TYPES)}")
    check = r.choice("check", CHECKS, default="equals")
    purpose = r.choice("purpose", PURPOSES)
    record = {
        "id": record_id,
        "type": rtype,
        "host": _template(r, "host", declared),
        "value": _template(r, "value", declared, default=""),
        "check": check,
        "pattern": _regex(r, "pattern"),
        "purpose": purpose,
        "selector": _template(r, "selector", declared, default=""),
        "priority": r.get("priority", int, None),
        "required": r.get("required", bool, True),
        "note": r.text("note", default=""),
        "known_selectors": r.strings("known_selectors", default=[]),
    }
    # A record may cite its own sources (and tier) when they differ from its method's.
    record["sources"] = _sources(r)
    record["evidence"] = ""
    r.seen.add("evidence")
    if record["sources"] or r.table.get("evidence"):
        record["evidence"] = _evidence(r, record["sources"], required=True)
    if "{domain}" not in record["host"]:
        raise r.error("host", "must contain {domain} (records live in the customer's zone)")
    if check in ("equals", "spf-include") and not record["value"]:
        raise r.error("value", f"is required when check = {check!r}")
    if check == "spf-include" and not re.match(r"^include:\S+$", record["value"]):
        raise r.error("value", "must be written include:<domain> for an spf-include check")
    if purpose == "dkim" and not record["selector"]:
        raise r.error("selector", "is required for a DKIM record")
    if purpose == "dkim" and not (record["value"] or record["pattern"] or check == "dkim-key"):
        raise r.error("check", "a DKIM record needs a value, a pattern or check = 'dkim-key'")
    if record["priority"] is not None and rtype != "MX":
        raise r.error("priority", "is only meaningful for MX records")
    r.finish()
    return record


def _method(source: str, prefix: str, table: Any) -> dict:
    r = _Reader(source, prefix, table)
    kind = r.choice("kind", METHOD_KINDS)
    sources = _sources(r)
    if not sources:
        raise r.error("sources", "must cite at least one documentation URL")
    evidence = _evidence(r, sources, required=True)
    r.seen.add("aligns")
    aligns = r.strings("aligns") if r.table.get("aligns") is not None else None
    if aligns is not None:
        for i, route in enumerate(aligns):
            if route not in ROUTES:
                raise r.error(f"aligns[{i}]", f"must be one of {', '.join(ROUTES)}")
    params = [
        _parameter(source, r.path(f"parameters[{i}]"), t)
        for i, t in enumerate(r.tables("parameters"))
    ]
    names = [p["name"] for p in params]
    if len(names) != len(set(names)):
        raise r.error("parameters", "declares the same parameter name twice")
    declared = set(names)
    records = [
        _record(source, r.path(f"records[{i}]"), t, declared)
        for i, t in enumerate(r.tables("records"))
    ]
    ids = [rec["id"] for rec in records]
    if len(ids) != len(set(ids)):
        raise r.error("records", "uses the same record id twice")
    method = {
        "kind": kind,
        "title": r.text("title"),
        "recommended": r.get("recommended", bool, False),
        "order": r.get("order", int, 0),
        "sources": sources,
        "evidence": evidence,
        "aligns": aligns,
        "steps": r.text("steps", limit=MAX_TEXT),
        "parameters": params,
        "records": records,
    }
    r.finish()
    return method


def _not_aligned(source: str, prefix: str, table: Any) -> dict:
    """A documented "no": a cited statement that a route cannot be aligned."""
    r = _Reader(source, prefix, table)
    route = r.choice("route", ROUTES)
    sources = _sources(r)
    item = {
        "route": route,
        "evidence": _evidence(r, sources, required=True),
        "sources": sources,
        "note": r.text("note", limit=1000),
    }
    r.finish()
    return item


def validate_vendor(data: Any, *, source: str, categories: set[str] | None = None) -> dict:
    """Validate one vendor entry; return it in canonical form or raise CatalogError."""
    r = _Reader(source, "", data)
    slug = r.text("slug")
    if not SLUG_RE.match(slug) or len(slug) > 60:
        raise r.error("slug", "must be lowercase words joined by hyphens (at most 60 characters)")
    vendor: dict[str, Any] = {"slug": slug, "name": r.text("name")}
    vendor["aliases"] = r.strings("aliases", default=[])
    vendor["website"] = r.url("website")
    vendor["categories"] = r.strings("categories")
    if not vendor["categories"]:
        raise r.error("categories", "must name at least one category")
    for i, cat in enumerate(vendor["categories"]):
        if categories is not None and cat not in categories:
            raise r.error(f"categories[{i}]", f"{cat!r} is not a category in {CATEGORIES_FILE}")
    vendor["summary"] = r.text("summary")
    vendor["description"] = r.text("description", default="", limit=MAX_TEXT)
    last_verified = r.get("last_verified", dt.date)
    if isinstance(last_verified, dt.datetime):
        raise r.error("last_verified", "must be a date (YYYY-MM-DD), not a date-time")
    vendor["last_verified"] = last_verified
    vendor["published"] = r.get("published", bool, True)
    vendor["undocumented"] = r.strings("undocumented", default=[])
    vendor["no_compliant_option"] = r.get("no_compliant_option", bool, False)
    vendor["no_compliant_explanation"] = r.text(
        "no_compliant_explanation", default="", limit=MAX_TEXT
    )
    docs = []
    for i, table in enumerate(r.tables("documentation")):
        d = _Reader(source, f"documentation[{i}]", table)
        docs.append({"title": d.text("title"), "url": d.url("url")})
        d.finish()
    vendor["documentation"] = docs
    vendor["methods"] = [
        _method(source, f"methods[{i}]", t) for i, t in enumerate(r.tables("methods"))
    ]
    vendor["not_aligned"] = [
        _not_aligned(source, f"not_aligned[{i}]", t) for i, t in enumerate(r.tables("not_aligned"))
    ]
    vendor["related"] = r.strings("related", default=[])
    if vendor["no_compliant_option"] and not vendor["no_compliant_explanation"]:
        raise r.error("no_compliant_explanation", "is required when no_compliant_option = true")
    if not vendor["no_compliant_option"] and not vendor["methods"]:
        raise r.error("methods", "needs at least one method, or no_compliant_option = true")
    r.finish()
    return vendor


def load_categories(directory: Path = CATALOG_DIR) -> list[dict]:
    """Read categories.toml: a list of {slug, name, description}."""
    path = directory / CATEGORIES_FILE
    data = _load_toml(path)
    r = _Reader(path.name, "", data)
    result = []
    for i, table in enumerate(r.tables("category")):
        c = _Reader(path.name, f"category[{i}]", table)
        slug = c.text("slug")
        if not SLUG_RE.match(slug):
            raise c.error("slug", "must be lowercase words joined by hyphens")
        result.append({"slug": slug, "name": c.text("name"), "description": c.text("description")})
        c.finish()
    r.finish()
    return result


def _load_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(path.name, "", f"is not valid TOML: {exc}") from None
    except OSError as exc:
        raise CatalogError(path.name, "", f"cannot be read: {exc.strerror}") from None


def load_vendor_file(path: Path, categories: set[str] | None = None) -> dict:
    """Read and validate one vendor file; its slug must match its file name."""
    vendor = validate_vendor(_load_toml(path), source=path.name, categories=categories)
    if vendor["slug"] != path.stem:
        raise CatalogError(path.name, "slug", f"must match the file name ({path.stem!r})")
    return vendor


def vendor_files(directory: Path = CATALOG_DIR) -> list[Path]:
    return sorted(p for p in directory.glob("*.toml") if p.name != CATEGORIES_FILE)


def load_catalog(directory: Path = CATALOG_DIR) -> tuple[list[dict], list[dict]]:
    """Read the whole catalog: (categories, vendors). Raises on the first bad file."""
    categories = load_categories(directory)
    known = {c["slug"] for c in categories}
    vendors = [load_vendor_file(path, known) for path in vendor_files(directory)]
    _check_unique(vendors)
    return categories, vendors


def _check_unique(vendors: list[dict]) -> None:
    names: dict[str, str] = {}
    for vendor in vendors:
        for i, label in enumerate([vendor["name"], *vendor["aliases"]]):
            key = label.casefold()
            field = "name" if i == 0 else f"aliases[{i - 1}]"
            if key in names and names[key] != vendor["slug"]:
                raise CatalogError(
                    f"{vendor['slug']}.toml", field, f"{label!r} is already used by {names[key]}"
                )
            names[key] = vendor["slug"]


def dump_vendor(vendor: dict) -> str:
    """Canonical TOML for one vendor: fixed key order, empty optional fields left out."""
    import tomli_w

    def clean(table: dict) -> dict:
        out = {}
        for key, value in table.items():
            if value is None or value == "" or (value == [] and key in OPTIONAL_LISTS):
                continue
            if key == "evidence" and value == "vendor-docs" and "kind" in table:
                continue  # the default tier of a method is left implicit
            if isinstance(value, list) and value and isinstance(value[0], dict):
                value = [clean(item) for item in value]
            out[key] = value
        return out

    return tomli_w.dumps(clean(vendor), multiline_strings=True)


def main(argv: list[str]) -> int:
    """Validate the files given (or the whole catalog), lint them, print what is wrong."""
    import argparse

    from sources.catalogcoverage import catalog_coverage
    from sources.cataloglint import lint_catalog

    parser = argparse.ArgumentParser(
        prog="python -m sources.catalogfile",
        description="Validate and lint catalog files (sources/catalog/FORMAT.md).",
    )
    parser.add_argument("files", nargs="*", type=Path, help="default: the whole catalog")
    parser.add_argument("--strict", action="store_true", help="exit 1 on lint findings too")
    parser.add_argument("--coverage", action="store_true", help="print the coverage report")
    args = parser.parse_args(argv)
    known = {c["slug"] for c in load_categories()}
    paths = args.files or vendor_files()
    failed, vendors = 0, []
    for path in paths:
        try:
            vendors.append(load_vendor_file(path, known))
        except CatalogError as exc:
            failed += 1
            print(exc)
    # Duplicates are looked for across the whole catalog, whichever files are named.
    catalog = {v["slug"]: v for v in (_valid_vendors(known) if args.files else [])}
    catalog.update((v["slug"], v) for v in vendors)
    findings = lint_catalog(vendors, catalog.values())
    for finding in findings:
        print(finding)
    if args.coverage:
        print("\n".join(catalog_coverage(vendors).lines()))
    print(f"{len(paths) - failed} valid, {failed} invalid, {len(findings)} lint findings")
    return 1 if failed or (args.strict and findings) else 0


def _valid_vendors(categories: set[str]) -> list[dict]:
    vendors = []
    for path in vendor_files():
        try:
            vendors.append(load_vendor_file(path, categories))
        except CatalogError:
            continue  # reported when named; the lint only needs the valid ones
    return vendors


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
