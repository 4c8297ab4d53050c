"""The "report outdated or wrong information" form, open to anyone."""

from django import forms

MAX_REPORT = 2000


class ReportForm(forms.Form):
    note = forms.CharField(
        max_length=MAX_REPORT,
        label="What is outdated or wrong?",
        help_text="Say which part and, if you can, link to the vendor's current documentation.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    email = forms.EmailField(
        required=False,
        label="Your e-mail address (optional)",
        help_text="Only if you are happy for a moderator to ask you about it. Never published.",
    )
    # A honeypot: hidden from people by CSS, filled in by form-filling bots.
    homepage = forms.CharField(required=False, label="Leave this field empty")
