"""The embeddable status badge: SVG, cacheable, and nothing from the entry injected raw."""

import xml.etree.ElementTree as ET

import pytest

from sources.models import Vendor
from tests.factories import make_vendor, spf_include_method

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def parse(body):
    """The site's own SVG (no entities, no DTD), parsed to check it is well-formed."""
    return ET.fromstring(body)  # noqa: S314


def test_a_ready_entry_says_dmarc_ready_with_its_verification_date(client, mailhawk):
    response = client.get("/vendors/mailhawk/badge.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["X-Content-Type-Options"] == "nosniff"
    # Opened directly, nothing in it may run or load; other sites may show it.
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    svg = parse(response.content)
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts == ["DMARC-ready", "verified 2026-11-01"]
    assert svg.find(f"{SVG}title").text == "Mailhawk: DMARC-ready · verified 2026-11-01"


def test_an_undocumented_entry_says_so(client, db):
    make_vendor("includeonly", name="IncludeOnly", methods=[spf_include_method()])
    svg = parse(client.get("/vendors/includeonly/badge.svg").content)
    assert [t.text for t in svg.iter(f"{SVG}text")] == ["DMARC", "not documented"]


def test_it_revalidates_with_its_etag_and_changes_with_the_entry(client, mailhawk):
    etag = client.get("/vendors/mailhawk/badge.svg")["ETag"]
    again = client.get("/vendors/mailhawk/badge.svg", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    Vendor.objects.filter(slug="mailhawk").update(last_verified="2026-12-01")
    fresh = client.get("/vendors/mailhawk/badge.svg", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and b"verified 2026-12-01" in fresh.content


def test_markup_in_the_vendors_name_is_escaped(client, db):
    make_vendor("evil", name='Evil"><script>alert(1)</script>')
    body = client.get("/vendors/evil/badge.svg").content.decode()
    assert "<script" not in body
    svg = parse(body)  # still well-formed XML
    assert svg.find(f"{SVG}title").text.startswith('Evil"><script>alert(1)</script>:')
    assert svg.get("aria-label").startswith('Evil"><script>')


def test_unknown_and_unpublished_entries_have_no_badge(client, db):
    make_vendor("hidden", published=False)
    assert client.get("/vendors/hidden/badge.svg").status_code == 404
    assert client.get("/vendors/nobody/badge.svg").status_code == 404
