"""A small fixed-window rate limiter on Django's cache, shared by every front end.

    result = ratelimit_hit(key=f"report:{client_key(request)}", limit=5, window=3600)
    if not result.allowed:
        ...  # answer 429 with Retry-After: result.retry_after

Counters live in the default cache. The local-memory cache counts per process:
with several server processes, point CACHES at a shared cache (Redis,
Memcached or the database cache) so that a limit holds across them.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

# Limits by name as (requests, window in seconds); settings.RATE_LIMITS overrides any.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "report": (5, 3600),  # "outdated information" reports per client
    "signup": (10, 3600),  # sign-ups per client
    "login": (20, 600),  # sign-in attempts per client
    "password-reset": (5, 3600),  # reset and confirmation e-mails per client
    "submission": (30, 3600),  # submissions and revisions per user
    "preview": (120, 3600),  # previews per user
    "verification": (10, 600),  # DNS verification checks per user
}


@dataclass(frozen=True)
class RateResult:
    allowed: bool
    retry_after: int  # seconds until the window resets (0 when allowed)
    count: int
    limit: int


def ratelimit_hit(*, key: str, limit: int, window: int) -> RateResult:
    """Count one hit against `key`; allowed while at most `limit` hits fall in the window."""
    if window <= 0 or limit < 0:
        raise ValueError("window must be positive and limit non-negative")
    now = time.time()
    start = int(now // window) * window
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"rl:{window}:{start}:{digest}"
    # add() is a no-op when the key exists, so concurrent first hits cannot reset it.
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return RateResult(True, 0, count, limit)
    return RateResult(False, max(1, math.ceil(start + window - now)), count, limit)


def ratelimit_named(name: str, *, key: str) -> RateResult:
    """Hit the limit called `name` (see DEFAULT_LIMITS and settings.RATE_LIMITS)."""
    limit, window = limit_for(name)
    return ratelimit_hit(key=f"{name}:{key}", limit=limit, window=window)


def limit_for(name: str) -> tuple[int, int]:
    """(requests, window seconds) for a named limit."""
    configured = getattr(settings, "RATE_LIMITS", {}) or {}
    return tuple(configured.get(name, DEFAULT_LIMITS[name]))  # type: ignore[return-value]


def client_ip(request) -> str:
    """The client's address, trusting X-Forwarded-For only as far as settings.NUM_PROXIES."""
    proxies = getattr(settings, "NUM_PROXIES", 0)
    address = request.META.get("REMOTE_ADDR", "") or ""
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if forwarded:
            address = forwarded[-min(proxies, len(forwarded))]
    return address


def client_key(request) -> str:
    """Who is asking, for rate limits: the user when signed in, else the address.

    IPv6 clients are grouped by /64, the block one subscriber usually holds.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return f"ip:{address[:64]}"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return f"ip:{ip.ipv4_mapped}"
        return f"ip:{ipaddress.ip_network(f'{ip}/64', strict=False)}"
    return f"ip:{ip}"
