"""Watching a domain, and registering a webhook: fields only; the rules are in the services."""

from __future__ import annotations

from django import forms

INTERVALS = [
    ("60", "Every hour"),
    ("360", "Every 6 hours"),
    ("1440", "Every day"),
    ("10080", "Every week"),
]


class WatchForm(forms.Form):
    domain = forms.CharField(
        max_length=300, label="Domain", help_text="The domain to watch, such as example.com."
    )
    vendor = forms.CharField(
        required=False,
        max_length=200,
        label="Vendor",
        help_text="The service that sends mail for the domain. Leave empty to watch its DMARC "
        "and SPF records alone.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "e.g. Zendesk"}),
    )
    method = forms.CharField(
        required=False,
        max_length=30,
        label="Setup method",
        help_text="Leave empty for the vendor's recommended method.",
    )
    parameters = forms.CharField(
        required=False,
        max_length=2000,
        label="Account values",
        help_text="One per line, name=value (for example account_id=7001), when the vendor's "
        "records need them.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    interval = forms.ChoiceField(choices=INTERVALS, initial="1440", label="Check")
    reference = forms.CharField(
        required=False, max_length=100, label="Your reference", help_text="Optional."
    )

    def clean_parameters(self) -> dict[str, str]:
        params: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["parameters"].splitlines(), 1):
            if not line.strip():
                continue
            name, sep, value = line.partition("=")
            if not sep or not name.strip():
                raise forms.ValidationError(f"Line {number}: write name=value.")
            params[name.strip()] = value.strip()
        return params

    def add_service_errors(self, errors: dict) -> None:
        """Show a CheckInputError's messages on the fields they name."""
        for name, message in errors.items():
            if name == "parameters" and isinstance(message, dict):
                text = "; ".join(f"{param}: {text}" for param, text in message.items())
                self.add_error("parameters", text)
            elif name == "interval_minutes":
                self.add_error("interval", str(message))
            elif name in self.fields:
                self.add_error(name, str(message))
            else:
                self.add_error(None, str(message))


class WebhookForm(forms.Form):
    url = forms.CharField(
        max_length=500,
        label="HTTPS address",
        help_text="It receives a signed POST whenever a watched domain changes state.",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/hooks/dmarc"}),
    )
