"""GET /api/v1/vendors: the published catalog, filtered, searched, ordered and paged."""

import datetime as dt

import pytest
from django.utils import timezone

from sources.models import Vendor

pytestmark = pytest.mark.django_db


def slugs(client, **params):
    response = client.get("/api/v1/vendors", params)
    assert response.status_code == 200, response.content
    return [vendor["slug"] for vendor in response.json()["results"]]


def test_it_lists_published_vendors_by_name(anonymous, catalog):
    assert slugs(anonymous) == ["helpy", "oldmail", "postmark", "sendgrid"]


def test_each_vendor_carries_its_facts_and_links(anonymous, catalog):
    body = anonymous.get("/api/v1/vendors").json()
    sendgrid = body["results"][-1]
    assert body["count"] == 4
    assert sendgrid == {
        "slug": "sendgrid",
        "name": "SendGrid",
        "summary": "Transactional and marketing email.",
        "website": "https://www.sendgrid.example/",
        "categories": ["marketing", "transactional-email"],
        "dmarc_capability": "full",
        "has_spf_route": True,
        "has_dkim_route": True,
        "method_kinds": ["cname-delegation", "spf-include"],
        "last_verified": "2026-11-01",
        "updated_at": sendgrid["updated_at"],
        "url": "http://testserver/api/v1/vendors/sendgrid",
        "page_url": "http://testserver/vendors/sendgrid/",
    }


def test_it_filters_by_category(anonymous, catalog):
    assert slugs(anonymous, category="marketing") == ["oldmail", "sendgrid"]


def test_it_filters_by_setup_method(anonymous, catalog):
    assert slugs(anonymous, method="spf-include") == ["helpy", "sendgrid"]
    assert slugs(anonymous, method="dkim-txt") == ["postmark"]


def test_it_filters_by_dmarc_capability(anonymous, catalog):
    assert slugs(anonymous, capability="full") == ["sendgrid"]
    assert slugs(anonymous, capability="dkim-only") == ["postmark"]
    assert slugs(anonymous, capability="none") == ["oldmail"]


def test_it_filters_by_spf_and_dkim_routes(anonymous, catalog):
    assert slugs(anonymous, has_spf_route="true") == ["helpy", "sendgrid"]
    assert slugs(anonymous, has_spf_route="false") == ["oldmail", "postmark"]
    assert slugs(anonymous, has_dkim_route="true") == ["postmark", "sendgrid"]
    assert slugs(anonymous, has_dkim_route="false") == ["oldmail"]
    assert slugs(anonymous, has_spf_route="true", has_dkim_route="false") == []


def test_a_route_nobody_documented_is_unknown_not_false(anonymous, catalog):
    # Helpy documents its SPF route only: DKIM is neither offered nor ruled out.
    assert slugs(anonymous, has_dkim_route="unknown") == ["helpy"]
    assert slugs(anonymous, has_spf_route="unknown") == []
    helpy = anonymous.get("/api/v1/vendors", {"q": "helpy"}).json()["results"][0]
    assert (helpy["has_spf_route"], helpy["has_dkim_route"]) == (True, None)


def test_it_filters_by_update_time(anonymous, catalog):
    Vendor.objects.filter(slug="postmark").update(updated_at=timezone.now() + dt.timedelta(days=2))
    tomorrow = (timezone.now() + dt.timedelta(days=1)).isoformat()
    assert slugs(anonymous, updated_since=tomorrow) == ["postmark"]
    assert slugs(anonymous, updated_since=(timezone.now() + dt.timedelta(days=1)).date()) == [
        "postmark"
    ]
    assert len(slugs(anonymous, updated_since="2000-01-01")) == 4
    assert len(slugs(anonymous, updated_since="2000-01-01T00:00:00+02:00")) == 4


def test_filters_combine(anonymous, catalog):
    assert slugs(anonymous, category="transactional-email", capability="dkim-only") == ["postmark"]
    assert slugs(anonymous, category="helpdesk", method="dkim-txt") == []


def test_search_finds_names_with_typos_through_the_site_search(anonymous, catalog):
    assert slugs(anonymous, q="sendgird")[0] == "sendgrid"
    assert slugs(anonymous, q="twilio")[0] == "sendgrid"  # an alias


def test_search_matches_summaries_and_combines_with_filters(anonymous, catalog):
    assert "helpy" in slugs(anonymous, q="helpdesk")
    assert slugs(anonymous, q="transactional", category="marketing") == ["sendgrid"]


def test_search_gives_the_same_vendors_as_the_search_page(anonymous, catalog):
    page = anonymous.get("/search/", {"q": "mail"}).content.decode()
    for slug in slugs(anonymous, q="mail"):
        assert f"/vendors/{slug}/" in page


def test_ordering_by_name_and_update_time(anonymous, catalog):
    assert slugs(anonymous, ordering="-name") == ["sendgrid", "postmark", "oldmail", "helpy"]
    Vendor.objects.filter(slug="oldmail").update(updated_at=timezone.now() + dt.timedelta(1))
    assert slugs(anonymous, ordering="-updated_at")[0] == "oldmail"
    assert slugs(anonymous, ordering="updated_at")[-1] == "oldmail"
    assert slugs(anonymous, q="mail", ordering="name") == sorted(slugs(anonymous, q="mail"))


def test_pages_link_to_each_other(anonymous, catalog):
    first = anonymous.get("/api/v1/vendors", {"page_size": 3}).json()
    assert first["count"] == 4 and len(first["results"]) == 3
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/vendors?page=2&page_size=3"
    second = anonymous.get(first["next"]).json()
    assert [v["slug"] for v in second["results"]] == ["sendgrid"]
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/v1/vendors?page_size=3"


def test_the_link_header_carries_the_neighbouring_pages(anonymous, catalog):
    response = anonymous.get("/api/v1/vendors", {"page_size": 1, "page": 2})
    assert response["Link"] == (
        '<http://testserver/api/v1/vendors?page=3&page_size=1>; rel="next", '
        '<http://testserver/api/v1/vendors?page_size=1>; rel="prev"'
    )


def test_unpublished_vendors_are_never_listed(anonymous, catalog):
    assert "hidden" not in slugs(anonymous, q="hidden")
    assert "hidden" not in slugs(anonymous, page_size=100)


def test_an_empty_catalog_is_an_empty_first_page(anonymous, db):
    assert anonymous.get("/api/v1/vendors").json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }
