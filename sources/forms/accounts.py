"""Sign-up, sign-in and password reset: Django's auth with the e-mail address as login."""

from __future__ import annotations

import logging

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.urls import reverse
from django.utils.html import format_html

logger = logging.getLogger(__name__)

MAX_EMAIL = 150  # usernames are the lowercased address and hold at most 150 characters


def user_for_login(login: str):
    """The account a sign-in name means: an e-mail address or a username."""
    User = get_user_model()
    login = (login or "").strip()
    if "@" in login:
        return User.objects.filter(email__iexact=login).order_by("-is_active", "pk").first()
    return User.objects.filter(username=login).first()


class SignupForm(forms.Form):
    email = forms.EmailField(
        max_length=MAX_EMAIL,
        label="E-mail address",
        help_text="We send a confirmation link to it. It is never shown on the site.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # A honeypot: hidden from people by CSS, filled in by form-filling bots.
    homepage = forms.CharField(required=False, label="Leave this field empty")

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1 and cleaned.get("email"):
            User = get_user_model()
            probe = User(username=cleaned["email"], email=cleaned["email"])
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class LoginForm(AuthenticationForm):
    """Sign in with the e-mail address (or a username, for accounts made by hand)."""

    username = forms.CharField(
        label="E-mail address",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean(self):
        login = self.cleaned_data.get("username") or ""
        user = user_for_login(login)
        if user is not None:
            self.cleaned_data["username"] = user.get_username()
        try:
            return super().clean()
        except forms.ValidationError:
            password = self.cleaned_data.get("password") or ""
            if user is not None and not user.is_active and user.check_password(password):
                raise forms.ValidationError(
                    format_html(
                        "Confirm your e-mail address first: follow the link we sent. "
                        '<a href="{}">Send it again</a>.',
                        reverse("signup-resend"),
                    ),
                    code="inactive",
                ) from None
            raise


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(max_length=254, label="E-mail address")


class SafePasswordResetForm(PasswordResetForm):
    """Django's reset form; a failure to send is logged, never shown as an error page."""

    def send_mail(self, *args, **kwargs):
        try:
            super().send_mail(*args, **kwargs)
        except Exception:
            logger.exception("could not send a password reset e-mail")
