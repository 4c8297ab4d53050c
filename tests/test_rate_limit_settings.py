"""Rate limits and the cache come from the environment; with Redis, processes share limits.

The subprocess tests start fresh Python processes with their own environment,
as gunicorn workers would be: a limit counted in one must hold in the other.
Redis runs on 127.0.0.1:6379 on development and CI machines.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from sources.ratelimit import LIMITS, parse_rate, variable_for

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/13"

# Counts `hits` hits of one client against the `check` limit; prints the cache backend
# and how many were allowed.
HITS = """
import sys
import django
django.setup()
from django.conf import settings
from sources.ratelimit import ratelimit_named
hits = int(sys.argv[1])
allowed = sum(ratelimit_named("check", key="ip:192.0.2.7").allowed for _ in range(hits))
print(settings.CACHES["default"]["BACKEND"], allowed)
"""


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_RATE") and k != "REDIS_URL"}
    env.update(DJANGO_SETTINGS_MODULE="directory.settings", **extra)
    return env


def start(code: str, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=environment(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return out.strip()


@pytest.fixture
def redis_prefix():
    """A key prefix of this run's own in a Redis database the tests use; cleaned afterwards."""
    import redis

    prefix = f"test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)


def test_two_processes_share_one_limit_through_redis(redis_prefix):
    env = {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": redis_prefix, "CHECK_RATE": "50/day"}
    first, second = start(HITS, "40", **env), start(HITS, "40", **env)
    results = [finish(first).split(), finish(second).split()]
    assert {backend for backend, _ in results} == {"django.core.cache.backends.redis.RedisCache"}
    assert sum(int(allowed) for _, allowed in results) == 50  # not 80: the limit held


def test_without_redis_each_process_counts_alone():
    """Why REDIS_URL matters: local memory gives every process its own allowance."""
    env = {"CHECK_RATE": "50/day"}
    first, second = start(HITS, "40", **env), start(HITS, "40", **env)
    results = [finish(first).split(), finish(second).split()]
    assert {backend for backend, _ in results} == {"django.core.cache.backends.locmem.LocMemCache"}
    assert [int(allowed) for _, allowed in results] == [40, 40]


SHOW_LIMITS = """
import django
django.setup()
from django.conf import settings
from sources.ratelimit import limit_for
print(settings.RATE_LIMITS["login"], limit_for("login"), limit_for("api-anon"))
"""


def test_every_limit_is_read_from_its_variable():
    out = finish(start(SHOW_LIMITS, LOGIN_RATE="5/15min", API_ANON_RATE="60/hour"))
    assert out == "5/15min (5, 900) (60, 3600)"


def test_a_malformed_rate_stops_the_site_at_start_up():
    process = start(SHOW_LIMITS, CHECK_RATE="thirty a minute")
    _, err = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "ImproperlyConfigured: CHECK_RATE: 'thirty a minute' is not a rate" in err


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [
        ("30/min", (30, 60)),
        ("10/hour", (10, 3600)),
        ("20/10min", (20, 600)),
        ("5 / 2 hours", (5, 7200)),
        ("1/s", (1, 1)),
        ("1000/day", (1000, 86400)),
        ("120/m", (120, 60)),
    ],
)
def test_rates_are_requests_per_period(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["", "30", "30/", "/min", "30/fortnight", "-1/min", "30/0min"])
def test_anything_else_is_refused(rate):
    with pytest.raises(ValueError):
        parse_rate(rate)


def test_every_default_parses_and_has_its_variable():
    for default, _ in LIMITS.values():
        assert parse_rate(default)
    assert variable_for("bulk-check") == "BULK_CHECK_RATE"
    assert variable_for("api-anon") == "API_ANON_RATE"
