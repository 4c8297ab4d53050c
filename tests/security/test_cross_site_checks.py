"""Checks cannot be started by another site's page (issue 12, finding 6): the site's forms
run on POST with a CSRF token, and the API takes forms only with an API token."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sources.models import BulkCheck, CheckResult

pytestmark = pytest.mark.django_db

CHECK = {"domain": "brightfield.example", "vendor": "mailhawk", "param_account_id": "7001"}


def test_a_link_to_the_check_page_fills_the_form_in_but_runs_nothing(client, dns_server, mailhawk):
    response = client.get("/check/", CHECK)
    assert response.status_code == 200
    assert 'value="brightfield.example"' in response.text
    assert not CheckResult.objects.exists()


def test_a_check_posted_without_the_csrf_token_is_refused(dns_server, mailhawk):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/check/", CHECK)
    assert response.status_code == 403
    assert not CheckResult.objects.exists()


def test_the_check_form_posts_with_its_csrf_token(dns_server, mailhawk):
    browser = Client(enforce_csrf_checks=True)
    form = browser.get("/check/", CHECK)
    token = form.cookies["csrftoken"].value
    response = browser.post("/check/", {**CHECK, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert CheckResult.objects.count() == 1


def test_a_bulk_check_posted_without_the_csrf_token_is_refused(dns_server, mailhawk):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/check/bulk/", {"domains": "brightfield.example"})
    assert response.status_code == 403
    assert not BulkCheck.objects.exists()


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=BoUnDaRy", "text/plain"],
)
@pytest.mark.parametrize("path", ["/api/v1/checks", "/api/v1/bulk-checks"])
def test_the_api_refuses_anonymous_bodies_any_web_page_could_send(
    client, dns_server, mailhawk, path, content_type
):
    # What a form on another site sends, without asking the API first.
    if content_type.startswith("multipart"):
        body = (
            '--BoUnDaRy\r\nContent-Disposition: form-data; name="domain"\r\n\r\n'
            "brightfield.example\r\n--BoUnDaRy--\r\n"
        )
    else:
        body = "domain=brightfield.example&domains=brightfield.example"
    response = client.post(path, body, content_type=content_type)
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    assert "API token" in response.json()["detail"]
    assert not CheckResult.objects.exists() and not BulkCheck.objects.exists()


def test_the_api_does_not_let_other_origins_post(client):
    preflight = client.options(
        "/api/v1/checks",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")


def test_json_without_a_token_still_runs_a_check(client, dns_server, mailhawk):
    body = {
        "domain": "brightfield.example",
        "vendor": "mailhawk",
        "parameters": {"account_id": "7001"},
    }
    response = client.post("/api/v1/checks", json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    assert CheckResult.objects.get().domain == "brightfield.example"


def test_a_token_holder_may_post_a_form(token_user, dns_server, mailhawk):
    response = token_user.post("/api/v1/checks", {"domain": "brightfield.example"})
    assert response.status_code == 201
    assert CheckResult.objects.get().domain == "brightfield.example"
