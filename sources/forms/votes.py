"""The "I need this" form on a vendor's scorecard."""

from django import forms


class VoteForm(forms.Form):
    point = forms.ChoiceField(widget=forms.RadioSelect, label="What do you need?")
    email = forms.EmailField(
        max_length=254,
        label="Your e-mail address",
        help_text="We e-mail you a link: the vote counts once you follow it. One vote per "
        "address and point; the address is kept only as a digest, never shown.",
    )
    # A honeypot: hidden from people by CSS, filled in by form-filling bots.
    homepage = forms.CharField(required=False, label="Leave this field empty")

    def __init__(self, *args, choices: list[tuple[str, str]], signed_in: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].choices = choices
        if signed_in:
            del self.fields["email"]
