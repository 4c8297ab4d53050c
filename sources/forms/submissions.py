"""The vendor entry form: the whole catalog model, usable without JavaScript.

An entry is the vendor's own fields (`VendorFieldsForm`) with lists of rows
(documentation links, methods; a method has its own parameters and records: see
`entryrows`), each list a `RowSet` (see `rows`). The entry as a whole is checked by
the catalog's own validator (in the submission services), whose error, named by a
path such as `methods[0].records[1].host`, is shown beside that field
(`EntryForm.add_catalog_error`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.text import slugify

from sources.catalogfile import MAX_TEXT, CatalogError, check_url
from sources.forms.entryrows import (
    METHOD_KEPT,
    RECORD_KEPT,
    DocumentationForm,
    KeptField,
    MethodForm,
    ParameterForm,
    RecordForm,
    area_field,
    field_limit,
    kept_of,
    lines,
    sentence,
    text_field,
    url_lines,
)
from sources.forms.rows import RowSet
from sources.models import Vendor
from sources.services.submissions import (
    MAX_DOCUMENTATION,
    MAX_LIST_ITEMS,
    MAX_METHODS,
    MAX_NOTE,
    MAX_PARAMETERS,
    MAX_PROVENANCE,
    MAX_RECORDS,
)

VENDOR_KEPT = ("not_aligned", "related")
ROWSET_TARGET = re.compile(r"^(docs|methods|methods-\d{1,2}-(records|parameters))$")
PATH_RE = re.compile(r"^(?:(?P<prefix>.*)\.)?(?P<field>[a-z_]+)(?:\[(?P<index>\d+)\])?$")


def slug_from_name(name: str) -> str:
    """A slug the catalog accepts (lowercase words joined by hyphens) made from a name."""
    return re.sub(r"[^a-z0-9]+", "-", slugify(name)).strip("-")[:60].strip("-")


class VendorFieldsForm(forms.Form):
    name = text_field(
        field_limit(Vendor, "name"), label="Name", help_text="The product's common name."
    )
    slug = forms.CharField(
        max_length=60,
        required=False,
        label="Slug",
        help_text="The entry's address, /vendors/this-slug/: lowercase words joined by hyphens; "
        "left blank, it is made from the name.",
    )
    aliases = area_field(
        MAX_TEXT,
        required=False,
        rows=2,
        label="Other names",
        help_text="Former names and product names, one a line.",
    )
    website = text_field(field_limit(Vendor, "website"), label="Website", help_text="An https URL.")
    categories = forms.MultipleChoiceField(
        choices=[], widget=forms.CheckboxSelectMultiple, label="Categories"
    )
    summary = text_field(
        field_limit(Vendor, "summary"), label="Summary", help_text="One sentence on what it sends."
    )
    description = area_field(
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
    undocumented = area_field(
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
    no_compliant_explanation = area_field(
        MAX_TEXT,
        required=False,
        rows=3,
        label="Why, and the workaround",
        help_text="Required when there is no aligned option. Markdown.",
    )
    provenance = area_field(
        MAX_TEXT,
        rows=3,
        label="Sources for this submission",
        help_text="The vendor documentation that supports these facts: https URLs, one a line. "
        "Moderators check every fact against them.",
    )
    note = area_field(
        MAX_NOTE,
        required=False,
        rows=3,
        label="Note to the moderators",
        help_text="Optional: what you changed and why, or who you are.",
    )
    kept = KeptField(VENDOR_KEPT)
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
        return url_lines(
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
            "kept": kept_of(data, VENDOR_KEPT),
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
                "kept": kept_of(m, METHOD_KEPT),
                "parameters": [dict(p) for p in m.get("parameters") or []],
                "records": [
                    {
                        **r,
                        "priority": "" if r.get("priority") is None else r["priority"],
                        "kept": kept_of(r, RECORD_KEPT),
                    }
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
        """The entry in catalog-file form (call after is_valid()); reads the form only."""
        v = self.vendor.cleaned_data
        slug = self.fixed_slug or v.get("slug") or slug_from_name(v["name"])
        docs = self.docs.included()
        methods = self.methods.included()
        return {
            **v["kept"],
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

    def _error_targets(self) -> dict[str, Any]:
        """The form or row list each catalog path names, as `to_data()` numbers them."""
        where: dict[str, Any] = {"": self.vendor, "documentation": self.docs}
        where["methods"] = self.methods
        for i, form in enumerate(self.docs.included()):
            where[f"documentation[{i}]"] = form
        for i, form in enumerate(self.methods.included()):
            where[f"methods[{i}]"] = form
            where[f"methods[{i}].parameters"] = form.parameters
            where[f"methods[{i}].records"] = form.records
            for j, row in enumerate(form.parameters.included()):
                where[f"methods[{i}].parameters[{j}]"] = row
            for j, row in enumerate(form.records.included()):
                where[f"methods[{i}].records[{j}]"] = row
        return where

    def add_catalog_error(self, exc: CatalogError) -> None:
        """Show a validator error beside the field its path names."""
        path, message = exc.field, exc.message
        targets = self._error_targets()
        if path in ("", "(top level)"):
            self.non_field_errors.append(sentence(message))
            return
        target = targets.get(path)
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
        target = targets.get(prefix, self.vendor if prefix == "" else None)
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
