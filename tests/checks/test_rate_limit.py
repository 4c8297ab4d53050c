"""Checks are rate limited per client, with a page that says when to try again."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sources.models import CheckResult

pytestmark = pytest.mark.django_db


def test_the_web_form_answers_429_with_when_to_retry(client, dns_server, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "check": "2/min"}
    for _ in range(2):
        assert client.post("/check/", {"domain": "brightfield.example"}).status_code == 302
    response = client.post("/check/", {"domain": "brightfield.example"})
    assert response.status_code == 429
    retry = int(response["Retry-After"])
    assert 0 < retry <= 60
    page = response.content.decode()
    assert f"Too many checks from you for now: try again in {retry} seconds." in page
    # The form comes back filled in: nothing typed is lost.
    assert 'value="brightfield.example"' in page
    assert CheckResult.objects.count() == 2


def test_limits_are_per_client(client, dns_server, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "check": "1/min"}
    assert client.post("/check/", {"domain": "brightfield.example"}).status_code == 302
    other = client.post("/check/", {"domain": "brightfield.example"}, REMOTE_ADDR="192.0.2.99")
    assert other.status_code == 302


def test_invalid_input_does_not_count(client, dns_server, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "check": "1/min"}
    for _ in range(3):
        assert client.post("/check/", {"domain": "localhost"}).status_code == 200
    assert client.post("/check/", {"domain": "brightfield.example"}).status_code == 302


def test_bulk_checks_have_their_own_limit(client, settings, db):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "bulk-check": "1/hour"}

    def post():
        upload = SimpleUploadedFile("d.csv", b"brightfield.example\n", content_type="text/csv")
        return client.post("/check/bulk/", {"file": upload})

    assert post().status_code == 302
    response = post()
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many bulk checks from you for now" in response.content.decode()
