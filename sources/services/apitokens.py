"""API tokens: made, checked and revoked here; stored hashed, expiring, tied to the password."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from sources.models import ApiToken

PREFIX_LENGTH = 8


def token_digest(key: str) -> str:
    """How a key is stored: its SHA-256, in hex."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def password_marker(user) -> str:
    """Changes whenever the user's password does (its hash gets a new salt)."""
    return hashlib.sha256(user.password.encode()).hexdigest()


def api_token_create(*, user, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`, replacing any other; returns it and its key (shown once)."""
    days = settings.API_TOKEN_DAYS if days is None else days
    if days <= 0:
        raise ValueError("a token must live at least one day")
    key = secrets.token_hex(20)
    with transaction.atomic():
        ApiToken.objects.filter(user=user).delete()
        token = ApiToken.objects.create(
            user=user,
            digest=token_digest(key),
            prefix=key[:PREFIX_LENGTH],
            password_marker=password_marker(user),
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
    return token, key


def api_token_valid(token: ApiToken) -> bool:
    """Unexpired, its user active, and made under the user's current password."""
    user = token.user
    return (
        token.expires_at > timezone.now()
        and user.is_active
        and constant_time_compare(token.password_marker, password_marker(user))
    )


def api_token_authenticate(key: str) -> ApiToken | None:
    """The valid token whose key this is, or None."""
    if not key or len(key) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
    if token is None or not api_token_valid(token):
        return None
    return token


def api_token_current(*, user) -> ApiToken | None:
    """The user's token when it still works; a token that no longer does is removed."""
    token = ApiToken.objects.filter(user=user).select_related("user").first()
    if token is not None and not api_token_valid(token):
        token.delete()
        return None
    return token


def api_tokens_revoke(*, user) -> int:
    """Revoke every token of `user`; how many there were."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted
