"""POST /api/v1/bulk-checks: queued, followed to the end, results as JSON or CSV."""

import csv
import io
import json

import pytest

from sources.models import BulkCheck
from tests.checks.helpers import ACCOUNT
from tests.factories import make_bulk_check

pytestmark = pytest.mark.django_db

DOMAINS = [
    "brightfield.example",
    "https://harbourline.example/",
    "not a domain",
    "BRIGHTFIELD.example",
]


def post(client, body):
    return client.post("/api/v1/bulk-checks", json.dumps(body), content_type="application/json")


@pytest.fixture
def finished(client, dns_server, mailhawk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            {"domains": DOMAINS, "vendor": "mailhawk", "parameters": {"account_id": ACCOUNT}},
        )
    assert response.status_code == 202
    return response


def test_a_bulk_check_is_accepted_with_a_location(client, finished):
    body = finished.json()
    assert finished["Location"] == f"/api/v1/bulk-checks/{body['id']}"
    assert body["total"] == 2
    assert body["invalid_rows"] == [
        {"line": 3, "text": "not a domain", "error": body["invalid_rows"][0]["error"]},
        {"line": 4, "text": "BRIGHTFIELD.example", "error": "duplicate of entry 1 (checked once)"},
    ]


def test_progress_reaches_done_with_counts(client, finished):
    status = client.get(finished["Location"]).json()
    assert (status["status"], status["done"], status["percent"]) == ("done", 2, 100)
    assert status["counts"] == {"pass": 1, "partial": 1, "fail": 0, "error": 0}
    assert status["results_url"].endswith(f"/api/v1/bulk-checks/{status['id']}/results")


def test_results_come_as_json_in_order(client, finished):
    url = finished["Location"] + "/results"
    data = json.loads(b"".join(client.get(url).streaming_content))
    assert [(r["line"], r["domain"], r["verdict"]) for r in data["results"]] == [
        (1, "brightfield.example", "pass"),
        (2, "harbourline.example", "partial"),
    ]
    assert data["results"][1]["requirements"][1]["fix"].startswith("s2._domainkey.harbourline")


@pytest.mark.parametrize("how", [{"format": "csv"}, {"HTTP_ACCEPT": "text/csv"}])
def test_results_come_as_csv(client, finished, how):
    url = finished["Location"] + "/results"
    query = {k: v for k, v in how.items() if k == "format"}
    headers = {k: v for k, v in how.items() if k != "format"}
    response = client.get(url, query, **headers)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["verdict"] for r in rows] == ["pass", "partial", "invalid", "invalid"]


def test_csv_text_can_be_posted_instead_of_a_list(
    client, dns_server, mailhawk, django_capture_on_commit_callbacks
):
    text = "domain,team\nlumenfold.example,marketing\nquietpine.example,sales\n"
    with django_capture_on_commit_callbacks(execute=True):
        body = post(
            client, {"csv": text, "vendor": "mailhawk", "parameters": {"account_id": ACCOUNT}}
        ).json()
    assert body["total"] == 2
    assert BulkCheck.objects.get(pk=body["id"]).status == "done"


def test_results_of_an_unfinished_bulk_are_a_409(client, db):
    bulk = make_bulk_check(total=3, status=BulkCheck.Status.RUNNING)
    response = client.get(f"/api/v1/bulk-checks/{bulk.pk}/results")
    assert response.status_code == 409
    assert response.json()["error"] == "not_finished"
    status = client.get(f"/api/v1/bulk-checks/{bulk.pk}").json()
    assert status["status"] == "running" and status["results_url"] is None


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"vendor": "mailhawk"}, "domains", "either `domains` or `csv`"),
        ({"domains": ["a.example"], "csv": "a.example"}, "domains", "either"),
        ({"domains": ["nope", ""]}, "domains", "No domains to check"),
        ({"domains": ["a.example"], "vendor": "nope"}, "vendor", "no vendor 'nope'"),
        (
            {"domains": ["a.example"], "vendor": "mailhawk", "parameters": {"account_id": "7O01"}},
            "parameters.account_id",
            "not a valid Account number",
        ),
    ],
)
def test_bad_bulk_input_is_a_400_naming_the_field(client, mailhawk, body, field, message):
    response = post(client, body)
    assert response.status_code == 400
    assert message in response.json()["fields"][field][0]


def test_at_most_the_configured_number_of_domains(client, db, settings):
    settings.BULK_CHECK_MAX_DOMAINS = 2
    response = post(client, {"domains": ["a.example", "b.example", "c.example"]})
    assert "At most 2 domains" in response.json()["fields"]["domains"][0]
    response = post(client, {"csv": "a.example\nb.example\nc.example\n"})
    assert "more than 2 domains" in response.json()["fields"]["csv"][0]


def test_bulk_checks_are_rate_limited(client, db, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "bulk-check": "1/hour"}
    assert post(client, {"domains": ["a.example"]}).status_code == 202
    response = post(client, {"domains": ["a.example"]})
    assert response.status_code == 429 and "Retry-After" in response
