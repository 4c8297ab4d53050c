"""Starting a domain verification."""

from django import forms

from sources.checker.domains import InvalidDomain
from sources.services.verification import verification_domain


class VerificationForm(forms.Form):
    domain = forms.CharField(
        max_length=300,
        label="Domain",
        help_text="The vendor's domain, such as example.com (a URL works too). "
        "We verify its registrable domain.",
    )

    def clean_domain(self) -> str:
        try:
            return verification_domain(self.cleaned_data["domain"])
        except InvalidDomain as exc:
            raise forms.ValidationError(exc.reason[0].upper() + exc.reason[1:] + ".") from None
