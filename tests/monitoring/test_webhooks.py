"""Webhooks: signed deliveries of state changes, retries with backoff, a delivery log, automatic
disabling, and no calls into the server's own network."""

import datetime as dt
import hashlib
import hmac
import json
import time

import pytest
from django.utils import timezone

from directory import settings as site_settings
from sources.models import WebhookDelivery, WebhookEndpoint
from sources.services import webhooks
from sources.services.watches import watch_create
from sources.services.watchscheduler import schedule_run
from sources.services.webhooks import WebhookRefused, endpoint_create

from .conftest import ALL
from .receiver import Receiver


def verify(secret: str, headers: dict, body: bytes, tolerance: int = 300) -> bool:
    """The verification snippet of the README, as a receiver runs it."""
    timestamp = headers["X-Webhook-Timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest("v1=" + expected.hexdigest(), headers["X-Webhook-Signature"])


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    with Receiver() as running:
        yield running


@pytest.fixture
def watched(owner, mailhawk, shop):
    shop.publish(*ALL)
    return watch_create(
        owner=owner, domain="shop.test", vendor="mailhawk", params={"account_id": "7001"}
    )


def test_a_state_change_is_delivered_signed_and_logged(tasks, owner, watched, receiver):
    endpoint = endpoint_create(owner=owner, url=receiver.url)
    schedule_run()
    tasks.drain()

    (request,) = receiver.requests
    assert request.path == "/hooks/dmarc"
    assert verify(endpoint.secret, request.headers, request.body)
    assert not verify("another secret", request.headers, request.body)
    payload = json.loads(request.body)
    assert payload["event"] == "watch.state_changed"
    assert payload["watch"]["domain"] == "shop.test"
    assert payload["watch"]["state"] == "verified"
    assert {c["record"]: c["to"] for c in payload["changes"]} == {
        "dkim-s1": "verified",
        "dkim-s2": "verified",
        "return-path": "verified",
        None: "verified",
    }
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered"
    assert [a["status_code"] for a in delivery.attempts] == [200]
    assert request.headers["X-Webhook-Delivery"] == str(delivery.pk)


def test_a_tampered_body_does_not_verify(tasks, owner, watched, receiver):
    endpoint = endpoint_create(owner=owner, url=receiver.url)
    schedule_run()
    tasks.drain()
    (request,) = receiver.requests
    assert not verify(endpoint.secret, request.headers, request.body.replace(b"shop", b"shoq"))


def test_a_500_is_retried_with_exponential_backoff_until_delivered(
    tasks, owner, watched, receiver, settings
):
    settings.WEBHOOK_RETRY_BASE = 60
    receiver.codes.extend([500, 503])
    endpoint_create(owner=owner, url=receiver.url)
    schedule_run()
    tasks.drain()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending"
    first_wait = delivery.next_attempt_at - dt.datetime.fromisoformat(delivery.attempts[0]["at"])
    assert first_wait == dt.timedelta(seconds=60)

    # Not due yet: the scheduler leaves it alone.
    assert schedule_run(now=delivery.next_attempt_at - dt.timedelta(seconds=1))["deliveries"] == 0
    assert schedule_run(now=delivery.next_attempt_at)["deliveries"] == 1
    tasks.drain()
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    second_wait = delivery.next_attempt_at - dt.datetime.fromisoformat(delivery.attempts[1]["at"])
    assert second_wait == dt.timedelta(seconds=120)

    schedule_run(now=delivery.next_attempt_at)
    tasks.drain()
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert [a["status_code"] for a in delivery.attempts] == [500, 503, 200]
    assert len(receiver.requests) == 3
    assert len({r.headers["X-Webhook-Delivery"] for r in receiver.requests}) == 1


def test_an_endpoint_is_disabled_after_repeated_failure(tasks, owner, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    settings.WEBHOOK_DISABLE_AFTER = 2
    receiver.default = 500
    endpoint = endpoint_create(owner=owner, url=receiver.url)
    later = timezone.now()
    for _ in range(2):
        webhooks.deliveries_create(owner_id=owner.pk, event="watch.state_changed", payload={})
        tasks.drain()
        later += dt.timedelta(hours=1)
        schedule_run(now=later)
        tasks.drain()
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert "2 deliveries in a row failed" in endpoint.disabled_reason
    failed = WebhookDelivery.objects.filter(endpoint=endpoint, status="failed")
    assert failed.count() == 2
    assert all([a["status_code"] for a in d.attempts] == [500, 500] for d in failed)
    # A disabled endpoint gets nothing more.
    assert (
        webhooks.deliveries_create(owner_id=owner.pk, event="watch.state_changed", payload={}) == []
    )


def test_a_success_resets_the_failure_count(db, owner, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    endpoint = endpoint_create(owner=owner, url=receiver.url)
    receiver.codes.append(500)
    for _ in range(2):
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="e", payload={})
        webhooks.delivery_attempt(delivery_id=delivery.pk)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.active


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://10.1.2.3/hook", "private"),
        ("https://192.168.1.1/hook", "private"),
        ("https://127.0.0.1/hook", "loopback"),
        ("https://[::1]/hook", "loopback"),
        ("https://169.254.169.254/latest", "link-local"),
        ("https://localhost/hook", "loopback"),
        ("http://example.com/hook", "https://"),
        ("https://user:pw@example.com/hook", "user name"),
        ("ftp://example.com/", "https://"),
    ],
)
def test_private_and_non_https_targets_are_refused_at_save(db, owner, url, reason):
    with pytest.raises(WebhookRefused, match=reason):
        endpoint_create(owner=owner, url=url)
    assert not WebhookEndpoint.objects.exists()


