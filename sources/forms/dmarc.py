"""The DMARC record generator's form: the choices, checked by the checker's `dmarc_record`."""

from __future__ import annotations

from typing import Any

from django import forms

from sources.checker.dmarcplan import DMARCDraft, InvalidDMARCChoice, dmarc_record

POLICY_CHOICES = [
    ("none", "none: monitor only (start here)"),
    ("quarantine", "quarantine: failing mail goes to spam"),
    ("reject", "reject: failing mail is refused"),
]


class DMARCRecordForm(forms.Form):
    """GET /dmarc/?domain=…&policy=…&rua=…&sp=…&pct=…&t=on"""

    domain = forms.CharField(max_length=1000, label="Your domain")
    policy = forms.ChoiceField(choices=POLICY_CHOICES, initial="none", label="Policy (p=)")
    rua = forms.CharField(
        required=False,
        max_length=1000,
        label="Where reports go (rua=)",
        help_text="One or more e-mail addresses, separated by commas. Left empty, a "
        "dmarc-reports mailbox at your domain is suggested: a record without reports hides "
        "which senders still fail.",
    )
    sp = forms.ChoiceField(
        required=False,
        choices=[("", "the same as the policy"), *POLICY_CHOICES],
        label="Subdomain policy (sp=)",
    )
    pct = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=100,
        label="Share of failing mail the policy applies to (pct=)",
        help_text="100 when empty. A lower share eases the move to quarantine or reject.",
    )
    t = forms.BooleanField(required=False, label="Testing mode (t=y)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.draft: DMARCDraft | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.draft = dmarc_record(
                domain=cleaned["domain"],
                policy=cleaned["policy"],
                rua=cleaned.get("rua") or "",
                subdomain_policy=cleaned.get("sp") or "",
                pct=cleaned.get("pct"),
                testing=bool(cleaned.get("t")),
            )
        except InvalidDMARCChoice as exc:
            field = {"subdomain_policy": "sp"}.get(exc.field, exc.field)
            self.add_error(field if field in self.fields else None, exc.reason)
        return cleaned
