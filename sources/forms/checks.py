"""The checker's forms: one domain (a GET form, for shareable URLs) and a bulk CSV upload.

Both build their method and parameter fields from the chosen vendor's
catalog data (looked up once by the view and handed in), and leave every rule
to `services.checks.check_input_clean`: the form only maps its errors onto
fields. The method list and its default follow the checker's `best_first`
and `default_method`, so the form offers what a check without a method runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings

from sources.checker import best_first, default_method
from sources.services.bulkchecks import BulkTooLarge, ParsedRows, bulk_rows_parse, decode_upload
from sources.services.checks import (
    CheckInput,
    CheckInputError,
    check_input_clean,
)
from sources.uploads import MAX_UPLOAD_BYTES

PARAM_PREFIX = "param_"


class VendorMethodForm(forms.Form):
    """Vendor, setup method and that method's customer parameters."""

    vendor = forms.CharField(
        required=False,
        max_length=200,
        label="Vendor",
        help_text="The service that sends mail for you (its name is enough, even misspelt). "
        "Leave empty for a general domain report.",
        widget=forms.TextInput(
            attrs={"list": "vendor-options", "autocomplete": "off", "placeholder": "e.g. Zendesk"}
        ),
    )
    method = forms.ChoiceField(required=False, label="Setup method", choices=())

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        *,
        vendor_data: Mapping[str, Any] | None = None,
        vendor_error: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.vendor_data = vendor_data
        self.vendor_error = vendor_error
        self.check: CheckInput | None = None
        self.param_methods: dict[str, list[str]] = {}
        if vendor_data is None:
            del self.fields["method"]
            return
        methods = best_first(vendor_data.get("methods") or [])
        self.fields["method"].choices = [
            (
                m["kind"],
                f"{m.get('title') or m['kind']}{' (recommended)' if m.get('recommended') else ''}",
            )
            for m in methods
        ]
        default = default_method(vendor_data)
        self.fields["method"].initial = default["kind"] if default else ""
        self.fields["vendor"].initial = vendor_data.get("name") or vendor_data["slug"]
        for method in methods:
            for parameter in method.get("parameters") or []:
                name = str(parameter["name"])
                kinds = self.param_methods.setdefault(name, [])
                kinds.append(str(method["kind"]))
                if len(kinds) > 1:
                    continue
                help_text = str(parameter.get("help") or "")
                if parameter.get("example"):
                    # Shown as an example in the help, never as a placeholder that
                    # looks like a value already filled in.
                    help_text = f"{help_text} Example: {parameter['example']}".strip()
                self.fields[PARAM_PREFIX + name] = forms.CharField(
                    required=False,
                    max_length=255,
                    label=str(parameter.get("label") or name),
                    help_text=help_text,
                    widget=forms.TextInput(
                        attrs={
                            "autocomplete": "off",
                            "spellcheck": "false",
                            "autocapitalize": "off",
                        }
                    ),
                )
        for name, kinds in self.param_methods.items():
            self.fields[PARAM_PREFIX + name].widget.attrs["data-methods"] = " ".join(kinds)

    @property
    def has_several_methods(self) -> bool:
        return "method" in self.fields and len(self.fields["method"].choices) > 1

    def param_fields(self) -> list[tuple[forms.BoundField, list[str]]]:
        """Each parameter's bound field with the methods that use it (for the template)."""
        return [(self[PARAM_PREFIX + name], kinds) for name, kinds in self.param_methods.items()]

    def method_titles(self) -> dict[str, str]:
        return dict(self.fields["method"].choices) if "method" in self.fields else {}

    def selected_method(self) -> str:
        if "method" not in self.fields:
            return ""
        value = self.data.get("method") if self.is_bound else None
        return str(value or self.fields["method"].initial or "")

    def _params(self, kind: str) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(PARAM_PREFIX + name) or ""
            for name, kinds in self.param_methods.items()
            if kind in kinds and (self.cleaned_data.get(PARAM_PREFIX + name) or "").strip()
        }

    def _clean_check(self, domain: str | None) -> None:
        vendor = (self.cleaned_data.get("vendor") or "").strip()
        if vendor and self.vendor_data is None:
            self.add_error("vendor", self.vendor_error or f"no vendor '{vendor}' in the directory")
        kind = self.cleaned_data.get("method") or ""
        try:
            self.check = check_input_clean(
                domain=domain,
                vendor=self.vendor_data,
                method=kind or None,
                params=self._params(kind or self.fields["method"].initial)
                if self.vendor_data is not None
                else {},
            )
        except CheckInputError as exc:
            self.check = None
            for name, message in exc.errors.items():
                if name == "parameters":
                    for param, text in message.items():
                        field = PARAM_PREFIX + param
                        self.add_error(field if field in self.fields else None, text)
                elif name in self.fields:
                    self.add_error(name, message)
                else:
                    self.add_error(None, message)


class CheckForm(VendorMethodForm):
    """Check one domain: POST /check/ domain=…&vendor=…&method=…&param_…=…"""

    domain = forms.CharField(
        max_length=1000,
        label="Your domain",
        help_text="The domain in your From address. A URL or an e-mail address works too.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "off",
                "placeholder": "example.com",
            }
        ),
    )
    field_order = ["domain", "vendor", "method"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "domain" in cleaned:
            self._clean_check(cleaned["domain"])
        return cleaned


class BulkCheckForm(VendorMethodForm):
    """Check many domains: a CSV upload or pasted lines, against one vendor."""

    file = forms.FileField(
        required=False,
        label="CSV file",
        help_text="One domain per row, or a column headed “domain”. Columns headed “vendor”, "
        "“method” and each parameter's name check every row its own way; other columns come "
        "back in the results. Bad rows are reported and skipped.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )
    domains = forms.CharField(
        required=False,
        max_length=500_000,
        label="…or paste domains",
        help_text="One per line.",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    field_order = ["file", "domains", "vendor", "method"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows: ParsedRows | None = None
        self.filename = ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload = cleaned.get("file")
        pasted = cleaned.get("domains") or ""
        text = ""
        if upload:
            if upload.size > MAX_UPLOAD_BYTES:
                self.add_error("file", f"the file is larger than {MAX_UPLOAD_BYTES // 1024} KB")
            else:
                text = decode_upload(upload.read())
                self.filename = upload.name or ""
        elif pasted.strip():
            text = pasted
        elif not self.errors:
            self.add_error("file", "choose a CSV file or paste some domains")
        if text:
            try:
                self.rows = bulk_rows_parse(text, limit=settings.BULK_CHECK_MAX_DOMAINS)
            except BulkTooLarge as exc:
                self.add_error("file" if upload else "domains", str(exc))
            else:
                if not self.rows.domains:
                    self.add_error(
                        "file" if upload else "domains",
                        "no domains found: every row is empty or invalid (see below)",
                    )
        self._clean_check(None)
        return cleaned
