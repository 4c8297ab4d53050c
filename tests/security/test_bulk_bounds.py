"""A bulk check's input is bounded before any work starts, and nothing that lists its rows
grows with a file of bad rows (issue 12, finding 2)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sources.models import BulkCheck
from sources.services.bulkchecks import INVALID_ROWS_KEPT

pytestmark = pytest.mark.django_db

# Generous bounds: an answer listing every one of the review's rows was tens of megabytes.
MAX_ANSWER_BYTES = 64 * 1024


def post_json(client, body):
    return client.post("/api/v1/bulk-checks", json.dumps(body), content_type="application/json")


def test_700000_bad_rows_get_a_short_answer_and_queue_nothing(client):
    response = post_json(client, {"csv": "!\n" * 700_000})
    assert response.status_code == 400
    assert len(response.content) < 2048
    assert "lines" in response.json()["fields"]["csv"][0]
    assert not BulkCheck.objects.exists()


def test_a_list_of_400000_entries_is_refused_unread(client):
    response = post_json(client, {"domains": ["!"] * 400_000})
    assert response.status_code == 400
    assert len(response.content) < 2048
    assert "At most" in response.json()["fields"]["domains"][0]


def test_a_web_upload_of_700000_bad_rows_is_refused_with_a_short_page(client):
    upload = SimpleUploadedFile("bad.csv", b"!\n" * 700_000, content_type="text/csv")
    response = client.post("/check/bulk/", {"file": upload})
    assert response.status_code == 200
    assert "lines" in response.text
    assert len(response.content) < MAX_ANSWER_BYTES
    assert not BulkCheck.objects.exists()


def test_invalid_rows_are_listed_up_to_a_cap_and_the_rest_counted(
    client, dns_server, django_capture_on_commit_callbacks
):
    bad = 9000
    text = "brightfield.example\n" + "not a domain!\n" * bad
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client, {"csv": text})
    assert response.status_code == 202
    body = response.json()
    assert len(response.content) < MAX_ANSWER_BYTES
    assert len(body["invalid_rows"]) == INVALID_ROWS_KEPT
    assert body["invalid_count"] == bad
    bulk = BulkCheck.objects.get()
    assert bulk.status == "done"  # the one domain was checked
    status = client.get(f"/check/bulk/{bulk.pk}/status.json")
    assert len(status.content) < MAX_ANSWER_BYTES
    assert status.json()["invalid_count"] == bad
    page = client.get(f"/check/bulk/{bulk.pk}/")
    assert len(page.content) < MAX_ANSWER_BYTES
    assert f"{bad} rows skipped" in page.text
    csv = client.get(f"/check/bulk/{bulk.pk}/results.csv")
    lines = b"".join(csv.streaming_content).decode().splitlines()
    assert len(lines) == 1 + 1 + INVALID_ROWS_KEPT + 1  # header, result, listed, "and N more"
    assert f"and {bad - INVALID_ROWS_KEPT} more rows" in lines[-1]


def test_the_bulk_page_shows_results_a_page_at_a_time(
    client, dns_server, settings, django_capture_on_commit_callbacks
):
    settings.CHECKER_TIMEOUT = 0.05
    domains = [f"d{i}.brightfield.example" for i in range(250)]
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client, {"domains": domains})
    bulk = BulkCheck.objects.get(pk=response.json()["id"])
    first = client.get(f"/check/bulk/{bulk.pk}/")
    last = client.get(f"/check/bulk/{bulk.pk}/", {"page": 3})
    assert first.text.count("<tr data-domain=") == 100
    assert "Page 1 of 3" in first.text and 'rel="next"' in first.text
    assert last.text.count("<tr data-domain=") == 50
    assert 'data-domain="d249.brightfield.example"' in last.text
