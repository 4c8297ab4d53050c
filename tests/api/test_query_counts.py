"""List and detail endpoints run the same number of SQL queries at 10 and at 1,000 vendors."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sources.models import Vendor
from tests.factories import make_category, make_vendors_bulk

pytestmark = pytest.mark.django_db

URLS = [
    "/api/v1/vendors",
    "/api/v1/vendors?page_size=100",
    "/api/v1/vendors?page_size=100&format=csv",
    "/api/v1/vendors?q=bulk+vendor+1&ordering=-updated_at",
    "/api/v1/vendors?category=transactional-email&capability=unknown&has_spf_route=false",
    "/api/v1/vendors?updated_since=2000-01-01&page=2&page_size=5",
    "/api/v1/vendors/sendgrid",
    "/api/v1/categories",
    "/api/v1/method-kinds",
    "/api/v1/lookup?name=s1.domainkey.u123.wl.sendgrid.net",
    "/api/v1/catalog.json",
]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("url", URLS)
def test_the_same_queries_at_10_and_1000_vendors(anonymous, catalog, url):
    category = make_category()
    make_vendors_bulk(10, category=category)
    small = count_queries(anonymous, url)
    Vendor.objects.filter(slug__startswith="bulk-").delete()
    make_vendors_bulk(1000, category=category)
    assert count_queries(anonymous, url) == small
