"""API rate limits: per client address when anonymous, per account with a token or session.

The rates are REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"] and ["user"]
(API_ANON_RATE, API_USER_RATE), read on every request so that tests and
settings changes take effect at once. Counting is sources.ratelimit's fixed
window, shared with the rest of the site (see its note on several processes).
"""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from sources.ratelimit import client_key, ratelimit_hit

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'120/min' -> (120, 60)."""
    number, period = rate.split("/")
    return int(number), PERIODS[period.strip()[0]]


class ClientRateThrottle(BaseThrottle):
    """Anonymous clients get the 'anon' rate each; signed-in users and tokens the 'user' rate."""

    retry_after = 0

    def allow_request(self, request, view) -> bool:
        scope = "user" if request.user and request.user.is_authenticated else "anon"
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
        if not rate:
            return True
        limit, window = parse_rate(rate)
        result = ratelimit_hit(key=f"api-{scope}:{client_key(request)}", limit=limit, window=window)
        self.retry_after = result.retry_after
        return result.allowed

    def wait(self) -> float:
        return self.retry_after
