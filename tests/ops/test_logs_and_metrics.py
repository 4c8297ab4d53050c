"""Request ids in responses and JSON logs; counters at /metrics."""

import io
import json
import logging

import pytest

from sources.ops.requestlog import JsonFormatter, RequestIdFilter


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("directory.access")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old_level)


@pytest.mark.django_db
def test_every_response_has_a_request_id_found_in_the_log(client, json_log):
    response = client.get("/guides/")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    (line,) = [entry for entry in json_log() if entry["path"] == "/guides/"]
    assert line["request_id"] == request_id
    assert line["status"] == 200 and line["method"] == "GET" and line["level"] == "INFO"
    assert line["duration_ms"] >= 0
    assert line["time"].endswith("Z")


@pytest.mark.django_db
def test_a_proxy_request_id_is_kept_when_sane(client):
    given = "lb-7f3a9c2e-0001"
    assert client.get("/guides/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    hostile = client.get("/guides/", HTTP_X_REQUEST_ID='x"\n{"level": "ERROR"}')["X-Request-ID"]
    assert hostile != given and len(hostile) == 32 and '"' not in hostile


def test_outside_a_request_the_id_is_a_dash():
    record = logging.makeLogRecord({"msg": "worker started", "levelno": 20, "levelname": "INFO"})
    RequestIdFilter().filter(record)
    assert json.loads(JsonFormatter().format(record))["request_id"] == "-"


@pytest.mark.django_db
def test_metrics_count_checks_and_requests(client, dns_server):
    def count(text, prefix):
        lines = [line for line in text.splitlines() if line.startswith(prefix)]
        return sum(float(line.rsplit(" ", 1)[1]) for line in lines)

    before = client.get("/metrics").content.decode()
    client.post(
        "/api/v1/checks", {"domain": "brightfield.example"}, content_type="application/json"
    )
    after = client.get("/metrics")
    assert after.status_code == 200
    assert after["Content-Type"].startswith("text/plain")
    text = after.content.decode()
    assert (
        count(text, 'directory_checks_total{kind="domain"')
        == count(before, 'directory_checks_total{kind="domain"') + 1
    )
    assert count(text, 'directory_http_requests_total{method="POST",status="2xx"}') >= 1
    assert 'directory_task_queue{status="READY"} 0.0' in text
    assert "directory_workers_alive 0.0" in text


@pytest.mark.django_db
def test_metrics_are_private(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    ok = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert ok.status_code == 200


def test_development_mail_prints_links_whole():
    import io

    from django.core.mail import EmailMessage

    from sources.ops.devmail import ReadableConsoleBackend

    link = "http://127.0.0.1:8000/accounts/confirm/MjM/cxyz12-0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d/?next=/x"
    stream = io.StringIO()
    ReadableConsoleBackend(stream=stream).send_messages(
        [
            EmailMessage(
                "Confirm your address", f"Open {link} to confirm.\nMerci é", "n@x.org", ["a@b.org"]
            )
        ]
    )
    out = stream.getvalue()
    assert link in out and "Merci é" in out and "Subject: Confirm your address" in out
