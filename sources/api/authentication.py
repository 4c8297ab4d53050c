"""`Authorization: Token <key>`, checked against the hashed tokens (services/apitokens.py)."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from sources.services.apitokens import api_token_authenticate


class HashedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        token = api_token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed(
                "Invalid token: it may have expired, been revoked, or stopped working when "
                "the account's password changed. Make a new one on your account page."
            )
        return token.user, token
