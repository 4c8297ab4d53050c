"""The vendor entry form: the whole catalog model, usable without JavaScript.

An entry is a vendor with lists of rows (documentation links, methods) and a
method has its own rows (parameters, records). Each list is a `RowSet` with a
fixed number of rows; "Add another" buttons post the form back with one more
row, so nothing needs JavaScript and nothing typed is lost. Blank rows are
ignored. The Django fields check what each field alone can tell (required,
length, URL scheme); the entry as a whole is then checked by the catalog's own
validator (`sources.services.submissions.submission_validate`), whose error,
named by a path such as `methods[0].records[1].host`, is shown beside that
field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.utils.text import slugify

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
from sources.models import (
    DocumentationLink,
    MethodParameter,
    RecordRequirement,
    SetupMethod,
    Vendor,
)
from sources.services.submissions import (
    MAX_DOCUMENTATION,
    MAX_LIST_ITEMS,
    MAX_METHODS,
    MAX_NOTE,
    MAX_PARAMETERS,
    MAX_PROVENANCE,
    MAX_RECORDS,
    max_length,
)

ROWSET_TARGET = re.compile(r"^(docs|methods|methods-\d{1,2}-(records|parameters))$")
PATH_RE = re.compile(r"^(?:(?P<prefix>.*)\.)?(?P<field>[a-z_]+)(?:\[(?P<index>\d+)\])?$")


def sentence(message: str) -> str:
    """'must not be empty' -> 'Must not be empty.'"""
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


def slug_from_name(name: str) -> str:
    """A slug the catalog accepts (lowercase words joined by hyphens) made from a name."""
    return re.sub(r"[^a-z0-9]+", "-", slugify(name)).strip("-")[:60].strip("-")


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _url_lines(text: str, *, limit: int, what: str) -> list[str]:
    items = lines(text)
    if len(items) > limit:
        raise forms.ValidationError(f"At most {limit} {what} are accepted (one a line).")
    errors = []
    for i, url in enumerate(items):
        try:
            check_url(url, "form", "")
        except CatalogError as exc:
            errors.append(f"Line {i + 1} {exc.message}.")
    if errors:
        raise forms.ValidationError(errors)
    return items


def _text(limit: int, *, required: bool = True, label: str, help_text: str = "", **kw):
    return forms.CharField(
        max_length=limit, required=required, label=label, help_text=help_text, **kw
    )


def _area(limit: int, *, required: bool = True, label: str, help_text: str = "", rows: int = 4):
    return forms.CharField(
        max_length=limit,
        required=required,
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _limit(model, field: str, catalog_limit: int = MAX_LINE) -> int:
    return min(catalog_limit, max_length(model, field) or catalog_limit)


# -- rows ---------------------------------------------------------------------------------


class RowForm(forms.Form):
    """One row of a list; blank rows and rows marked for removal are skipped."""

    text_fields: tuple[str, ...] = ()
    defaults: dict[str, Any] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove"] = forms.BooleanField(required=False, label="Remove this row")
        self.skipped = False

    def _raw(self, name: str) -> Any:
        field = self.fields[name]
        return field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))

    def raw_blank(self) -> bool:
        return all(not (self._raw(name) or "").strip() for name in self.text_fields)

    def raw_removed(self) -> bool:
        return bool(self._raw("remove"))

    def full_clean(self):
        if self.is_bound and (self.raw_removed() or self.raw_blank()):
            self._errors = ErrorDict()
            self.cleaned_data = {}
            self.skipped = True
            return
        self.skipped = False
        super().full_clean()

    def raw_values(self) -> dict:
        """What was posted, as initial values for an unbound copy of this row."""
        return {name: self._raw(name) for name in self.fields if name != "remove"}

    @property
    def has_content(self) -> bool:
        if self.is_bound:
            return not self.raw_blank()
        return any(self.initial.get(name) for name in self.text_fields)


class RowSet:
    """A fixed number of rows of one form class, counted by a hidden field."""

    def __init__(
        self,
        form_class: type[RowForm],
        *,
        prefix: str,
        data=None,
        initial: list[dict] | None = None,
        extra: int = 1,
        max_rows: int,
        noun: str,
    ) -> None:
        self.prefix, self.max_rows, self.noun = prefix, max_rows, noun
        self.count_name = f"{prefix}-count"
        self.errors: list[str] = []
        initial = initial or []
        if data is not None:
            try:
                count = int(data.get(self.count_name, "0"))
            except (TypeError, ValueError):
                count = 0
            if count > max_rows:
                self.errors.append(f"At most {max_rows} {noun}s are accepted.")
            count = max(0, min(count, max_rows))
        else:
            count = min(len(initial) + extra, max_rows)
        self.forms = [
            form_class(
                data=data,
                prefix=f"{prefix}-{i}",
                initial=initial[i] if i < len(initial) else dict(form_class.defaults),
            )
            for i in range(count)
        ]

    def __iter__(self):
        return iter(self.forms)

    def __len__(self) -> int:
        return len(self.forms)

    @property
    def can_add(self) -> bool:
        return len(self.forms) < self.max_rows

    def is_valid(self) -> bool:
        valid = not self.errors
        for form in self.forms:
            valid = form.is_valid() and valid
        return valid

    def included(self) -> list[RowForm]:
        return [f for f in self.forms if not f.skipped]

    def raw_rows(self) -> list[dict]:
        """What was posted in each row not marked for removal (blank rows kept: the page
        should look the same, plus the row asked for)."""
        return [f.raw_values() for f in self.forms if not f.raw_removed()]


class DocumentationForm(RowForm):
    text_fields = ("title", "url")

    title = _text(_limit(DocumentationLink, "title"), label="Title")
    url = _text(
        _limit(DocumentationLink, "url", 1000),
        label="URL",
        help_text="An https link to the vendor's documentation.",
    )

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            return check_url(url, "form", "")
        except CatalogError as exc:
            raise forms.ValidationError(sentence(exc.message)) from None

    def to_data(self) -> dict:
        return {"title": self.cleaned_data["title"], "url": self.cleaned_data["url"]}


class ParameterForm(RowForm):
    text_fields = ("name", "label", "help", "pattern", "example")
    defaults = {"required": True}

    name = _text(
        _limit(MethodParameter, "name"),
        label="Name",
        help_text="Used as {name} in record templates: lowercase letters, digits and _.",
    )
    label = _text(_limit(MethodParameter, "label"), label="Label")
    help = _text(1000, required=False, label="Where the customer finds it")
    pattern = _text(
        _limit(MethodParameter, "pattern", 500),
        required=False,
        label="Pattern",
        help_text="A regular expression the value must fully match.",
    )
    example = _text(_limit(MethodParameter, "example"), required=False, label="Example")
    required = forms.BooleanField(required=False, label="Required")

    def to_data(self) -> dict:
        c = self.cleaned_data
        return {k: c[k] for k in ("name", "label", "help", "pattern", "example", "required")}


class RecordForm(RowForm):
    text_fields = ("id", "host", "value", "pattern", "selector", "note")
    defaults = {"type": "CNAME", "check": "equals", "required": True}

    id = _text(
        _limit(RecordRequirement, "record_id"),
        label="Id",
        help_text="Unique within the method, e.g. dkim-s1.",
    )
    type = forms.ChoiceField(choices=[(t, t) for t in RECORD_TYPES], label="Type")
    host = _text(
        _limit(RecordRequirement, "host", 2000),
        label="Host",
        help_text="A template containing {domain}, e.g. s1._domainkey.{domain}.",
    )
    value = _text(
        _limit(RecordRequirement, "value", 2000),
        required=False,
        label="Value",
        help_text="The value to create; may use declared {parameters}.",
    )
    check = forms.ChoiceField(choices=[(c, c) for c in CHECKS], label="Check")
    pattern = _text(
        _limit(RecordRequirement, "pattern", 500),
        required=False,
        label="Pattern",
        help_text="Optional regular expression used when parameters are not known.",
    )
    purpose = forms.ChoiceField(
        choices=[("", "— choose —"), *((p, p) for p in PURPOSES)], label="Purpose"
    )
    selector = _text(
        _limit(RecordRequirement, "selector"),
        required=False,
        label="DKIM selector",
        help_text="Required when the purpose is dkim.",
    )
    priority = forms.IntegerField(
        required=False, min_value=0, max_value=65535, label="Priority", help_text="MX only."
    )
    required = forms.BooleanField(required=False, label="Required")
    note = _text(_limit(RecordRequirement, "note"), required=False, label="Note")

    def to_data(self) -> dict:
        c = self.cleaned_data
        return {
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
    title = _text(_limit(SetupMethod, "title"), label="Title")
    recommended = forms.BooleanField(required=False, label="Recommended")
    order = forms.IntegerField(
        required=False,
        min_value=-1000,
        max_value=1000,
        label="Position",
        help_text="Among this vendor's methods, best first. Blank: the row's position.",
    )
    sources = _area(
        MAX_TEXT,
        label="Sources",
        rows=2,
        help_text="The documentation pages these records come from: https URLs, one a line.",
    )
    steps = _area(
        MAX_TEXT,
        label="Steps",
        rows=6,
        help_text="Markdown: what the customer does, step by step.",
    )

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
        return _url_lines(self.cleaned_data["sources"], limit=MAX_LIST_ITEMS, what="sources")

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
            "kind": c["kind"],
            "title": c["title"],
            "recommended": c["recommended"],
            "order": c["order"] if c["order"] is not None else position,
            "sources": c["sources"],
            "steps": c["steps"],
            "parameters": [f.to_data() for f in self.parameters.included()],
            "records": [f.to_data() for f in self.records.included()],
        }


# -- the vendor itself ----------------------------------------------------------------------


class VendorFieldsForm(forms.Form):
    name = _text(_limit(Vendor, "name"), label="Name", help_text="The product's common name.")
    slug = forms.CharField(
        max_length=60,
        required=False,
        label="Slug",
        help_text="The entry's address, /vendors/this-slug/: lowercase words joined by hyphens; "
        "left blank, it is made from the name.",
    )
    aliases = _area(
        MAX_TEXT,
        required=False,
        rows=2,
        label="Other names",
        help_text="Former names and product names, one a line.",
    )
    website = _text(_limit(Vendor, "website"), label="Website", help_text="An https URL.")
    categories = forms.MultipleChoiceField(
        choices=[], widget=forms.CheckboxSelectMultiple, label="Categories"
    )
    summary = _text(
        _limit(Vendor, "summary"), label="Summary", help_text="One sentence on what it sends."
    )
    description = _area(
        MAX_TEXT,
        required=False,
        rows=6,
        label="Description",
        help_text="Markdown: what mail it sends for customers and how DMARC alignment works.",
    )
    last_verified = forms.DateField(
        label="Documentation read on",
        help_text="The date you checked the cited documentation (YYYY-MM-DD).",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    undocumented = _area(
        MAX_TEXT,
        required=False,
        rows=3,
        label="Not documented by the vendor",
        help_text="Points the documentation leaves open, one a line. Never guess: list them.",
    )
    no_compliant_option = forms.BooleanField(
        required=False,
        label="The vendor offers no DMARC-aligned option",
    )
    no_compliant_explanation = _area(
        MAX_TEXT,
        required=False,
        rows=3,
        label="Why, and the workaround",
        help_text="Required when there is no aligned option. Markdown.",
    )
    provenance = _area(
        MAX_TEXT,
        rows=3,
        label="Sources for this submission",
        help_text="The vendor documentation that supports these facts: https URLs, one a line. "
        "Moderators check every fact against them.",
    )
    note = _area(
        MAX_NOTE,
        required=False,
        rows=3,
        label="Note to the moderators",
        help_text="Optional: what you changed and why, or who you are.",
    )
    # A honeypot: hidden from people by CSS, filled in by form-filling bots.
    homepage = forms.CharField(required=False, label="Leave this field empty")

    def __init__(self, *args, categories=(), fixed_slug: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = list(categories)
        self.fixed_slug = fixed_slug
        if fixed_slug is not None:
            del self.fields["slug"]

    def clean_website(self):
        try:
            return check_url(self.cleaned_data["website"], "form", "")
        except CatalogError as exc:
            raise forms.ValidationError(sentence(exc.message)) from None

    def clean_provenance(self):
        return _url_lines(
            self.cleaned_data["provenance"], limit=MAX_PROVENANCE, what="documentation URLs"
        )

    def clean_aliases(self):
        return self._lines("aliases", "names")

    def clean_undocumented(self):
        return self._lines("undocumented", "points")

    def _lines(self, name: str, what: str) -> list[str]:
        items = lines(self.cleaned_data[name])
        if len(items) > MAX_LIST_ITEMS:
            raise forms.ValidationError(f"At most {MAX_LIST_ITEMS} {what} are accepted.")
        return items

    def clean_last_verified(self):
        value = self.cleaned_data["last_verified"]
        if value > dt.date.today() + dt.timedelta(days=1):
            raise forms.ValidationError("This date is in the future.")
        return value

    def raw_values(self) -> dict:
        return {
            name: field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            for name, field in self.fields.items()
            if name != "homepage"
        }


# -- the whole entry ------------------------------------------------------------------------


def initial_from_data(data: dict | None, *, provenance=(), note: str = "") -> dict:
    """Catalog data (vendor_to_data or a stored submission) as the form's initial values."""
    if not data:
        return {
            "vendor": {"last_verified": dt.date.today(), "categories": []},
            "docs": [],
            "methods": [],
        }
    last = data.get("last_verified")
    return {
        "vendor": {
            "name": data.get("name", ""),
            "slug": data.get("slug", ""),
            "aliases": "\n".join(data.get("aliases") or []),
            "website": data.get("website", ""),
            "categories": list(data.get("categories") or []),
            "summary": data.get("summary", ""),
            "description": data.get("description", ""),
            "last_verified": last.isoformat() if isinstance(last, dt.date) else last,
            "undocumented": "\n".join(data.get("undocumented") or []),
            "no_compliant_option": data.get("no_compliant_option", False),
            "no_compliant_explanation": data.get("no_compliant_explanation", ""),
            "provenance": "\n".join(provenance),
            "note": note,
        },
        "docs": [dict(d) for d in data.get("documentation") or []],
        "methods": [
            {
                "kind": m.get("kind", ""),
                "title": m.get("title", ""),
                "recommended": m.get("recommended", False),
                "order": m.get("order", 0),
                "sources": "\n".join(m.get("sources") or []),
                "steps": m.get("steps", ""),
                "parameters": [dict(p) for p in m.get("parameters") or []],
                "records": [
                    {**r, "priority": "" if r.get("priority") is None else r["priority"]}
                    for r in m.get("records") or []
                ],
            }
            for m in data.get("methods") or []
        ],
    }


class EntryForm:
    """The vendor fields, its documentation links and its methods, as one form."""

    def __init__(
        self,
        data=None,
        *,
        initial: dict | None = None,
        categories=(),
        fixed_slug: str | None = None,
        extra: bool = True,
    ) -> None:
        initial = initial or initial_from_data(None)
        self.is_bound = data is not None
        self.fixed_slug = fixed_slug
        self.vendor = VendorFieldsForm(
            data, initial=initial["vendor"], categories=categories, fixed_slug=fixed_slug
        )
        self.docs = RowSet(
            DocumentationForm,
            prefix="docs",
            data=data,
            initial=initial["docs"],
            extra=1 if extra else 0,
            max_rows=MAX_DOCUMENTATION,
            noun="documentation link",
        )
        methods = initial["methods"]
        self.methods = RowSet(
            MethodForm,
            prefix="methods",
            data=data,
            initial=methods,
            extra=(0 if methods else 1) if extra else 0,
            max_rows=MAX_METHODS,
            noun="method",
        )
        self._where: dict[str, Any] = {}
        self.non_field_errors: list[str] = []

    # -- validation --------------------------------------------------------------------

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.is_bound and (self.vendor.data.get("homepage") or "").strip())

    def is_valid(self) -> bool:
        valid = self.vendor.is_valid()
        valid = self.docs.is_valid() and valid
        return self.methods.is_valid() and valid

    def to_data(self) -> dict:
        """The entry in catalog-file form (call after is_valid())."""
        v = self.vendor.cleaned_data
        slug = self.fixed_slug or v.get("slug") or slug_from_name(v["name"])
        docs = self.docs.included()
        methods = self.methods.included()
        self._where = {"": self.vendor, "documentation": self.docs, "methods": self.methods}
        for i, form in enumerate(docs):
            self._where[f"documentation[{i}]"] = form
        for i, form in enumerate(methods):
            self._where[f"methods[{i}]"] = form
            self._where[f"methods[{i}].parameters"] = form.parameters
            self._where[f"methods[{i}].records"] = form.records
            for j, row in enumerate(form.parameters.included()):
                self._where[f"methods[{i}].parameters[{j}]"] = row
            for j, row in enumerate(form.records.included()):
                self._where[f"methods[{i}].records[{j}]"] = row
        return {
            "slug": slug,
            "name": v["name"],
            "aliases": v["aliases"],
            "website": v["website"],
            "categories": list(v["categories"]),
            "summary": v["summary"],
            "description": v["description"],
            "last_verified": v["last_verified"],
            "undocumented": v["undocumented"],
            "no_compliant_option": v["no_compliant_option"],
            "no_compliant_explanation": v["no_compliant_explanation"],
            "documentation": [f.to_data() for f in docs],
            "methods": [f.to_data(position=i + 1) for i, f in enumerate(methods)],
        }

    @property
    def provenance(self) -> list[str]:
        return self.vendor.cleaned_data["provenance"]

    @property
    def note(self) -> str:
        return self.vendor.cleaned_data["note"]

    def add_catalog_error(self, exc: CatalogError) -> None:
        """Show a validator error beside the field its path names."""
        path, message = exc.field, exc.message
        if path in ("", "(top level)"):
            self.non_field_errors.append(sentence(message))
            return
        target = self._where.get(path)
        if isinstance(target, RowSet):
            target.errors.append(sentence(message))
            return
        match = PATH_RE.match(path)
        if match is None:
            self.non_field_errors.append(sentence(f"{path} {message}"))
            return
        prefix, field, index = (
            match.group("prefix") or "",
            match.group("field"),
            match.group("index"),
        )
        target = self._where.get(prefix, self.vendor if prefix == "" else None)
        if target is None or field not in target.fields:
            where = f"{path}: " if field != "slug" else "Slug "
            self.non_field_errors.append(sentence(f"{where}{message}"))
            return
        if index is not None and field in ("aliases", "undocumented", "sources", "provenance"):
            text = f"Line {int(index) + 1} {message}."
        else:
            text = sentence(message)
        if field in target.errors and text in target.errors[field]:
            return
        target.add_error(field, text)

    def error_summary(self) -> list[tuple[str, str]]:
        """(message, anchor) for every error on the page, in page order."""
        out = [(e, "#entry-errors") for e in self.non_field_errors]

        def form_errors(form, where: str) -> None:
            for name, errors in form.errors.items():
                if name == "__all__":
                    out.extend((f"{where}: {e}", f"#{form.prefix or 'entry'}") for e in errors)
                    continue
                label = form.fields[name].label if name in form.fields else name
                anchor = f"#{form[name].id_for_label}" if name in form.fields else ""
                out.extend((f"{where}{label}: {e}", anchor) for e in errors)

        form_errors(self.vendor, "")
        for e in self.docs.errors:
            out.append((f"Documentation: {e}", "#docs"))
        for i, form in enumerate(self.docs):
            form_errors(form, f"Documentation link {i + 1} › ")
        for e in self.methods.errors:
            out.append((f"Methods: {e}", "#methods"))
        for i, form in enumerate(self.methods):
            head = f"Method {i + 1} › "
            form_errors(form, head)
            for e in form.parameters.errors:
                out.append((f"{head}Parameters: {e}", f"#{form.parameters.prefix}"))
            for j, row in enumerate(form.parameters):
                form_errors(row, f"{head}Parameter {j + 1} › ")
            for e in form.records.errors:
                out.append((f"{head}Records: {e}", f"#{form.records.prefix}"))
            for j, row in enumerate(form.records):
                form_errors(row, f"{head}Record {j + 1} › ")
        return out

    # -- re-rendering with one more row (the no-JavaScript "Add another") ---------------

    def raw_initial(self) -> dict:
        """Everything posted, as initial values (rows marked for removal dropped)."""
        methods = [form.raw_values() for form in self.methods if not form.raw_removed()]
        return {
            "vendor": self.vendor.raw_values(),
            "docs": self.docs.raw_rows(),
            "methods": methods,
        }

    @classmethod
    def with_row_added(cls, data, target: str, **kwargs) -> EntryForm:
        """Rebuild a posted form unbound, keeping what was typed, with one more row."""
        posted = cls(data, **kwargs)
        initial = posted.raw_initial()
        if ROWSET_TARGET.match(target or ""):
            parts = target.split("-")
            if target == "docs":
                if len(initial["docs"]) < MAX_DOCUMENTATION:
                    initial["docs"].append({})
            elif target == "methods":
                if len(initial["methods"]) < MAX_METHODS:
                    initial["methods"].append({})
            else:
                index, kind = int(parts[1]), parts[2]
                rows = _posted_index(posted, index, initial)
                if rows is not None:
                    limit = MAX_RECORDS if kind == "records" else MAX_PARAMETERS
                    if len(rows[kind]) < limit:
                        rows[kind].append(
                            dict(
                                RecordForm.defaults if kind == "records" else ParameterForm.defaults
                            )
                        )
        return cls(None, initial=initial, extra=False, **kwargs)


def _posted_index(posted: EntryForm, index: int, initial: dict) -> dict | None:
    """The initial dict of the posted method row `index` (rows marked for removal dropped)."""
    kept = [i for i, form in enumerate(posted.methods) if not form.raw_removed()]
    if index in kept:
        return initial["methods"][kept.index(index)]
    return None
