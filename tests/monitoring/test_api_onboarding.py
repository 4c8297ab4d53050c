"""The verification API, following the onboarding flow its OpenAPI schema documents."""

import json

import pytest
from django.test import Client

from sources.models import Watch
from sources.services.watchscheduler import schedule_run
from tests.factories import api_key_for

from .conftest import ALL
from .receiver import Receiver


@pytest.fixture
def esp(owner):
    return Client(headers={"Authorization": f"Token {api_key_for(owner)}"})


def post(client, path, body=None):
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def test_the_schema_documents_the_onboarding_flow(client, db):
    schema = json.loads(client.get("/api/v1/schema/?format=json").content)
    create = schema["paths"]["/api/v1/watches"]["post"]
    text = create["description"]
    for step in (
        "POST /api/v1/watches",
        "GET /api/v1/watches/{id}",
        "POST /api/v1/webhooks",
        "POST /api/v1/watches/{id}/verify",
    ):
        assert step in text
    assert "/api/v1/watches/{id}/verify" in schema["paths"]
    assert "/api/v1/webhooks/{id}/deliveries" in schema["paths"]
    example = create["requestBody"]["content"]["application/json"]["examples"]
    assert any(e["value"].get("parameters") for e in example.values())


def test_the_documented_onboarding_flow(tasks, esp, owner, mailhawk, shop, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    with Receiver() as receiver:
        # 1. Register the customer's domain: the records to publish, all pending.
        response = post(
            esp,
            "/api/v1/watches",
            {
                "domain": "shop.test",
                "vendor": "mailhawk",
                "parameters": {"account_id": "7001"},
                "reference": "customer-42",
            },
        )
        assert response.status_code == 201, response.content
        watch = response.json()
        assert response["Location"] == watch["url"]
        records = {r["id"]: r for r in watch["records"]}
        assert set(records) == set(ALL)
        assert records["dkim-s1"]["host"] == "s1._domainkey.shop.test"
        assert records["dkim-s1"]["zone_line"] == (
            "s1._domainkey.shop.test. 3600 IN CNAME s1.dkim.u7001.mailhawk.test."
        )
        assert {r["state"] for r in records.values()} == {"pending"}
        assert watch["state"] == "pending" and watch["reference"] == "customer-42"

        # 2. A webhook for the changes; the scheduled check finds nothing published yet.
        hook = post(esp, "/api/v1/webhooks", {"url": receiver.url})
        assert hook.status_code == 201, hook.content
        secret = hook.json()["secret"]
        schedule_run()
        tasks.drain()
        polled = esp.get(f"/api/v1/watches/{watch['id']}").json()
        assert {r["state"] for r in polled["records"]} == {"pending"}
        assert {r["last_status"] for r in polled["records"]} == {"fail"}

        # 3. The customer publishes the records and clicks Verify.
        shop.publish(*ALL)
        verified = post(esp, f"/api/v1/watches/{watch['id']}/verify")
        assert verified.status_code == 200, verified.content
        body = verified.json()
        assert body["state"] == "verified"
        assert {r["state"] for r in body["records"]} == {"verified"}
        tasks.drain()

        # The webhook told the same, signed with the secret.
        (request,) = receiver.requests
        assert json.loads(request.body)["watch"]["reference"] == "customer-42"
        from .test_webhooks import verify

        assert verify(secret, request.headers, request.body)
        log = esp.get(f"/api/v1/webhooks/{hook.json()['id']}/deliveries").json()
        assert [a["status_code"] for a in log[0]["attempts"]] == [200]

    # 4. History: each record's change, and the watch's.
    events = esp.get(f"/api/v1/watches/{watch['id']}/events").json()
    assert {(e["record"], e["to_state"]) for e in events} == {
        *((record, "verified") for record in ALL),
        ("", "verified"),
    }


def test_verify_now_is_rate_limited(esp, owner, shop, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "watch-verify": "2/hour"}
    watch = post(esp, "/api/v1/watches", {"domain": "shop.test"}).json()
    for _ in range(2):
        assert post(esp, f"/api/v1/watches/{watch['id']}/verify").status_code == 200
    response = post(esp, f"/api/v1/watches/{watch['id']}/verify")
    assert response.status_code == 429
    assert response.json()["error"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_bad_input_gets_field_errors(esp, mailhawk):
    response = post(
        esp,
        "/api/v1/watches",
        {"domain": "not a domain", "vendor": "mailhawk", "parameters": {"account_id": "x"}},
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert "domain" in fields and "parameters.account_id" in fields
    assert not Watch.objects.exists()


def test_a_private_webhook_is_refused_with_a_field_error(esp):
    response = post(esp, "/api/v1/webhooks", {"url": "https://192.168.0.10/hook"})
    assert response.status_code == 400
    assert "private" in response.json()["fields"]["url"][0]


def test_watches_are_private_to_their_account(esp, other_user, shop):
    watch = post(esp, "/api/v1/watches", {"domain": "shop.test"}).json()
    other = Client(headers={"Authorization": f"Token {api_key_for(other_user)}"})
    assert other.get(f"/api/v1/watches/{watch['id']}").status_code == 404
    assert post(other, f"/api/v1/watches/{watch['id']}/verify").status_code == 404
    assert other.get("/api/v1/watches").json()["count"] == 0
    assert Client().get("/api/v1/watches").status_code == 401


def test_list_filters_by_state(esp, owner, shop):
    post(esp, "/api/v1/watches", {"domain": "shop.test"})
    assert esp.get("/api/v1/watches?state=pending").json()["count"] == 1
    assert esp.get("/api/v1/watches?state=verified").json()["count"] == 0
    assert esp.get("/api/v1/watches?state=nonsense").status_code == 400
    assert esp.get("/api/v1/watches?page_size=0").status_code == 400


def test_a_watch_can_be_paused_and_deleted(esp, shop):
    watch = post(esp, "/api/v1/watches", {"domain": "shop.test"}).json()
    url = f"/api/v1/watches/{watch['id']}"
    paused = esp.patch(url, json.dumps({"active": False}), content_type="application/json")
    assert paused.json()["active"] is False
    bad = esp.patch(url, json.dumps({"interval_minutes": 1}), content_type="application/json")
    assert bad.status_code == 400 and "interval_minutes" in bad.json()["fields"]
    assert esp.delete(url).status_code == 204
    assert esp.get(url).status_code == 404
