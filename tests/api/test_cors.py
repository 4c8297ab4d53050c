"""Browsers on other sites may read the API anonymously (CORS), including its caching headers."""

import pytest

pytestmark = pytest.mark.django_db


def test_anonymous_gets_are_allowed_from_any_origin(anonymous, catalog):
    response = anonymous.get("/api/v1/vendors", headers={"Origin": "https://tool.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    exposed = response["Access-Control-Expose-Headers"]
    assert {"ETag", "Link", "Retry-After"} <= {h.strip() for h in exposed.split(",")}


def test_a_preflight_allows_reads_only(anonymous, catalog):
    response = anonymous.options(
        "/api/v1/vendors",
        headers={
            "Origin": "https://tool.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "authorization" in response["Access-Control-Allow-Headers"]


def test_errors_carry_cors_headers_too(anonymous, catalog):
    response = anonymous.get("/api/v1/nope", headers={"Origin": "https://tool.example"})
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"


def test_site_pages_do_not_send_cors_headers(anonymous, catalog):
    response = anonymous.get("/vendors/sendgrid/", headers={"Origin": "https://tool.example"})
    assert not response.has_header("Access-Control-Allow-Origin")
