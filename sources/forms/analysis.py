"""The message analyzer's form and the reverse-identification form."""

from __future__ import annotations

from typing import Any

from django import forms

from sources.analysis import MAX_MESSAGE_BYTES
from sources.analysiswords import input_error

MAX_IDENTIFY_LINES = 500


class AnalyzeForm(forms.Form):
    """A message pasted or uploaded (.eml), and whether to keep a permalink."""

    message = forms.CharField(
        required=False,
        label="Paste the message's header fields (or the whole message)",
        help_text="In your mail program: “Show original” (Gmail), “View message source” "
        "(Outlook, Thunderbird), or “Raw source” (Apple Mail). Up to 2 MB.",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "autocomplete": "off"}),
    )
    file = forms.FileField(
        required=False,
        label="…or choose an .eml file",
        help_text="A whole message verifies its DKIM signatures too.",
        widget=forms.ClearableFileInput(attrs={"accept": ".eml,.txt,message/rfc822,text/plain"}),
    )
    permalink = forms.BooleanField(
        required=False,
        label="Keep this analysis at a link I can share (for 30 days; the body is never kept)",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload = cleaned.get("file")
        pasted = cleaned.get("message") or ""
        self.raw = b""
        if upload:
            if upload.size > MAX_MESSAGE_BYTES:
                params = {"size": upload.size, "limit": MAX_MESSAGE_BYTES}
                self.add_error("file", input_error("too-large", params))
            else:
                self.raw = upload.read()
        elif pasted.strip():
            self.raw = pasted.encode("utf-8", errors="surrogateescape")
            if len(self.raw) > MAX_MESSAGE_BYTES:
                params = {"size": len(self.raw), "limit": MAX_MESSAGE_BYTES}
                self.add_error("message", input_error("too-large", params))
        elif not self.errors:
            self.add_error("message", input_error("empty", {}))
        return cleaned

    @property
    def input_field(self) -> str:
        """The field an error about the input belongs to."""
        return "file" if self.cleaned_data.get("file") else "message"


class IdentifyForm(forms.Form):
    """SPF records, includes, DKIM CNAME targets or selectors, IPs or PTR names, one a line."""

    items = forms.CharField(
        label="What you found (one a line)",
        help_text="An SPF record or include (include:sendgrid.net), a DKIM CNAME target "
        "(s1.domainkey.u123.wl.sendgrid.net) or selector (s1._domainkey), an IP address or a "
        "PTR name (o1.ptr1234.sendgrid.net). A DMARC report's source IPs can be pasted as a list.",
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
    )

    def clean_items(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["items"].splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise forms.ValidationError("Paste at least one name, record or address.")
        if len(lines) > MAX_IDENTIFY_LINES:
            raise forms.ValidationError(
                f"At most {MAX_IDENTIFY_LINES} lines at once ({len(lines)} given)."
            )
        return lines
