"""Fixtures for the checker tests: a real DNS server on loopback."""

from collections.abc import Iterator

import pytest

from sources.checker.dns import Resolver
from tests.dnsserver import DNSServer


@pytest.fixture(scope="session")
def dns_server_session() -> Iterator[DNSServer]:
    """One server per test process, serving tests/zones/*.zone."""
    server = DNSServer()
    server.add_zone_dir()
    server.mark_baseline()
    with server:
        yield server


@pytest.fixture
def dns_server(dns_server_session: DNSServer) -> Iterator[DNSServer]:
    """The shared server with faults, latency, counters and extra zones cleared."""
    dns_server_session.reset()
    yield dns_server_session
    dns_server_session.reset()


@pytest.fixture
def resolver(dns_server: DNSServer) -> Resolver:
    """A fresh resolver (one check's worth of cache) pointed at the test server."""
    return Resolver([dns_server.address], timeout=0.5, retries=0)
