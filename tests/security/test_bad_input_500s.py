"""Finding 8: the five bad inputs that answered 500, each now a clear 400 or form error.

These matter most on PostgreSQL, which refuses a NUL in any text and which
the review ran against: run this file with DATABASE_URL set too.
"""

import json

import pytest
from rest_framework.test import APIClient

from sources.catalogfile import CatalogError, check_url
from sources.models import Submission
from sources.services.submissions import data_to_json
from tests.factories import api_key_for
from tests.submissions.helpers import SOURCES, new_vendor_data

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
    return client


def submit(client, entry: dict, provenance=SOURCES):
    payload = {"entry": data_to_json(entry), "provenance": provenance}
    return client.post("/api/v1/submissions", payload, format="json")


def raw_post(client, url: str, body: str):
    return client.post(url, body, content_type="application/json")


# -- 1. URLs without a host -------------------------------------------------------------


@pytest.mark.parametrize("url", ["https://:443", "https://user@/x", "https://[::1"])
def test_urls_without_a_host_are_refused_by_name(url):
    with pytest.raises(CatalogError, match="must be an https URL"):
        check_url(url, "submission", "website")


@pytest.mark.parametrize(
    "field", ["website", "documentation", "provenance"], ids=["website", "docs", "provenance"]
)
@pytest.mark.parametrize("url", ["https://:443", "https://user@/x", "https://[::1"])
def test_a_submission_with_a_hostless_url_gets_a_field_error(submitter, categories, field, url):
    entry = new_vendor_data()
    provenance = SOURCES
    if field == "website":
        entry["website"] = url
    elif field == "documentation":
        entry["documentation"] = [{"title": "Docs", "url": url}]
    else:
        provenance = [url]
    response = submit(api_for(submitter), entry, provenance)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid"
    assert any("https URL" in m for messages in body["fields"].values() for m in messages)
    assert not Submission.objects.exists()


# -- 2. a NUL byte in the vendor of a check ------------------------------------------------


def send_check(client, data: dict):
    """The check form's request (a POST: a GET only fills the form in)."""
    return client.post("/check/", data)


def test_a_nul_in_the_vendor_of_a_check_is_a_form_error(client, vendor):
    response = send_check(client, {"domain": "example.com", "vendor": "examplemail\x00"})
    assert response.status_code in (200, 400)
    assert response.context["form"].errors["vendor"]


def test_a_nul_in_the_vendor_of_a_bulk_check_is_a_form_error(client, vendor):
    data = {"domains": "example.com", "vendor": "examplemail\x00"}
    response = client.post("/check/bulk/", data)
    assert response.status_code in (200, 400)
    assert response.context["form"].errors["vendor"]


def test_a_nul_is_never_looked_up(vendor):
    from sources.services.checks import UnknownVendor, vendor_lookup_data

    for text in ("examplemail\x00", "x\x00" * 5, "a" * 10_000):
        with pytest.raises(UnknownVendor, match="not a vendor name"):
            vendor_lookup_data(text)


def test_a_nul_in_the_vendor_of_an_api_check_is_a_field_error(client, vendor):
    body = {"domain": "example.com", "vendor": "examplemail\x00"}
    response = raw_post(client, "/api/v1/checks", json.dumps(body))
    assert response.status_code == 400
    assert "vendor" in response.json()["fields"]


def test_a_nul_in_a_check_parameter_without_a_pattern_is_a_field_error():
    from sources.checker.specs import InvalidParameter, MethodSpec, validate_parameters

    method = MethodSpec.from_dict(
        {"kind": "cname-delegation", "parameters": [{"name": "region", "label": "Region"}]}
    )
    with pytest.raises(InvalidParameter) as caught:
        validate_parameters(method, {"region": "eu\x00"})
    assert caught.value.errors == {"region": "Region contains a character that is not printable"}


# -- 3. NUL inside list items stored as JSON ----------------------------------------------


@pytest.mark.parametrize("field", ["aliases", "undocumented"])
def test_a_nul_inside_a_list_item_is_a_field_error(submitter, categories, field):
    entry = new_vendor_data()
    entry[field] = ["fine", "bad\x00item"]
    response = submit(api_for(submitter), entry)
    assert response.status_code == 400
    assert response.json()["fields"] == {f"entry.{field}[1]": ["Contains a NUL character."]}
    assert not Submission.objects.exists()


# -- 4. a lone surrogate, which no encoder accepts ----------------------------------------


def test_a_lone_surrogate_in_a_check_is_a_json_400(client):
    response = raw_post(client, "/api/v1/checks", '{"domain": "\\ud800.example.com"}')
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "parse_error" and "lone surrogate" in body["detail"]


def test_a_lone_surrogate_in_a_submission_is_a_json_400(submitter, categories):
    entry = json.dumps({"entry": data_to_json(new_vendor_data()), "provenance": SOURCES})
    entry = entry.replace('"PostLark"', '"Post\\udfffLark"', 1)
    response = api_for(submitter).post(
        "/api/v1/submissions", entry, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "parse_error"
    assert not Submission.objects.exists()


def test_error_messages_echo_a_surrogate_safely():
    with pytest.raises(CatalogError) as caught:
        check_url("https://exa\udc80mple.com", "submission", "website")
    assert "\\udc80" in caught.value.message
    caught.value.message.encode("utf-8")  # renderable


# -- 5. JSON nested 100,000 levels ----------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/checks", "/api/v1/bulk-checks", "/api/v1/lookup"])
def test_deeply_nested_json_is_a_json_400(client, url):
    response = raw_post(client, url, "[" * 100_000 + "]" * 100_000)
    assert response.status_code in (400, 405)
    assert response["Content-Type"].startswith("application/json")
    if response.status_code == 400:
        body = response.json()
        assert body["error"] == "parse_error" and "nested deeper than 32" in body["detail"]


def test_json_nested_past_the_limit_is_refused_below_the_recursion_limit(client):
    body = {"domain": "example.com", "parameters": {}}
    deep = json.dumps(body)[:-1] + ', "x": ' + "[" * 40 + "]" * 40 + "}"
    response = raw_post(client, "/api/v1/checks", deep)
    assert response.status_code == 400
    assert "nested deeper than 32" in response.json()["detail"]
