"""The vendor page and the vendor API show the last check of the vendor's own DNS."""

from __future__ import annotations

import pytest
from django.test import Client

from sources.services.drift import vendors_dns_check
from tests.drift.conftest import serve_growing

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous():
    return Client()


def test_a_vendor_never_checked_shows_nothing_about_it(anonymous, steadymail):
    page = anonymous.get("/vendors/steadymail/").content.decode()
    assert "Last checked against" not in page
    assert anonymous.get("/api/v1/vendors/steadymail").json()["dns_check"] is None


def test_a_healthy_vendor_page_says_when_it_was_checked_and_that_all_answered(
    anonymous, dns_server, steadymail
):
    vendors_dns_check()
    page = anonymous.get("/vendors/steadymail/").content.decode()
    assert "Last checked against Steadymail's DNS on" in page
    assert "the 4 names this entry points customers at answer as expected" in page
    assert "1 record of this entry differs per account" in page
    assert 'class="dns-findings"' not in page


def test_the_page_lists_the_findings_and_marks_what_is_new(anonymous, dns_server, growing):
    serve_growing(dns_server, 4)
    vendors_dns_check()
    serve_growing(dns_server, 7)
    vendors_dns_check()
    page = anonymous.get("/vendors/growing/").content.decode()
    assert "1 thing needs a look" in page
    assert "<code>_spf.growing.test</code>: include:_spf.growing.test costs 7" in page
    assert "New since the check before." in page

    serve_growing(dns_server, 4)
    vendors_dns_check()
    page = anonymous.get("/vendors/growing/").content.decode()
    assert 'class="dns-findings"' not in page
    assert "Resolved since the check of" in page
    assert "<code>_spf.growing.test</code> (spf-include-costly)" in page


def test_the_api_gives_the_check_with_its_findings(anonymous, dns_server, brokenpost):
    vendors_dns_check()
    check = anonymous.get("/api/v1/vendors/brokenpost").json()["dns_check"]
    assert check["names_checked"] == 3
    assert check["templates_skipped"] == 0
    assert check["previous_checked_at"] is None
    first = check["findings"][0]
    assert {k: first[k] for k in ("code", "name", "severity", "new", "unconfirmed")} == {
        "code": "target-nxdomain",
        "name": "dkim.brokenpost.test",
        "severity": "error",
        "new": False,  # a first check has nothing to be new against
        "unconfirmed": False,
    }
    assert {t["name"]: t["summary"] for t in check["targets"]} == {
        "dkim.brokenpost.test": "does not exist",
        "short.brokenpost.test": "RSA key, 512 bits",
        "mx.brokenpost.test": "no address",
    }


def test_a_new_check_changes_the_api_etag(anonymous, dns_server, brokenpost):
    vendors_dns_check()
    etag = anonymous.get("/api/v1/vendors/brokenpost")["ETag"]
    assert (
        anonymous.get("/api/v1/vendors/brokenpost", headers={"If-None-Match": etag}).status_code
        == 304
    )
    vendors_dns_check()
    again = anonymous.get("/api/v1/vendors/brokenpost", headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert again.json()["dns_check"]["previous_checked_at"] is not None
