"""Lists as CSV: ?format=csv or Accept: text/csv."""

import csv
import io

import pytest

from tests.factories import make_vendor

pytestmark = pytest.mark.django_db


def rows(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode())))


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


def test_an_empty_csv_list_still_has_its_header_row(anonymous, db):
    response = anonymous.get("/api/v1/vendors?format=csv")
    assert response.content.decode().splitlines() == [
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
