"""Fixtures for the checker's front ends: the test DNS server, the vendor Mailhawk, personas.

Mailhawk's DNS is tests/zones/customer-mailhawk.zone and its customers'
set-ups are tests/zones/customer-domains.zone (one scenario per name).
"""

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from tests.browser.conftest import browser, page  # noqa: F401 - the browser tests' fixtures
from tests.dnsserver import DNSServer
from tests.factories import dkim_cname_method, make_vendor

ACCOUNT = "7001"

MAILHAWK_METHODS = [
    dkim_cname_method(
        kind="cname-delegation",
        title="Authenticate your domain with CNAME records",
        parameters=[
            {
                "name": "account_id",
                "label": "Account number",
                "help": "Shown under Settings → Sending domains.",
                "pattern": "^[0-9]{3,8}$",
                "example": "7001",
            }
        ],
        records=[
            {
                "id": "dkim-s1",
                "type": "CNAME",
                "host": "s1._domainkey.{domain}",
                "value": "s1.dkim.u{account_id}.mailhawk.test",
                "check": "dkim-key",
                "purpose": "dkim",
                "selector": "s1",
            },
            {
                "id": "dkim-s2",
                "type": "CNAME",
                "host": "s2._domainkey.{domain}",
                "value": "s2.dkim.u{account_id}.mailhawk.test",
                "check": "dkim-key",
                "purpose": "dkim",
                "selector": "s2",
            },
            {
                "id": "return-path",
                "type": "CNAME",
                "host": "bounces.{domain}",
                "value": "u{account_id}.bounce.mailhawk.test",
                "purpose": "return-path",
            },
        ],
    ),
    dkim_cname_method(
        kind="spf-include",
        title="Add Mailhawk to your SPF record",
        recommended=False,
        order=2,
        parameters=[],
        records=[
            {
                "id": "spf",
                "type": "TXT",
                "host": "{domain}",
                "value": "include:_spf.mailhawk.test",
                "check": "spf-include",
                "purpose": "spf",
            }
        ],
    ),
]


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
    """The shared server, reset, and the checker pointed at it with a short timeout."""
    dns_server_session.reset()
    settings.CHECKER_NAMESERVERS = [dns_server_session.address]
    settings.CHECKER_TIMEOUT = 0.3
    yield dns_server_session
    dns_server_session.reset()


@pytest.fixture(autouse=True)
def _fresh_limits_and_immediate_tasks(settings):
    """Rate-limit counters start at zero and background tasks run at once."""
    cache.clear()
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    yield
    cache.clear()


@pytest.fixture
def mailhawk(db):
    return make_vendor("mailhawk", name="Mailhawk", methods=MAILHAWK_METHODS)


def time_out(server: DNSServer, domain: str) -> None:
    """Make every name the stormgate scenario needs stay silent."""
    for prefix in ("", "_dmarc.", "s1._domainkey.", "s2._domainkey.", "bounces."):
        server.set_fault(prefix + domain, "timeout")
