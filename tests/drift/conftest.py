"""Vendors whose own DNS the drift monitor resolves, served by the loopback DNS server.

Steadymail (tests/zones/steadymail.test.zone) publishes every name its entry points
customers at; Brokenpost (tests/zones/brokenpost.test.zone) lets them drift; Growing's
SPF include is loaded by each test from tests/zones/drift/growing-<cost>.zone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import make_vendor, spf_include_method

GROWING_ZONES = Path(__file__).resolve().parent.parent / "zones" / "drift"


def cname_records_method(records: list[dict], **overrides) -> dict:
    method = {
        "kind": "cname-delegation",
        "title": "Authenticate your domain",
        "recommended": True,
        "order": 1,
        "sources": ["https://docs.example.net/auth"],
        "steps": "1. Add the records.\n2. Click **Verify**.",
        "parameters": [
            {
                "name": "account_id",
                "label": "Account number",
                "help": "Shown in Settings.",
                "pattern": "^[0-9]+$",
                "example": "1234",
            }
        ],
        "records": records,
    }
    return {**method, **overrides}


def make_steadymail(**overrides):
    """Fixed DKIM, bounce and MX targets, an SPF include, and one per-account DKIM target."""
    records = [
        {
            "id": "dkim-s1",
            "type": "CNAME",
            "host": "s1._domainkey.{domain}",
            "value": "dkim.steadymail.test",
            "check": "dkim-key",
            "purpose": "dkim",
            "selector": "s1",
        },
        {
            "id": "dkim-s2",
            "type": "CNAME",
            "host": "s2._domainkey.{domain}",
            "value": "s2.u{account_id}.steadymail.test",
            "check": "dkim-key",
            "purpose": "dkim",
            "selector": "s2",
        },
        {
            "id": "bounce",
            "type": "CNAME",
            "host": "bounce.{domain}",
            "value": "bounce.steadymail.test",
            "purpose": "return-path",
        },
        {
            "id": "bounce-mx",
            "type": "MX",
            "host": "mail.{domain}",
            "value": "mx.steadymail.test",
            "priority": 10,
            "purpose": "return-path",
        },
    ]
    methods = [
        cname_records_method(records),
        spf_include_method("_spf.steadymail.test"),
    ]
    return make_vendor("steadymail", **{"name": "Steadymail", "methods": methods, **overrides})


def make_brokenpost(**overrides):
    """A DKIM target gone (NXDOMAIN), a 512-bit key, an MX host without an address."""
    records = [
        {
            "id": "dkim-bp1",
            "type": "CNAME",
            "host": "bp1._domainkey.{domain}",
            "value": "dkim.brokenpost.test",
            "check": "dkim-key",
            "purpose": "dkim",
            "selector": "bp1",
        },
        {
            "id": "dkim-bp2",
            "type": "CNAME",
            "host": "bp2._domainkey.{domain}",
            "value": "short.brokenpost.test",
            "check": "dkim-key",
            "purpose": "dkim",
            "selector": "bp2",
        },
        {
            "id": "bounce-mx",
            "type": "MX",
            "host": "bounces.{domain}",
            "value": "mx.brokenpost.test",
            "priority": 10,
            "purpose": "return-path",
        },
    ]
    methods = [cname_records_method(records, parameters=[])]
    return make_vendor("brokenpost", **{"name": "Brokenpost", "methods": methods, **overrides})


def make_growing(**overrides):
    """A vendor whose one record is an SPF include."""
    methods = [spf_include_method("_spf.growing.test", order=1, recommended=True)]
    return make_vendor("growing", **{"name": "Growing", "methods": methods, **overrides})


def serve_growing(dns_server, cost: int) -> None:
    """Growing's include as it is when it costs `cost` lookups (replacing any other state)."""
    dns_server.reset()
    dns_server.add_zone_file(GROWING_ZONES / f"growing-{cost}.zone")


@pytest.fixture(autouse=True)
def _site_settings(settings):
    """Reports reach the moderators' digest at once; .test names are accepted."""
    settings.MODERATOR_DIGEST_DELAY = 0
    settings.CHECKER_ALLOW_TEST_DOMAINS = True


@pytest.fixture
def steadymail(db):
    return make_steadymail()


@pytest.fixture
def brokenpost(db):
    return make_brokenpost()


@pytest.fixture
def growing(db):
    return make_growing()
