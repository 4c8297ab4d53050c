"""POST /api/v1/checks, GET /api/v1/checks/{id}: the command line's JSON, field errors, limits."""

import json

import pytest

from tests.checks.helpers import ACCOUNT

pytestmark = pytest.mark.django_db


def post(client, body, **extra):
    return client.post("/api/v1/checks", json.dumps(body), content_type="application/json", **extra)


def test_a_check_is_created_with_a_location(client, dns_server, mailhawk):
    response = post(
        client,
        {
            "domain": "brightfield.example",
            "vendor": "mailhawk",
            "parameters": {"account_id": ACCOUNT},
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert response["Location"] == f"/api/v1/checks/{body['id']}"
    assert body["url"] == f"http://testserver/api/v1/checks/{body['id']}"
    assert body["verdict"] == "pass" and body["dmarc_pass_routes"] == ["dkim", "spf"]
    again = client.get(response["Location"])
    assert again.status_code == 200 and again.json() == body


def test_the_json_is_the_command_lines(client, dns_server, mailhawk):
    from tests.checks.helpers import cli_check

    body = post(
        client,
        {
            "domain": "copperleaf.example",
            "vendor": "mailhawk",
            "parameters": {"account_id": ACCOUNT},
        },
    ).json()
    _, cli = cli_check(
        "copperleaf.example", "--vendor", "mailhawk", f"--param=account_id={ACCOUNT}"
    )
    for volatile in ("stats",):
        body.pop(volatile), cli.pop(volatile)
    for key in ("id", "url", "created_at"):
        body.pop(key)
    assert body == cli


def test_what_people_paste_is_normalised(client, dns_server):
    body = post(client, {"domain": "Postmaster@BRIGHTFIELD.example."}).json()
    assert body["domain"] == "brightfield.example"
    assert body["domain_input"] == "Postmaster@BRIGHTFIELD.example."


def test_bad_input_gets_field_errors_in_the_one_error_shape(client, mailhawk):
    response = post(
        client,
        {
            "domain": "localhost",
            "vendor": "mailhawk",
            "parameters": {"account_id": "x", "colour": "red"},
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid"
    assert "single label" in body["fields"]["domain"][0]
    assert "not a valid Account number" in body["fields"]["parameters.account_id"][0]
    assert "not a parameter of this setup method" in body["fields"]["parameters.colour"][0]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"domain": "x.example", "vendor": "nope"}, "vendor", "no vendor 'nope'"),
        (
            {"domain": "x.example", "vendor": "mailhawk", "method": "dkim-txt"},
            "method",
            "no 'dkim-txt'",
        ),
        ({"domain": "x.example", "only": ["bimi"]}, "only.0", "not a valid choice"),
        ({"domain": "192.0.2.1"}, "domain", "IP address"),
        ({}, "domain", "required"),
        ({"domain": ["a"]}, "domain", "Not a valid string"),
    ],
)
def test_each_bad_field_is_named(client, mailhawk, body, field, message):
    response = post(client, body)
    assert response.status_code == 400
    assert message in response.json()["fields"][field][0]


def test_a_body_that_is_not_json_is_a_400(client, db):
    response = client.post("/api/v1/checks", "{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "parse_error"


def test_an_unknown_check_is_a_json_404(client, db):
    response = client.get("/api/v1/checks/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_checks_are_rate_limited_with_retry_after(client, dns_server, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "check": "2/min"}
    assert post(client, {"domain": "brightfield.example"}).status_code == 201
    # The web form shares the counter.
    assert client.post("/check/", {"domain": "brightfield.example"}).status_code == 302
    response = post(client, {"domain": "brightfield.example"})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    body = response.json()
    assert body["error"] == "throttled"
    assert body["detail"].startswith("Too many requests: try again in")
    # Reading stored checks is not a check.
    assert client.get("/api/v1/checks/00000000-0000-0000-0000-000000000000").status_code == 404


def test_the_schema_documents_the_endpoints_with_examples(client, db):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    create = schema["paths"]["/api/v1/checks"]["post"]
    assert create["operationId"] == "checks_create"
    assert "examples" in create["requestBody"]["content"]["application/json"]
    assert "201" in create["responses"] and "429" in create["responses"]
    assert "/api/v1/bulk-checks/{id}/results" in schema["paths"]
