"""Public reads carry ETag, Last-Modified and Cache-Control, and answer 304 when unchanged."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sources.models import RecordRequirement, Vendor
from sources.services.catalog import current_data, vendor_refresh_derived
from sources.services.revisions import revision_after_edit
from tests.factories import make_vendor

pytestmark = pytest.mark.django_db

PUBLIC_READS = [
    "/api/v1/vendors",
    "/api/v1/vendors?category=marketing&format=csv",
    "/api/v1/vendors/sendgrid",
    "/api/v1/categories",
    "/api/v1/method-kinds",
    "/api/v1/lookup?name=sendgrid.net",
    "/api/v1/catalog.json",
]


@pytest.mark.parametrize("url", PUBLIC_READS)
def test_public_reads_can_be_cached_and_revalidated(anonymous, catalog, url):
    response = anonymous.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["ETag"].startswith('"') and response["Last-Modified"].endswith("GMT")
    assert "Accept" in response["Vary"]
    again = anonymous.get(url, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == response["ETag"]
    assert again["Cache-Control"] == "public, max-age=300"


def test_head_gives_the_headers_without_the_body(anonymous, catalog):
    get, head = anonymous.get("/api/v1/vendors"), anonymous.head("/api/v1/vendors")
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == get["ETag"] and head["Cache-Control"] == get["Cache-Control"]


def test_a_304_costs_one_query(anonymous, catalog):
    etag = anonymous.get("/api/v1/catalog.json")["ETag"]
    with CaptureQueriesContext(connection) as queries:
        response = anonymous.get("/api/v1/catalog.json", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert len(queries) == 1


def test_if_modified_since_works_too(anonymous, catalog):
    last_modified = anonymous.get("/api/v1/vendors")["Last-Modified"]
    response = anonymous.get("/api/v1/vendors", headers={"If-Modified-Since": last_modified})
    assert response.status_code == 304


def test_each_representation_has_its_own_etag(anonymous, catalog):
    etags = {
        anonymous.get("/api/v1/vendors")["ETag"],
        anonymous.get("/api/v1/vendors?page_size=2")["ETag"],
        anonymous.get("/api/v1/vendors", headers={"Accept": "text/csv"})["ETag"],
        anonymous.get("/api/v1/categories")["ETag"],
    }
    assert len(etags) == 4


def revalidate(client, url, etag):
    return client.get(url, headers={"If-None-Match": etag}).status_code


def test_editing_a_vendor_changes_the_etag(anonymous, catalog):
    etag = anonymous.get("/api/v1/vendors")["ETag"]
    make_vendor("postmark", name="Postmark", summary="Now also newsletters.")
    assert revalidate(anonymous, "/api/v1/vendors", etag) == 200


def test_editing_a_record_alone_changes_the_etag(anonymous, catalog):
    """As the admin's method form does: the records change, the derived fields, then the
    revision."""
    etag = anonymous.get("/api/v1/vendors/sendgrid")["ETag"]
    before = current_data(catalog["sendgrid"])
    RecordRequirement.objects.filter(record_id="bounce").update(value="u{account_id}.new.example")
    vendor = Vendor.objects.get(slug="sendgrid")
    vendor_refresh_derived(vendor)
    revision_after_edit(vendor=vendor, before=before, user=None, summary="Edited in the admin")
    assert revalidate(anonymous, "/api/v1/vendors/sendgrid", etag) == 200


def test_unpublishing_a_vendor_changes_the_etag(anonymous, catalog):
    etag = anonymous.get("/api/v1/catalog.json")["ETag"]
    Vendor.objects.filter(slug="helpy").update(published=False)
    assert revalidate(anonymous, "/api/v1/catalog.json", etag) == 200


def test_errors_are_not_cached(anonymous, catalog):
    response = anonymous.get("/api/v1/vendors/nope")
    assert response.status_code == 404
    assert not response.has_header("ETag") and not response.has_header("Cache-Control")
