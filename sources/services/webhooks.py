"""Webhooks: signed HTTPS POSTs of watch state changes to addresses an account registers.

Every delivery is signed with the endpoint's secret: the body is
`HMAC-SHA256(secret, "<timestamp>.<body>")`, sent as
`X-Webhook-Signature: v1=<hex>` with `X-Webhook-Timestamp: <unix seconds>`
(the README shows how to verify it). A delivery that does not get a 2xx is
retried with exponential backoff (WEBHOOK_RETRY_BASE seconds, doubled each
time, WEBHOOK_MAX_ATTEMPTS attempts in all; the scheduler queues retries when
they are due); every attempt's response code is logged on the delivery. An
endpoint whose deliveries give up WEBHOOK_DISABLE_AFTER times in a row is
disabled.

The server never calls into its own network: a URL must be HTTPS, and its
host must resolve only to public addresses, checked when the endpoint is
saved and again at every attempt, where the connection goes to the very
address that was checked (a name that re-resolves to 127.0.0.1 between the
check and the connection cannot redirect it). Plain http://127.0.0.1 is
accepted only with WEBHOOK_ALLOW_LOOPBACK_HTTP, a setting for the test suite.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from sources.models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Webhook-Signature"
TIMESTAMP_HEADER = "X-Webhook-Timestamp"
MAX_RESPONSE_BYTES = 65536


class WebhookRefused(ValueError):
    """This URL may not receive webhooks (the message says why)."""


# -- addresses -------------------------------------------------------------------------


def resolve_addresses(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (the system resolver)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _loopback_http_allowed(scheme: str, host: str) -> bool:
    return scheme == "http" and host == "127.0.0.1" and settings.WEBHOOK_ALLOW_LOOPBACK_HTTP


def address_problem(address: str) -> str | None:
    """Why the server must not connect to this address, or None for a public one."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
        return "a private or reserved address"
    if not ip.is_global:
        return "an address that is not public"
    return None