def test_loopback_http_is_refused_unless_the_test_setting_is_on(db, owner, settings):
    assert site_settings.WEBHOOK_ALLOW_LOOPBACK_HTTP is False  # off by default
    settings.WEBHOOK_ALLOW_LOOPBACK_HTTP = False
    with pytest.raises(WebhookRefused, match="https://"):
        endpoint_create(owner=owner, url="http://127.0.0.1:8080/hook")


def test_a_name_that_later_resolves_to_a_private_address_is_refused_at_send(
    db, owner, receiver, monkeypatch
):
    # Saved while the name resolved to a public address (the public internet, mocked) ...
    monkeypatch.setattr(webhooks, "resolve_addresses", lambda host, port: ["93.184.215.14"])
    endpoint = endpoint_create(owner=owner, url="https://hooks.customer.example/dmarc")
    # ... then re-pointed at the server's own network: nothing is sent.
    monkeypatch.setattr(webhooks, "resolve_addresses", lambda host, port: ["127.0.0.1"])
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="e", payload={})
    assert webhooks.delivery_attempt(delivery_id=delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert delivery.attempts[0]["status_code"] is None
    assert "loopback" in delivery.attempts[0]["error"]
    assert receiver.requests == []


def test_the_connection_goes_to_the_address_that_was_checked(
    db, owner, receiver, monkeypatch, settings
):
    """The name is resolved once: the connection uses that address, not a second lookup."""
    calls = []

    def resolve(host, port):
        calls.append(host)
        return ["93.184.215.14"] if len(calls) == 1 else ["127.0.0.1"]

    monkeypatch.setattr(webhooks, "resolve_addresses", resolve)
    connected = []
    monkeypatch.setattr(
        webhooks.socket,
        "create_connection",
        lambda address, timeout: connected.append(address) or (_ for _ in ()).throw(OSError("x")),
    )
    settings.WEBHOOK_TIMEOUT = 1
    code = None
    with pytest.raises(OSError):
        code = webhooks.post("https://hooks.customer.example/dmarc", b"{}", {})
    assert code is None
    assert calls == ["hooks.customer.example"]
    assert connected == [("93.184.215.14", 443)]
