"""The rows of a vendor entry: documentation links, methods, and a method's parameters
and records, with the field helpers the entry form shares.

The Django fields check what each field alone can tell (required, length, URL scheme);
the entry as a whole is checked by the catalog's validator. `to_data()` turns a valid
row into catalog-file form and does nothing else.
"""

from __future__ import annotations

import json
import re

from django import forms

from sources.catalogfile import (
    CHECKS,
    MAX_LINE,
    MAX_TEXT,
    METHOD_KINDS,
    PURPOSES,
    RECORD_TYPES,
    CatalogError,
    check_url,
)
from sources.forms.rows import RowForm, RowSet
from sources.models import DocumentationLink, MethodParameter, RecordRequirement, SetupMethod
from sources.services.submissions import (
    MAX_LIST_ITEMS,
    MAX_PARAMETERS,
    MAX_RECORDS,
    max_length,
)


def sentence(message: str) -> str:
    """'must not be empty' -> 'Must not be empty.'"""
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


def lines(text: str) -> list[str]:
    """The non-blank lines of a text area, stripped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# A URL as people paste it into prose: a scheme, then everything up to a space. Closing
# punctuation that ends the sentence is not part of it (see `_trim`).
URL_IN_TEXT = re.compile(r"[a-z][a-z0-9+.-]*://[^\s<>\"]+", re.IGNORECASE)


def _trim(url: str) -> str:
    """'https://x.example/a).' -> 'https://x.example/a': end punctuation, and a closing
    bracket the URL did not open, belong to the sentence around it."""
    while url and url[-1] in ".,;:!?'»":
        url = url[:-1]
    for opening, closing in ("()", "[]"):
        while url.endswith(closing) and url.count(closing) > url.count(opening):
            url = url[:-1]
    return url


def urls_in_line(line: str) -> list[str]:
    """Every URL in a line of text ("Setup guide: https://docs.example.net/dkim")."""
    return [_trim(m.group(0)) for m in URL_IN_TEXT.finditer(line)]


def url_lines(text: str, *, limit: int, what: str) -> list[str]:
    """The https URLs in a text, anywhere in each line ("Setup guide: https://…"); every
    line without one, or with another kind of link, is named."""
    items = lines(text)
    urls: list[str] = []
    errors = []
    for i, line in enumerate(items):
        found = urls_in_line(line)
        if not found:
            errors.append(f"Line {i + 1} has no https URL.")
        for url in found:
            try:
                urls.append(check_url(url, "form", ""))
            except CatalogError as exc:
                errors.append(f"Line {i + 1} {exc.message}.")
    if errors:
        raise forms.ValidationError(errors)
    urls = list(dict.fromkeys(urls))
    if len(urls) > limit:
        raise forms.ValidationError(f"At most {limit} {what} are accepted.")
    return urls


def text_field(limit: int, *, required: bool = True, label: str, help_text: str = "", **kw):
    return forms.CharField(
        max_length=limit, required=required, label=label, help_text=help_text, **kw
    )


def area_field(
    limit: int, *, required: bool = True, label: str, help_text: str = "", rows: int = 4
):
    return forms.CharField(
        max_length=limit,
        required=required,
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def field_limit(model, field: str, catalog_limit: int = MAX_LINE) -> int:
    """The smaller of the catalog's limit and the model column's."""
    return min(catalog_limit, max_length(model, field) or catalog_limit)


class KeptField(forms.CharField):
    """Catalog fields the form does not edit (evidence tiers, known selectors, a method's
    stated routes...), carried through the page as hidden JSON so that editing an entry
    here never drops them. The catalog validator checks their values."""

    widget = forms.HiddenInput

    def __init__(self, keys: tuple[str, ...], **kwargs):
        self.keys = keys
        kwargs.setdefault("label", "Catalog fields kept as they are")
        super().__init__(required=False, strip=False, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict):
            kept = {k: value[k] for k in self.keys if k in value}
            return json.dumps(kept, sort_keys=True, default=str) if kept else ""
        return value

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return {}
        try:
            kept = json.loads(value)
        except ValueError:
            kept = None
        if not isinstance(kept, dict) or not set(kept) <= set(self.keys):
            raise forms.ValidationError(
                "Hidden catalog fields were altered: reload the entry and make the change again."
            )
        return kept


def kept_of(data: dict, keys: tuple[str, ...]) -> dict:
    """The fields of `data` a KeptField carries: those set (an empty `aligns` is a
    statement, "aligns neither route", and is kept)."""
    kept = {}
    for key in keys:
        value = data.get(key)
        if value is None or (key != "aligns" and value in ([], "")):
            continue
        kept[key] = value
    return kept


class DocumentationForm(RowForm):
    text_fields = ("title", "url")

    title = text_field(field_limit(DocumentationLink, "title"), label="Title")
    url = text_field(
        field_limit(DocumentationLink, "url", 1000),
        label="URL",
        help_text="An https link to the vendor's documentation (pasted text around it is dropped).",
    )

    def clean_url(self):
        url = self.cleaned_data["url"]
        found = urls_in_line(url)
        if len(found) > 1:
            raise forms.ValidationError("Give one URL per documentation link.")
        url = found[0] if found else url
        try:
            return check_url(url, "form", "")
        except CatalogError as exc:
            raise forms.ValidationError(sentence(exc.message)) from None

    def to_data(self) -> dict:
        return {"title": self.cleaned_data["title"], "url": self.cleaned_data["url"]}


class ParameterForm(RowForm):
    text_fields = ("name", "label", "help", "pattern", "example")
    defaults = {"required": True}

    name = text_field(
        field_limit(MethodParameter, "name"),
        label="Name",
        help_text="Used as {name} in record templates: lowercase letters, digits and _.",
    )
    label = text_field(field_limit(MethodParameter, "label"), label="Label")
    help = text_field(1000, required=False, label="Where the customer finds it")
    pattern = text_field(
        field_limit(MethodParameter, "pattern", 500),
        required=False,
        label="Pattern",
        help_text="A regular expression the value must fully match.",
    )
    example = text_field(field_limit(MethodParameter, "example"), required=False, label="Example")
    required = forms.BooleanField(required=False, label="Required")

    def to_data(self) -> dict:
        c = self.cleaned_data
        return {k: c[k] for k in ("name", "label", "help", "pattern", "example", "required")}


RECORD_KEPT = ("known_selectors", "sources", "evidence")
METHOD_KEPT = ("evidence", "aligns")


class RecordForm(RowForm):
    text_fields = ("id", "host", "value", "pattern", "selector", "note")
    defaults = {"type": "CNAME", "check": "equals", "required": True}

    id = text_field(
        field_limit(RecordRequirement, "record_id"),
        label="Id",
        help_text="Unique within the method, e.g. dkim-s1.",
    )
    type = forms.ChoiceField(choices=[(t, t) for t in RECORD_TYPES], label="Type")
    host = text_field(
        field_limit(RecordRequirement, "host", 2000),
        label="Host",
        help_text="A template containing {domain}, e.g. s1._domainkey.{domain}.",
    )
    value = text_field(
        field_limit(RecordRequirement, "value", 2000),
        required=False,
        label="Value",
        help_text="The value to create; may use declared {parameters}.",
    )
    check = forms.ChoiceField(choices=[(c, c) for c in CHECKS], label="Check")
    pattern = text_field(
        field_limit(RecordRequirement, "pattern", 500),
        required=False,
        label="Pattern",
        help_text="Optional regular expression used when parameters are not known.",
    )
    purpose = forms.ChoiceField(
        choices=[("", "— choose —"), *((p, p) for p in PURPOSES)], label="Purpose"
    )
    selector = text_field(
        field_limit(RecordRequirement, "selector"),
        required=False,
        label="DKIM selector",
        help_text="Required when the purpose is dkim.",
    )
    priority = forms.IntegerField(
        required=False, min_value=0, max_value=65535, label="Priority", help_text="MX only."
    )
    required = forms.BooleanField(required=False, label="Required")
    note = text_field(field_limit(RecordRequirement, "note"), required=False, label="Note")
    kept = KeptField(RECORD_KEPT)

    def to_data(self) -> dict:
        c = self.cleaned_data
        return {
            **c["kept"],
            "id": c["id"],
            "type": c["type"],
            "host": c["host"],
            "value": c["value"],
            "check": c["check"],
            "pattern": c["pattern"],
            "purpose": c["purpose"],
            "selector": c["selector"],
            "priority": c["priority"],
            "required": c["required"],
            "note": c["note"],
        }


class MethodForm(RowForm):
    text_fields = ("title", "sources", "steps")

    kind = forms.ChoiceField(
        choices=[("", "— choose —"), *METHOD_KINDS.items()], label="Kind of method"
    )
    title = text_field(field_limit(SetupMethod, "title"), label="Title")
    recommended = forms.BooleanField(required=False, label="Recommended")
    order = forms.IntegerField(
        required=False,
        min_value=-1000,
        max_value=1000,
        label="Position",
        help_text="Among this vendor's methods, best first. Blank: the row's position.",
    )
    sources = area_field(
        MAX_TEXT,
        label="Sources",
        rows=2,
        help_text="The documentation pages these records come from: https URLs, one a line.",
    )
    steps = area_field(
        MAX_TEXT,
        label="Steps",
        rows=6,
        help_text="Markdown: what the customer does, step by step.",
    )
    kept = KeptField(METHOD_KEPT)

    def __init__(self, *args, initial=None, **kwargs):
        initial = initial or {}
        super().__init__(*args, initial=initial, **kwargs)
        data = self.data if self.is_bound else None
        fresh = not initial.get("title")
        self.parameters = RowSet(
            ParameterForm,
            prefix=f"{self.prefix}-parameters",
            data=data,
            initial=initial.get("parameters"),
            extra=initial.get("_extra_parameters", 1),
            max_rows=MAX_PARAMETERS,
            noun="parameter",
        )
        self.records = RowSet(
            RecordForm,
            prefix=f"{self.prefix}-records",
            data=data,
            initial=initial.get("records"),
            extra=initial.get("_extra_records", 2 if fresh else 1),
            max_rows=MAX_RECORDS,
            noun="record",
        )

    def raw_blank(self) -> bool:
        return (
            super().raw_blank()
            and not self._raw("kind")
            and all(f.raw_blank() for f in self.parameters)
            and all(f.raw_blank() for f in self.records)
        )

    def clean_sources(self):
        return url_lines(self.cleaned_data["sources"], limit=MAX_LIST_ITEMS, what="sources")

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if self.skipped:
            return True
        valid = self.parameters.is_valid() and valid
        return self.records.is_valid() and valid

    def raw_values(self) -> dict:
        values = super().raw_values()
        values["parameters"] = self.parameters.raw_rows()
        values["records"] = self.records.raw_rows()
        values["_extra_parameters"] = 0
        values["_extra_records"] = 0
        return values

    def to_data(self, position: int) -> dict:
        c = self.cleaned_data
        return {
            **c["kept"],
            "kind": c["kind"],
            "title": c["title"],
            "recommended": c["recommended"],
            "order": c["order"] if c["order"] is not None else position,
            "sources": c["sources"],
            "steps": c["steps"],
            "parameters": [f.to_data() for f in self.parameters.included()],
            "records": [f.to_data() for f in self.records.included()],
        }
