"""Lists as CSV: ?format=csv or Accept: text/csv."""

import csv
import io

import pytest
from django.test import override_settings

from sources.models import Category
from tests.factories import make_vendor, make_vendors_bulk

pytestmark = pytest.mark.django_db


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def rows(response):
    assert response.status_code == 200, body(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(body(response))))


def test_vendors_as_csv_by_format_parameter(anonymous, catalog):
    table = rows(anonymous.get("/api/v1/vendors", {"format": "csv", "category": "marketing"}))
    assert [row["slug"] for row in table] == ["oldmail", "sendgrid"]
    sendgrid = table[1]
    assert sendgrid["categories"] == "marketing; transactional-email"
    assert sendgrid["method_kinds"] == "cname-delegation; spf-include"
    assert sendgrid["has_spf_route"] == "true"
    assert sendgrid["url"] == "http://testserver/api/v1/vendors/sendgrid"


def test_vendors_as_csv_by_accept_header(anonymous, catalog):
    table = rows(anonymous.get("/api/v1/vendors", headers={"Accept": "text/csv"}))
    assert len(table) == 4


def test_a_csv_page_links_to_the_next_in_its_headers(anonymous, catalog):
    response = anonymous.get("/api/v1/vendors", {"format": "csv", "page_size": 2})
    assert len(rows(response)) == 2
    assert 'rel="next"' in response["Link"]


def test_a_csv_without_page_parameters_holds_the_whole_filtered_list(anonymous, catalog):
    make_vendors_bulk(45, category=Category.objects.get(slug="marketing"))
    response = anonymous.get("/api/v1/vendors", {"format": "csv", "category": "marketing"})
    assert response.streaming  # written as it is read, not built in memory
    table = rows(response)
    # More than two default pages (20): every vendor of the category, none of the others.
    assert len(table) == 47 == int(response["X-Total-Count"])
    assert {"oldmail", "sendgrid", "bulk-0", "bulk-44"} <= {row["slug"] for row in table}
    assert "helpy" not in {row["slug"] for row in table}
    json_count = anonymous.get("/api/v1/vendors", {"category": "marketing"}).json()["count"]
    assert json_count == len(table)


def test_a_csv_streams_in_batches_with_a_constant_number_of_queries_per_batch(
    anonymous, catalog, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr("sources.api.views.CSV_BATCH", 10)
    make_vendors_bulk(95)
    with django_assert_max_num_queries(40):
        assert len(rows(anonymous.get("/api/v1/vendors?format=csv"))) == 99


@override_settings(API_CSV_MAX_ROWS=3)
def test_a_list_longer_than_the_csv_limit_is_refused_not_cut_short(anonymous, catalog):
    response = anonymous.get("/api/v1/vendors?format=csv")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = response.json()
    assert error["error"] == "too_many_rows"
    assert "4 vendors" in error["detail"] and "at most 3" in error["detail"]
    # Narrowed, or paged, it is answered.
    assert len(rows(anonymous.get("/api/v1/vendors?format=csv&category=marketing"))) == 2
    assert len(rows(anonymous.get("/api/v1/vendors?format=csv&page=2&page_size=3"))) == 1


def test_an_empty_csv_list_still_has_its_header_row(anonymous, db):
    response = anonymous.get("/api/v1/vendors?format=csv")
    assert body(response).splitlines() == [
        "slug,name,summary,website,categories,dmarc_capability,has_spf_route,has_dkim_route,"
        "method_kinds,last_verified,updated_at,url,page_url"
    ]


def test_categories_and_method_kinds_as_csv(anonymous, catalog):
    categories = rows(anonymous.get("/api/v1/categories?format=csv"))
    assert [(c["slug"], c["vendor_count"]) for c in categories][0] == ("helpdesk", "1")
    kinds = rows(anonymous.get("/api/v1/method-kinds", headers={"Accept": "text/csv"}))
    assert kinds[0] == {"kind": "subdomain-ns", "label": "Subdomain delegation (NS)"} | {
        "routes": "spf; dkim"
    }


def test_cells_that_spreadsheets_would_run_as_formulas_are_defused(anonymous, catalog):
    make_vendor("formula", name="=HYPERLINK(1)", summary="@SUM(A1) sends mail.")
    row = rows(anonymous.get("/api/v1/vendors?format=csv&q=hyperlink"))[0]
    assert row["name"] == "'=HYPERLINK(1)"
    assert row["summary"] == "'@SUM(A1) sends mail."


def test_csv_is_not_offered_for_a_single_vendor(anonymous, catalog):
    response = anonymous.get("/api/v1/vendors/sendgrid?format=csv")
    assert response.status_code == 400
    assert response.json()["fields"] == {"format": ["Must be one of: json."]}
    response = anonymous.get("/api/v1/vendors/sendgrid", headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert response.json()["error"] == "not_acceptable"


def test_errors_stay_json_when_csv_was_asked_for(anonymous, catalog):
    response = anonymous.get("/api/v1/vendors?format=csv&page_size=0")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["fields"]["page_size"]
