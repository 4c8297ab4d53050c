"""POST /api/v1/analyses and GET /api/v1/analyses/{id}: the command's JSON, errors in the
API's one shape, permalinks only on request, documented in the schema."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from sources.analysismodels import MessageAnalysis
from tests.analysis import scenarios
from tests.factories import api_key_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(mail_zones, sendgrid_catalog):
    return APIClient()


def analyse(api, raw: bytes, **extra):
    body = {"message": raw.decode("utf-8"), **extra}
    return api.post("/api/v1/analyses", json.dumps(body), content_type="application/json")


def test_an_analysis_answers_the_report_and_stores_nothing(api):
    response = analyse(api, scenarios.unaligned_message())
    assert response.status_code == 200
    data = response.json()
    assert data["verdict"] == "fail"
    assert data["vendors"][0]["slug"] == "sendgrid"
    assert data["vendors"][0]["recipe"]["kind"] == "cname-delegation"
    assert "id" not in data
    assert MessageAnalysis.objects.count() == 0


def test_a_permalink_is_created_and_read_back(api):
    response = analyse(api, scenarios.forwarded_message(), permalink=True)
    assert response.status_code == 201
    kept = response.json()
    assert response["Location"] == f"/api/v1/analyses/{kept['id']}"
    again = api.get(response["Location"]).json()
    assert again["id"] == kept["id"]
    assert again["arc_validation"]["cv"] == "pass"
    assert [d["code"] for d in again["disagreements"]] == [
        "dkim-broken-by-forwarder",
        "arc-may-override",
    ]


def test_input_that_is_not_a_message_is_a_field_error(api):
    response = analyse(api, b"no header fields here")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid"
    assert "No header fields found" in body["fields"]["message"][0]


def test_a_message_over_two_megabytes_is_a_field_error(api):
    big = b"From: a@b.test\r\n\r\n" + b"x" * (2 * 1024 * 1024)
    response = analyse(api, big)
    assert response.status_code == 400
    assert "at most 2.0 MB" in response.json()["fields"]["message"][0]


def test_without_a_token_only_json_is_accepted(api):
    response = api.post("/api/v1/analyses", {"message": "From: a@b.test\r\n"})
    assert response.status_code == 415
    user = make_user("reader")
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
    response = api.post("/api/v1/analyses", {"message": scenarios.headers_only().decode()})
    assert response.status_code == 200
    assert response.json()["verdict_basis"] == "headers"


def test_an_unknown_analysis_is_a_404(api):
    response = api.get("/api/v1/analyses/3f2504e0-4f89-11d3-9a0c-0305e82c3301")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_the_schema_documents_analyses_with_an_example(client):
    schema = json.loads(client.get("/api/v1/schema/?format=json").content)
    create = schema["paths"]["/api/v1/analyses"]["post"]
    assert create["summary"] == "Analyse a message"
    assert {"200", "201", "400", "401", "429"} <= set(create["responses"])
    example = create["responses"]["200"]["content"]["application/json"]["examples"]
    assert next(iter(example.values()))["value"]["vendors"][0]["slug"] == "sendgrid"
    assert "get" in schema["paths"]["/api/v1/analyses/{id}"]


def test_the_api_shares_the_checks_concurrency_limit(api, settings):
    settings.CHECK_CONCURRENCY = 0
    response = analyse(api, scenarios.headers_only())
    assert response.status_code == 429
    assert response.json()["error"] == "throttled"
