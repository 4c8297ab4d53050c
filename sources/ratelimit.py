"""Rate limits: one registry of named limits, one counter, one 429 answer for pages.

Every limit has a name and a rate written `requests/period` (`30/min`,
`10/hour`, `20/10min`), read from the environment by directory/settings.py
into settings.RATE_LIMITS (the variable is the name in capitals with `_RATE`:
`check` -> CHECK_RATE). Pages, the API (sources/api/throttling.py) and the
admin sign-in all count here:

    limited = rate_limited(request, "report")
    if limited:
        return too_many_requests(request, limited)

Counters are fixed windows in the default cache. Set REDIS_URL so that every
server process shares them; the local-memory fallback counts per process.
This module must stay importable before Django is configured: the settings
use `parse_rate` to refuse a malformed variable at start-up.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import re
import time
from dataclasses import dataclass
from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

# name -> (the rate when its variable is unset, what it limits, per whom)
LIMITS: dict[str, tuple[str, str]] = {
    "api-anon": ("120/min", "API requests per address without a token"),
    "api-user": ("1200/min", "API requests per account (token or session)"),
    "check": ("30/min", "DNS checks per client, page and API together"),
    "bulk-check": ("10/hour", "bulk checks per client, page and API together"),
    "login": ("20/10min", "sign-in attempts per client, site and admin together"),
    "signup": ("10/hour", "sign-ups per client"),
    "password-reset": ("5/hour", "password-reset and confirmation e-mails per client"),
    "submission": ("30/hour", "submissions and revisions per user, page and API together"),
    "preview": ("120/hour", "entry previews per user"),
    "report": ("5/hour", "'outdated information' reports per client"),
    "verification": ("10/10min", "domain verification look-ups per user"),
    "vote": ("20/hour", "'I need this' votes per client, and confirmation e-mails per address"),
    "watch-verify": ("20/hour", "'verify now' re-checks of watched domains per client"),
}

PAGE_TEMPLATE = "checks/rate_limited.html"

_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60}
_PERIODS |= {"h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+?)s?\s*$")


def parse_rate(rate: str) -> tuple[int, int]:
    """'30/min' -> (30, 60); '20/10min' -> (20, 600). Raises ValueError on anything else."""
    match = _RATE_RE.match(str(rate).lower())
    if not match or match.group(3) not in _PERIODS:
        raise ValueError(
            f"{rate!r} is not a rate: write requests/period, e.g. 30/min, 10/hour, 20/10min"
        )
    count, multiple, unit = match.groups()
    window = int(multiple or 1) * _PERIODS[unit]
    if window <= 0:
        raise ValueError(f"{rate!r} has an empty period")
    return int(count), window


def variable_for(name: str) -> str:
    """The environment variable that sets limit `name` ('bulk-check' -> BULK_CHECK_RATE)."""
    return f"{name.upper().replace('-', '_')}_RATE"


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
    # add() is a no-op when the key exists, so concurrent first hits cannot reset it;
    # incr() is atomic in Redis, so processes sharing the cache never lose a hit.
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return RateResult(True, 0, count, limit)
    return RateResult(False, max(1, math.ceil(start + window - now)), count, limit)


@lru_cache(maxsize=64)
def _parsed(rate: str) -> tuple[int, int]:
    return parse_rate(rate)


def limit_for(name: str) -> tuple[int, int]:
    """(requests, window seconds) of the limit called `name`."""
    if name not in LIMITS:
        raise KeyError(f"no rate limit called {name!r}")
    configured = getattr(settings, "RATE_LIMITS", {}) or {}
    return _parsed(configured.get(name, LIMITS[name][0]))


def ratelimit_named(name: str, *, key: str) -> RateResult:
    """Count one hit of `key` (usually client_key(request)) against the limit `name`."""
    limit, window = limit_for(name)
    return ratelimit_hit(key=f"{name}:{key}", limit=limit, window=window)


# -- who is asking -------------------------------------------------------------------


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


# -- pages -------------------------------------------------------------------------------


def rate_limited(request, name: str, *, key: str | None = None) -> RateResult | None:
    """Count this request against limit `name`: the RateResult when over it, else None."""
    result = ratelimit_named(name, key=key or client_key(request))
    return None if result.allowed else result


def wait_message(result: RateResult) -> str:
    minutes = max(1, round(result.retry_after / 60))
    return (
        f"Too many attempts from your connection. Please try again in about "
        f"{minutes} minute{'s' if minutes != 1 else ''}."
    )


def too_many_requests(request, result: RateResult, response=None, *, what: str = ""):
    """The 429 answer of a page, with Retry-After.

    `response` is the page itself shown again (a form keeps what was typed, with
    wait_message among its errors); without it, the rate-limited page, saying
    what was limited (`what`: "checks", "sign-in attempts").
    """
    if response is None:
        context = {"retry_after": result.retry_after, "what": what or "requests"}
        response = render(request, PAGE_TEMPLATE, context)
    response.status_code = 429
    response["Retry-After"] = str(result.retry_after)
    return response


def limit_posts(name: str, *, what: str = "attempts"):
    """Wrap a view so that every POST to it counts against limit `name`."""

    def decorate(view):
        @wraps(view)
        def limited_view(request, *args, **kwargs):
            if request.method == "POST":
                limited = rate_limited(request, name)
                if limited:
                    return too_many_requests(request, limited, what=what)
            return view(request, *args, **kwargs)

        return limited_view

    return decorate
