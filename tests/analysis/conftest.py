"""The analyzer's tests: signed messages' zones on the loopback server, and the real catalog
entries of SendGrid and the vendors sharing its system."""

from __future__ import annotations

import asyncio

import pytest

from sources.analysis import analyze
from sources.checker.dns import Resolver
from tests.analysis import scenarios


@pytest.fixture
def mail_zones(dns_server):
    """The test domains and the test keys, served by the loopback DNS server."""
    scenarios.serve_zones(dns_server)
    return dns_server


@pytest.fixture
def run_analysis(mail_zones):
    """Analyse bytes with a fresh resolver pointed at the loopback server."""

    def run(raw: bytes) -> dict:
        resolver = Resolver([mail_zones.address], timeout=2.0, retries=0)
        return asyncio.run(analyze(raw, resolver=resolver))

    return run


@pytest.fixture
def sendgrid_catalog(tmp_path, db):
    """SendGrid's real catalog entry (and the entries related to it) in the database."""
    from sources.services.catalogimport import catalog_import
    from tests.checks.detection_zones import copy_entries

    catalog_import(path=copy_entries(tmp_path))
