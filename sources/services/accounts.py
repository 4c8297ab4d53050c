"""Accounts for submitters: sign-up with e-mail confirmation (Django's auth)."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from sources.services.notifications import send_safely

logger = logging.getLogger(__name__)


class ConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """Links that confirm an address; they stop working once the account is active."""

    key_salt = "sources.services.accounts.ConfirmationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.is_active}{user.email}{timestamp}"


confirmation_tokens = ConfirmationTokenGenerator()


def confirmation_path(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("signup-confirm", args=[uid, confirmation_tokens.make_token(user)])


def confirmation_send(*, user, absolute) -> bool:
    """E-mail the confirmation link; `absolute` turns a path into a full URL."""
    return send_safely(
        subject="Confirm your e-mail address",
        template="registration/email/confirm.txt",
        context={"user": user, "confirm_url": absolute(confirmation_path(user))},
        to=[user.email],
    )


def account_signup(*, email: str, password: str, absolute) -> None:
    """Create an inactive account and send its confirmation link.

    When the address already has an account, nothing is created and its owner
    gets a note instead, so the form never reveals who is registered: not by
    its answer, nor by its time, since every path hashes the password (the
    slow part of creating an account) and sends one e-mail.
    """
    User = get_user_model()
    existing = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).first()
    if existing is not None:
        make_password(password)  # the same work as a new account's hash, then discarded
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=email, email=email, password=password, is_active=False
                )
        except IntegrityError:  # the same address, twice at once
            return
        confirmation_send(user=user, absolute=absolute)
    elif not existing.is_active:
        confirmation_send(user=existing, absolute=absolute)
    else:
        send_safely(
            subject="You already have an account",
            template="registration/email/already_registered.txt",
            context={
                "user": existing,
                "login_url": absolute(reverse("login")),
                "reset_url": absolute(reverse("password_reset")),
            },
            to=[existing.email],
        )


def account_confirm(*, user) -> None:
    """Activate an account whose owner followed the confirmation link."""
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
