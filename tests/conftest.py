"""What every test shares: a process-local cache reset around each test, tasks run at
once, the authoritative DNS server on loopback, and headless Chromium.

Directory conftests add only their own personas and catalogs; factories live in
tests/factories.py.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from sources.checker.dns import Resolver
from tests.dnsserver import DNSServer

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Playwright's sync API runs an event loop in the test thread; the ORM calls made
# by fixtures in that thread are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    # pytest-django has read the settings before any conftest runs, so the environment
    # cannot choose the cache here: REDIS_URL in a developer's shell would make test runs
    # share (and clear) a real Redis. Tests that need Redis start a process with it.
    django_settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }


def pytest_collection_modifyitems(config, items):
    """Browser tests skip without Chromium, except on CI where that is an error."""
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI=true but Chromium is missing at {CHROMIUM}: install it")
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


# -- fresh state ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_state(settings):
    """Rate-limit counters start at zero; background tasks run at once (tests of the
    database queue set TASKS themselves); passwords hash fast."""
    cache.clear()
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    cache.clear()


# -- DNS ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dns_server_session() -> Iterator[DNSServer]:
    """One authoritative server per test process, serving tests/zones/*.zone."""
    server = DNSServer()
    server.add_zone_dir()
    server.mark_baseline()
    with server:
        yield server


@pytest.fixture
def dns_server(dns_server_session: DNSServer, settings) -> Iterator[DNSServer]:
    """The shared server with faults, latency, counters and extra zones cleared, and the
    site's checker pointed at it (1.5 s per query: short, yet long enough that a
    loaded machine does not turn an answer into a timeout)."""
    dns_server_session.reset()
    settings.CHECKER_NAMESERVERS = [dns_server_session.address]
    settings.CHECKER_TIMEOUT = 1.5
    yield dns_server_session
    dns_server_session.reset()


@pytest.fixture
def resolver(dns_server: DNSServer) -> Resolver:
    """A fresh resolver (one check's worth of cache) pointed at the test server.

    Two seconds per query: a loaded CI machine can be slow to answer, and a
    spurious timeout would turn a verdict into temperror. Tests of timeouts
    build their own resolver with the timeout they need.
    """
    return Resolver([dns_server.address], timeout=2.0, retries=0)


# -- the browser --------------------------------------------------------------------------


# One Chromium per test module: the sync API keeps an event loop running in the thread
# until it stops, and a session-wide one broke asyncio.run() in the test files that a
# pytest-xdist worker ran after a browser test (and a second module's browser fixture).
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A page on the live server; fails the test on any browser error or outside request."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" else None,
    )
    outside = []
    page.on(
        "request",
        lambda req: (
            outside.append(req.url)
            if not req.url.startswith((live_server.url, "data:", "blob:"))
            else None
        ),
    )
    yield page
    context.close()
    assert not outside, f"requests left the site: {outside}"
    assert not errors, f"browser errors: {errors}"
