"""GET /api/v1/categories."""

import pytest

pytestmark = pytest.mark.django_db


def test_categories_come_with_their_published_vendor_counts(anonymous, catalog):
    categories = anonymous.get("/api/v1/categories").json()
    assert [(c["slug"], c["vendor_count"]) for c in categories] == [
        ("helpdesk", 1),
        ("marketing", 2),
        ("transactional-email", 2),  # the unpublished vendor is not counted
    ]
    assert categories[0] == {
        "slug": "helpdesk",
        "name": "Helpdesk",
        "description": "About helpdesk.",
        "vendor_count": 1,
        "vendors_url": "http://testserver/api/v1/vendors?category=helpdesk",
    }


def test_a_category_links_to_its_vendors(anonymous, catalog):
    url = anonymous.get("/api/v1/categories").json()[0]["vendors_url"]
    assert [v["slug"] for v in anonymous.get(url).json()["results"]] == ["helpy"]
