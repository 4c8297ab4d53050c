"""Every error under /api/ has one JSON shape: {"error", "detail", "fields"?}."""

import pytest
from django.test import Client

from sources.api import views
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == code
    assert body["detail"] and isinstance(body["detail"], str)
    assert set(body) <= {"error", "detail", "fields"}
    return body


def test_400_names_the_fields(anonymous, catalog):
    body = assert_error(anonymous.get("/api/v1/vendors?page=0"), 400, "invalid")
    assert body["fields"] == {"page": ["Ensure this value is greater than or equal to 1."]}


def test_401_for_a_token_that_is_not_valid(catalog):
    client = Client(headers={"Authorization": "Token not-a-real-token"})
    response = client.get("/api/v1/vendors")
    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Token"


def test_403_for_a_session_write_without_its_csrf_token(catalog):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("sally", is_staff=True))
    body = assert_error(client.post("/api/v1/vendors"), 403, "permission_denied")
    assert "CSRF" in body["detail"]


def test_404_for_an_unknown_vendor(anonymous, catalog):
    assert_error(anonymous.get("/api/v1/vendors/nope"), 404, "not_found")


@pytest.mark.parametrize(
    "url", ["/api/v1/nothing-here", "/api/v2/vendors", "/api/", "/api/v1/vendors/a/b"]
)
def test_404_for_any_unknown_url_under_api(anonymous, url):
    assert_error(anonymous.get(url), 404, "not_found")


def test_the_404_suggests_the_url_with_a_slash(anonymous):
    body = assert_error(anonymous.get("/api/v1/docs"), 404, "not_found")
    assert "Did you mean /api/v1/docs/ (with a slash)?" in body["detail"]


def test_pages_outside_the_api_keep_the_html_404(anonymous, db):
    response = anonymous.get("/no-such-page/")
    assert response.status_code == 404 and "text/html" in response["Content-Type"]


def test_405_for_writes_to_read_only_endpoints(anonymous, catalog):
    response = anonymous.delete("/api/v1/vendors/sendgrid")
    body = assert_error(response, 405, "method_not_allowed")
    assert body["detail"] == 'Method "DELETE" not allowed.'
    assert "GET" in response["Allow"]


def test_429_says_when_to_come_back(anonymous, catalog, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api-anon": "1/day"}
    anonymous.get("/api/v1/categories")
    response = anonymous.get("/api/v1/categories")
    assert_error(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 86400


def test_500_is_json_under_api(catalog, monkeypatch):
    def broken():
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(views, "categories_with_counts", broken)
    client = Client(raise_request_exception=False)
    body = assert_error(client.get("/api/v1/categories"), 500, "server_error")
    assert "fell over" not in body["detail"]  # no internals leak


def test_500_outside_the_api_is_still_the_sites_page(db, monkeypatch):
    from sources.views import pages

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(pages, "all_guides", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/guides/")
    assert response.status_code == 500 and "text/html" in response["Content-Type"]