def target(url: str) -> tuple[str, str, int, str, list[str]]:
    """(scheme, host, port, path, checked addresses) for a URL; WebhookRefused if not allowed."""
    if len(url) > 500:
        raise WebhookRefused("the URL is longer than 500 characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise WebhookRefused("this is not a URL") from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if not host:
        raise WebhookRefused("the URL has no host name")
    if parts.username or parts.password:
        raise WebhookRefused("the URL must not carry a user name or password")
    loopback = _loopback_http_allowed(scheme, host)
    if scheme != "https" and not loopback:
        raise WebhookRefused("the URL must start with https://")
    port = port or (443 if scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if loopback:
        return scheme, host, port, path, [host]
    try:
        addresses = resolve_addresses(host, port)
    except (OSError, UnicodeError):
        raise WebhookRefused(f"{host} does not resolve") from None
    if not addresses:
        raise WebhookRefused(f"{host} does not resolve")
    for address in addresses:
        if problem := address_problem(address):
            raise WebhookRefused(f"{host} resolves to {problem} ({address}): refused")
    return scheme, host, port, path, addresses


# -- endpoints -------------------------------------------------------------------------


def endpoint_create(*, owner, url: str) -> WebhookEndpoint:
    """Register a webhook URL for an account; WebhookRefused says why it cannot be."""
    url = url.strip()
    target(url)
    if WebhookEndpoint.objects.filter(owner=owner).count() >= settings.WEBHOOK_MAX_PER_USER:
        raise WebhookRefused(f"an account has at most {settings.WEBHOOK_MAX_PER_USER} webhooks")
    return WebhookEndpoint.objects.create(owner=owner, url=url, secret=secrets.token_hex(32))


def endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Turn a disabled endpoint back on (its URL is checked again)."""
    target(endpoint.url)
    endpoint.active, endpoint.consecutive_failures, endpoint.disabled_reason = True, 0, ""
    endpoint.save(update_fields=["active", "consecutive_failures", "disabled_reason"])
    return endpoint


# -- signing and sending -----------------------------------------------------------------


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `v1=` signature of a body sent at `timestamp` (unix seconds)."""
    message = str(timestamp).encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def deliveries_create(*, owner_id: int, event: str, payload: dict[str, Any]) -> list[str]:
    """One delivery per active endpoint of the owner, each queued once the transaction commits."""
    endpoints = WebhookEndpoint.objects.filter(owner_id=owner_id, active=True)
    ids = []
    for endpoint in endpoints:
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, payload=payload, next_attempt_at=None
        )
        ids.append(str(delivery.pk))
    for delivery_id in ids:
        transaction.on_commit(lambda pk=delivery_id: _enqueue(pk))
    return ids


def _enqueue(delivery_id: str) -> None:
    try:
        webhook_deliver.enqueue(delivery_id)
    except Exception:
        # The delivery stays pending and due: the scheduler queues it on its next run.
        logger.exception("could not queue webhook delivery %s", delivery_id)
        WebhookDelivery.objects.filter(pk=delivery_id).update(next_attempt_at=timezone.now())


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, with the certificate verified for the host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST to a checked address of the URL's host; the response code (no redirects)."""
    scheme, host, port, path, addresses = target(url)
    cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    conn = cls(host, addresses[0], port, settings.WEBHOOK_TIMEOUT)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        return response.status
    finally:
        conn.close()


def delivery_attempt(*, delivery_id: str, now: dt.datetime | None = None) -> str:
    """Send a pending delivery once and log the attempt; its status afterwards."""
    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .first()
    )
    if delivery is None:
        return "gone"
    endpoint = delivery.endpoint
    now = now or timezone.now()
    if not endpoint.active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.FAILED, next_attempt_at=None, claimed_until=None
        )
        return WebhookDelivery.Status.FAILED
    body = json.dumps(
        {"id": str(delivery.pk), "event": delivery.event, **delivery.payload},
        separators=(",", ":"),
    ).encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "email-sources-directory-webhooks/1",
        "X-Webhook-Event": delivery.event,
        "X-Webhook-Delivery": str(delivery.pk),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(endpoint.secret, timestamp, body),
    }
    started = time.monotonic()
    code, error = None, ""
    try:
        code = post(endpoint.url, body, headers)
    except WebhookRefused as exc:
        error = str(exc)
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    attempt = {
        "at": now.isoformat(),
        "status_code": code,
        "error": error,
        "duration_ms": round((time.monotonic() - started) * 1000),
    }
    attempts = [*delivery.attempts, attempt]
    if code is not None and 200 <= code < 300:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.DELIVERED,
            attempts=attempts,
            delivered_at=now,
            next_attempt_at=None,
            claimed_until=None,
        )
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        return WebhookDelivery.Status.DELIVERED
    if len(attempts) < settings.WEBHOOK_MAX_ATTEMPTS:
        wait = settings.WEBHOOK_RETRY_BASE * 2 ** (len(attempts) - 1)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            attempts=attempts,
            next_attempt_at=now + dt.timedelta(seconds=wait),
            claimed_until=None,
        )
        return WebhookDelivery.Status.PENDING
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.FAILED,
        attempts=attempts,
        next_attempt_at=None,
        claimed_until=None,
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    endpoint.refresh_from_db(fields=["consecutive_failures"])
    if endpoint.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            active=False,
            disabled_reason=(
                f"Disabled after {endpoint.consecutive_failures} deliveries in a row failed "
                f"(last: {error or f'HTTP {code}'})"
            )[:300],
        )
        logger.warning("webhook %s disabled after repeated failures", endpoint.pk)
    return WebhookDelivery.Status.FAILED


@task
def webhook_deliver(delivery_id: str) -> str:
    """Attempt one webhook delivery (the scheduler queues the retries when they are due)."""
    return delivery_attempt(delivery_id=delivery_id)
