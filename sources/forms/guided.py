"""The guided entry form: plain questions a vendor's product manager can answer.

Each answer is checked alone here (a DKIM line without a target, an SPF include that
is not a host name); `guidedmap.guided_entry()` assembles the answers into a catalog
entry, which the submission services validate exactly as they validate the raw form's
and the API's. A validator error is shown beside the question behind the path it names.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from django import forms

from sources.catalogfile import MAX_TEXT, CatalogError, check_url
from sources.forms.entryrows import (
    area_field,
    field_limit,
    lines,
    sentence,
    text_field,
    url_lines,
    urls_in_line,
)
from sources.forms.guidedmap import DkimKey, Origins, guided_entry, guided_provenance, placeholders
from sources.forms.submissions import slug_from_name
from sources.models import Vendor
from sources.services.submissions import MAX_DOCUMENTATION, MAX_LIST_ITEMS, MAX_NOTE, MAX_RECORDS

ROUTE_CHOICES = [
    ("dkim", "DKIM keys we host: customers create CNAME records pointing at them"),
    ("return_path", "A custom bounce (Return-Path) domain: customers point a subdomain at ours"),
    ("ns", "Subdomain delegation: customers delegate a subdomain to our name servers (NS)"),
    ("spf", "An SPF include: customers add our include to their SPF record"),
    ("relay", "Relaying: we send through the customer's own mail server (SMTP)"),
    ("credentials", "Customer credentials: we send through a mailbox the customer connects"),
]
# A DNS name as a PM writes it, possibly with {placeholders} for per-account parts.
NAME_RE = re.compile(r"^[a-z0-9_*{}-]+(\.[a-z0-9_{}-]+)*\.?$")
# "s1 s1.domainkey.example.net", "s1 -> …", "s1: …", "s1 = …", "s1._domainkey CNAME …"
DKIM_LINE = re.compile(
    r"^(?P<selector>\S+?)(?:\._domainkey(?:\.\{domain\})?)?"
    r"\s*(?:->|→|=>|=|:|\s)\s*(?:CNAME\s+)?(?P<target>\S+)$",
    re.IGNORECASE,
)
DOC_TITLE_TRIM = " \t:-–—|·•>"


def _name(value: str, what: str) -> str:
    """A lowercase DNS name (trailing dot dropped), or a clear error."""
    value = value.strip().lower().rstrip(".")
    if not NAME_RE.match(value) or ".." in value:
        raise forms.ValidationError(
            f"{what} must be a DNS name such as s1.domainkey.example.net; per-account parts "
            "are written in braces, such as {account}."
        )
    if value.count("{") != value.count("}") or re.search(r"\{(?![a-z][a-z0-9_]*\})", value):
        raise forms.ValidationError(
            f"{what}: write each per-account part as one lowercase word in braces, "
            "such as {account}."
        )
    return value


def documentation_lines(text: str) -> list[tuple[str, str, int]]:
    """'Setup guide: https://…' lines as (title, url, line); the title is what precedes
    the URL (the page's host when nothing does)."""
    out: list[tuple[str, str, int]] = []
    errors = []
    for number, line in enumerate(lines(text), start=1):
        found = urls_in_line(line)
        if len(found) != 1:
            errors.append(f"Line {number} needs exactly one https URL.")
            continue
        url = found[0]
        try:
            check_url(url, "form", "")
        except CatalogError as exc:
            errors.append(f"Line {number} {exc.message}.")
            continue
        title = line[: line.find(url)].strip(DOC_TITLE_TRIM) or line[line.find(url) + len(url) :]
        title = title.strip(DOC_TITLE_TRIM) or urlsplit(url).hostname or url
        if url not in [u for _, u, _ in out]:
            out.append((title[:300], url, number))
    if errors:
        raise forms.ValidationError(errors)
    if len(out) > MAX_DOCUMENTATION:
        raise forms.ValidationError(f"At most {MAX_DOCUMENTATION} documentation links.")
    return out


def _sources_field() -> forms.CharField:
    return area_field(
        MAX_TEXT,
        required=False,
        rows=2,
        label="Where this is documented",
        help_text="Your pages that describe this, one a line (text around the URL is fine). "
        "Blank: the documentation links above.",
    )


def _steps_field() -> forms.CharField:
    return area_field(
        MAX_TEXT,
        required=False,
        rows=3,
        label="What the customer does in your product",
        help_text="Optional, Markdown: the steps in your product's settings, one a line.",
    )


class GuidedEntryForm(forms.Form):
    name = text_field(
        field_limit(Vendor, "name"), label="Product name", help_text="As customers know it."
    )
    website = text_field(field_limit(Vendor, "website"), label="Website", help_text="An https URL.")
    categories = forms.MultipleChoiceField(
        choices=[], widget=forms.CheckboxSelectMultiple, label="What it is"
    )
    summary = text_field(
        field_limit(Vendor, "summary"),
        label="In one sentence, what mail does it send for customers?",
    )
    documentation = area_field(
        MAX_TEXT,
        rows=3,
        label="Your documentation on sending with customers' domains",
        help_text="One page a line, its title then its URL: "
        "“Authenticate your domain: https://docs.example.com/domains”.",
    )
    last_verified = forms.DateField(
        label="Documentation read on",
        help_text="The date these pages were current (YYYY-MM-DD).",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    routes = forms.MultipleChoiceField(
        choices=ROUTE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        label="Which of these do you offer your customers?",
        error_messages={"required": "Choose at least one way customers set up their domain."},
    )

    dkim_keys = area_field(
        MAX_TEXT,
        required=False,
        rows=3,
        label="The DKIM selectors your customers publish, and where each points",
        help_text="One selector a line, then the name its CNAME points to: "
        "“s1 s1.domainkey.u{account}.example.net”.",
    )
    dkim_fixed = forms.ChoiceField(
        required=False,
        choices=[
            ("fixed", "The same for every customer"),
            ("account", "Part of them differs per account: written as {account} above"),
        ],
        widget=forms.RadioSelect,
        label="Are these names the same for every customer?",
        initial="fixed",
    )
    dkim_sources = _sources_field()
    dkim_steps = _steps_field()
    together = forms.BooleanField(
        required=False,
        initial=True,
        label="Customers create the DKIM and bounce records together, in one set-up",
    )

    rp_host = text_field(
        100,
        required=False,
        label="The subdomain customers create",
        help_text="The name in their domain, such as “bounce” for bounce.their-domain.com.",
    )
    rp_target = text_field(
        300,
        required=False,
        label="Your bounce domain: where that subdomain points (CNAME)",
        help_text="Such as bounces.example.net, or u{account}.bounces.example.net.",
    )
    return_path_sources = _sources_field()
    return_path_steps = _steps_field()

    ns_host = text_field(
        100,
        required=False,
        label="The subdomain customers delegate",
        help_text="Such as “mail” for mail.their-domain.com.",
    )
    ns_servers = area_field(
        2000, required=False, rows=2, label="Your name servers", help_text="One a line."
    )
    ns_sources = _sources_field()
    ns_steps = _steps_field()

    spf_include = text_field(
        300,
        required=False,
        label="Your SPF include",
        help_text="The name after include:, such as spf.example.net.",
    )
    spf_aligned = forms.BooleanField(
        required=False,
        label="Your mail uses the customer's own domain as envelope sender (Return-Path)",
        help_text="Only then does the include make SPF pass for their domain under DMARC.",
    )
    spf_sources = _sources_field()
    spf_steps = _steps_field()
    relay_sources = _sources_field()
    relay_steps = _steps_field()
    credentials_sources = _sources_field()
    credentials_steps = _steps_field()

    account_label = text_field(
        100,
        required=False,
        label="What customers call the per-account part",
        help_text="Such as “Account ID”; needed when a name above contains {account}.",
    )
    account_help = text_field(
        1000,
        required=False,
        label="Where customers find it",
        help_text="Such as “Settings → Domains”.",
    )
    account_example = text_field(
        100,
        required=False,
        label="An example value",
        help_text="Shown as an example: digits, or a value containing the word “example”.",
    )
    note = area_field(
        MAX_NOTE,
        required=False,
        rows=2,
        label="Note to the moderators",
        help_text="Optional: who you are, or anything the moderators should know.",
    )
    # A honeypot: hidden from people by CSS, filled in by form-filling bots.
    homepage = forms.CharField(required=False, label="Leave this field empty")

    # Each route's questions, for the page and for "answer this" errors.
    ROUTE_FIELDS = {
        "dkim": ("dkim_keys",),
        "return_path": ("rp_host", "rp_target"),
        "ns": ("ns_host", "ns_servers"),
        "spf": ("spf_include",),
    }

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = list(categories)
        self.non_field_messages: list[str] = []
        self.origins = Origins()

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.is_bound and (self.data.get("homepage") or "").strip())

    # -- each answer alone --------------------------------------------------------------

    def clean_website(self):
        try:
            return check_url(self.cleaned_data["website"].strip(), "form", "")
        except CatalogError as exc:
            raise forms.ValidationError(sentence(exc.message)) from None

    def clean_documentation(self):
        return documentation_lines(self.cleaned_data["documentation"])

    def clean_last_verified(self):
        value = self.cleaned_data["last_verified"]
        if value > dt.date.today() + dt.timedelta(days=1):
            raise forms.ValidationError("This date is in the future.")
        return value

    def clean_dkim_keys(self) -> list[DkimKey]:
        keys, errors = [], []
        for number, line in enumerate(lines(self.cleaned_data["dkim_keys"]), start=1):
            match = DKIM_LINE.match(line)
            if match is None:
                errors.append(
                    f"Line {number}: write the selector, a space, then the name it points to."
                )
                continue
            try:
                selector = _name(match.group("selector"), f"Line {number}'s selector")
                target = _name(match.group("target"), f"Line {number}'s target")
            except forms.ValidationError as exc:
                errors.extend(exc.messages)
                continue
            keys.append(DkimKey(selector=selector, target=target, line=number))
        if errors:
            raise forms.ValidationError(errors)
        if len(keys) > MAX_RECORDS - 1:
            raise forms.ValidationError(f"At most {MAX_RECORDS - 1} selectors.")
        return keys

    def clean_ns_servers(self) -> list[str]:
        servers = [
            _name(line, "Each name server") for line in lines(self.cleaned_data["ns_servers"])
        ]
        if len(servers) > MAX_RECORDS:
            raise forms.ValidationError(f"At most {MAX_RECORDS} name servers.")
        return list(dict.fromkeys(servers))

    def clean_rp_host(self):
        value = self.cleaned_data["rp_host"]
        return _name(value.removesuffix(".{domain}"), "The subdomain") if value else ""

    def clean_rp_target(self):
        value = self.cleaned_data["rp_target"]
        return _name(value, "The bounce domain") if value else ""

    def clean_ns_host(self):
        value = self.cleaned_data["ns_host"]
        return _name(value.removesuffix(".{domain}"), "The subdomain") if value else ""

    def clean_spf_include(self):
        value = self.cleaned_data["spf_include"].strip()
        value = re.sub(r"^(v=spf1\s+)?[+~?-]?include:", "", value, flags=re.IGNORECASE)
        if not value:
            return ""
        name = _name(value, "The include")
        if "{" in name:
            raise forms.ValidationError("An SPF include is the same for every customer.")
        return name

    def _clean_sources(self, name: str) -> list[str]:
        return url_lines(self.cleaned_data[name], limit=MAX_LIST_ITEMS, what="sources")

    def clean_dkim_sources(self):
        return self._clean_sources("dkim_sources")

    def clean_return_path_sources(self):
        return self._clean_sources("return_path_sources")

    def clean_ns_sources(self):
        return self._clean_sources("ns_sources")

    def clean_spf_sources(self):
        return self._clean_sources("spf_sources")

    def clean_relay_sources(self):
        return self._clean_sources("relay_sources")

    def clean_credentials_sources(self):
        return self._clean_sources("credentials_sources")

    # -- answers that depend on each other ----------------------------------------------

    def clean(self):
        cleaned = super().clean()
        routes = set(cleaned.get("routes") or ())
        for route, names in self.ROUTE_FIELDS.items():
            if route not in routes:
                continue
            for name in names:
                if name in cleaned and not cleaned[name]:
                    self.add_error(name, "Answer this for the route you offer, or untick it.")
        if "dkim" in routes and cleaned.get("dkim_keys"):
            self._check_dkim_variation(cleaned)
        used = set()
        for key in ("dkim_keys", "rp_host", "rp_target", "ns_host", "ns_servers"):
            value = cleaned.get(key)
            route = {"dkim_keys": "dkim", "ns_host": "ns", "ns_servers": "ns"}.get(
                key, "return_path"
            )
            if route not in routes or not value:
                continue
            texts = (
                [f"{k.selector} {k.target}" for k in value]
                if key == "dkim_keys"
                else value
                if isinstance(value, list)
                else [value]
            )
            for text in texts:
                used.update(n for n in placeholders(text) if n != "domain")
        if used and not cleaned.get("account_label"):
            self.add_error(
                "account_label",
                f"Say what customers call {', '.join('{' + n + '}' for n in sorted(used))}.",
            )
        return cleaned

    def _check_dkim_variation(self, cleaned: dict) -> None:
        varies = any(placeholders(f"{k.selector} {k.target}") for k in cleaned["dkim_keys"])
        if cleaned.get("dkim_fixed") == "account" and not varies:
            self.add_error(
                "dkim_keys",
                "Write the part that differs per account in braces, such as "
                "s1.domainkey.u{account}.example.net.",
            )
        elif cleaned.get("dkim_fixed") != "account" and varies:
            self.add_error(
                "dkim_fixed",
                "The names above contain a per-account part in braces: choose “Part of them "
                "differs per account”, or write the names in full.",
            )

    # -- the entry ----------------------------------------------------------------------

    def to_data(self) -> dict:
        """The entry in catalog-file form (call after is_valid())."""
        c = dict(self.cleaned_data)
        c["account"] = {
            "label": c.get("account_label", ""),
            "help": c.get("account_help", ""),
            "example": c.get("account_example", ""),
        }
        data, self.origins = guided_entry(c, slug=slug_from_name(c["name"]))
        return data

    @property
    def provenance(self) -> list[str]:
        return guided_provenance(self.to_data())

    def add_catalog_error(self, exc: CatalogError) -> None:
        """Show a validator error beside the question behind the path it names."""
        path, message = exc.field, sentence(exc.message)
        top = re.match(r"^([a-z_]+)(?:\[\d+\])?$", path or "")
        if top and top.group(1) in ("name", "aliases", "slug"):
            if top.group(1) == "slug":
                message = f"The entry's address, made from this name, {exc.message}."
            self.add_error("name", message)
            return
        if top and top.group(1) in self.fields and top.group(1) != "homepage":
            self.add_error(top.group(1), message)
            return
        origin = self.origins.find(path or "")
        if origin is not None and origin[0] in self.fields:
            question, line = origin
            self.add_error(question, f"Line {line}: {message}" if line else message)
            return
        self.non_field_messages.append(f"{path}: {message}" if path else message)

    def error_summary(self) -> list[tuple[str, str]]:
        """(message, anchor) for every error on the page, in page order."""
        out = [(m, "#guided-errors") for m in self.non_field_messages]
        for name, errors in self.errors.items():
            if name == "__all__":
                out.extend((e, "#guided-errors") for e in errors)
                continue
            field = self[name]
            out.extend((f"{field.label}: {e}", f"#{field.id_for_label}") for e in errors)
        return out
