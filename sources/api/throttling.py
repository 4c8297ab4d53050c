"""The API's throttle: sources.ratelimit's registry and counters, for DRF views.

Every API view is held to `api-anon` (per address, no token) or `api-user`
(per account). Views that start work add the limit of that work, counted only
for the methods that start it and shared with the web pages:

    @throttle_classes([RateLimitThrottle, RateLimitThrottle.of("check", methods=["POST"])])
"""

from __future__ import annotations

from collections.abc import Iterable

from rest_framework.throttling import BaseThrottle

from sources.ratelimit import client_key, ratelimit_named


class RateLimitThrottle(BaseThrottle):
    """A named limit of the registry per client (by default api-anon or api-user)."""

    limit: str = ""  # empty: api-user for a signed-in user or token, api-anon otherwise
    methods: frozenset[str] = frozenset()  # empty: every method counts

    retry_after = 0

    @classmethod
    def of(cls, limit: str, *, methods: Iterable[str] = ()) -> type[RateLimitThrottle]:
        """This throttle for limit `limit`, counting only `methods` when given."""
        attrs = {"limit": limit, "methods": frozenset(m.upper() for m in methods)}
        return type(f"RateLimitThrottle_{limit.replace('-', '_')}", (cls,), attrs)

    def allow_request(self, request, view) -> bool:
        if self.methods and request.method not in self.methods:
            return True
        signed_in = bool(request.user and request.user.is_authenticated)
        name = self.limit or ("api-user" if signed_in else "api-anon")
        result = ratelimit_named(name, key=client_key(request))
        self.retry_after = result.retry_after
        return result.allowed

    def wait(self) -> float:
        return self.retry_after
