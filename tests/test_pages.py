"""The catalog pages, as an anonymous visitor sees them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_category, make_vendor, make_vendors_bulk

pytestmark = pytest.mark.django_db


@pytest.fixture
def vendor():
    return make_vendor(
        "sendgrid",
        name="SendGrid",
        aliases=["Twilio SendGrid"],
        undocumented=["DKIM key length"],
        description="Signs with **your** domain. <script>alert('x')</script>",
    )


def test_home_lists_categories_with_counts(client, vendor):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Transactional email" in html and "1 vendor" in html


def test_vendor_page_shows_records_with_placeholders(client, vendor):
    html = client.get("/vendors/sendgrid/").content.decode()
    assert "s1._domainkey.<var>{domain}</var>" in html
    assert "s1.dkim.u<var>{account_id}</var>.example.net" in html
    assert "Full DMARC alignment" in html
    assert "DKIM key length" in html  # the undocumented points are listed
    assert 'href="/check/?vendor=sendgrid"' in html
    assert "https://docs.example.net/auth" in html


def test_vendor_markdown_is_sanitised(client, vendor):
    html = client.get("/vendors/sendgrid/").content.decode()
    assert "<strong>your</strong>" in html
    assert "<script>alert" not in html


def test_unknown_vendor_is_a_friendly_404(client):
    response = client.get("/vendors/no-such-vendor/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_unpublished_vendor_is_hidden(client):
    make_vendor("hidden", published=False)
    assert client.get("/vendors/hidden/").status_code == 404


def test_search_page_finds_by_typo_and_shows_facets(client, vendor):
    html = client.get("/search/", {"q": "sendgird"}).content.decode()
    assert "/vendors/sendgrid/" in html
    assert "CNAME delegation" in html  # method facet
    assert "1 vendor" in html


def test_facet_filter_narrows_the_listing(client, vendor):
    make_vendor("helpy", name="Helpy", categories=["helpdesk"])
    html = client.get("/search/", {"category": "helpdesk"}).content.decode()
    assert "/vendors/helpy/" in html and "/vendors/sendgrid/" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 10_000},
        {"q": "<script>alert(1)</script>"},
        {"q": "'; DROP TABLE sources_vendor; --"},
        {"q": "😀📧"},
        {"q": ""},
        {"page": "-3"},
        {"page": "abc"},
        {"page": "99999"},
        {"category": "<b>nope</b>", "method": "???", "capability": "all"},
    ],
)
def test_bad_search_input_gives_a_normal_escaped_page(client, vendor, params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_category_page_lists_its_vendors(client, vendor):
    html = client.get("/categories/transactional-email/").content.decode()
    assert "/vendors/sendgrid/" in html
    assert client.get("/categories/nope/").status_code == 404


def test_pages_send_a_strict_content_security_policy(client, vendor):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "default-src 'self'" in csp


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/search/",
        "/search/?q=bulk+vendor+1",
        "/search/?category=transactional-email&capability=unknown",
        "/categories/transactional-email/",
        "/vendors/sendgrid/",
    ],
)
def test_catalog_pages_run_the_same_queries_at_10_and_1000_vendors(client, vendor, url):
    category = make_category()
    make_vendors_bulk(9, category=category)
    small = count_queries(client, url)
    from sources.models import Vendor

    Vendor.objects.filter(slug__startswith="bulk-").delete()
    make_vendors_bulk(999, category=category)
    assert count_queries(client, url) == small
