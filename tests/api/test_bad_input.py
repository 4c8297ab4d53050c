"""Bad query strings get a 400 that names each field at fault, never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"colour": "red"}, "colour", "Unknown parameter."),
        ({"cursor": "cD0yMDI2"}, "cursor", "Unknown parameter."),  # pages are numbered
        ({"q": "x" * 10_000}, "q", "Ensure this field has no more than 200 characters."),
        ({"q": "nul\x00byte"}, "q", "Null characters are not allowed."),
        ({"page": "-3"}, "page", "Ensure this value is greater than or equal to 1."),
        ({"page": "0"}, "page", "Ensure this value is greater than or equal to 1."),
        ({"page": "abc"}, "page", "A valid integer is required."),
        ({"page": "9" * 2000}, "page", "String value too large."),
        ({"page": "99"}, "page", "Page 99 is past the last page (1)."),
        ({"page_size": "1000000"}, "page_size", "less than or equal to 100."),
        ({"page_size": "0"}, "page_size", "greater than or equal to 1."),
        ({"category": "no-such-category"}, "category", "No category 'no-such-category'"),
        ({"category": "<b>bold</b>"}, "category", "Enter a valid"),
        ({"method": "carrier-pigeon"}, "method", '"carrier-pigeon" is not a valid choice.'),
        ({"capability": "all"}, "capability", '"all" is not a valid choice.'),
        ({"has_spf_route": "maybe"}, "has_spf_route", "Must be true, false or unknown."),
        ({"has_dkim_route": "2"}, "has_dkim_route", "Must be true, false or unknown."),
        ({"updated_since": "yesterday"}, "updated_since", "Datetime has wrong format."),
        ({"updated_since": "2026-13-45"}, "updated_since", "Datetime has wrong format."),
        ({"ordering": "price"}, "ordering", '"price" is not a valid choice.'),
        ({"format": "xml"}, "format", "Must be one of: json, csv."),
    ],
)
def test_a_bad_vendor_list_parameter_is_named(anonymous, catalog, params, field, message):
    response = anonymous.get("/api/v1/vendors", params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid"
    assert field in body["detail"]
    assert message in body["fields"][field][0]


def test_every_bad_parameter_is_named_at_once(anonymous, catalog):
    response = anonymous.get("/api/v1/vendors", {"page": "-1", "page_size": "500", "x": "1"})
    assert set(response.json()["fields"]) == {"page", "page_size", "x"}


def test_a_parameter_given_twice_is_refused(anonymous, catalog):
    response = anonymous.get("/api/v1/vendors?category=helpdesk&category=marketing")
    assert response.json()["fields"] == {"category": ["Give this parameter once."]}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/vendors/sendgrid?expand=all",
        "/api/v1/categories?page=2",
        "/api/v1/method-kinds?q=dkim",
        "/api/v1/catalog.json?since=2026-01-01",
        "/api/v1/lookup?name=sendgrid.net&vendor=sendgrid",
    ],
)
def test_endpoints_without_such_parameters_refuse_them(anonymous, catalog, url):
    response = anonymous.get(url)
    assert response.status_code == 400
    assert list(response.json()["fields"].values()) == [["Unknown parameter."]]


def test_a_long_hostile_search_is_a_400_not_a_500(anonymous, catalog):
    hostile = ("'; DROP TABLE sources_vendor; -- <script>" * 300)[:10_240]
    response = anonymous.get("/api/v1/vendors", {"q": hostile})
    assert response.status_code == 400 and "q" in response.json()["fields"]
    assert anonymous.get("/api/v1/vendors", {"q": hostile[:200]}).status_code == 200
