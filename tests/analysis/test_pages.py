"""/analyze/ and its permalinks, /identify/, and the links that lead to them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sources.analysismodels import MessageAnalysis
from tests.analysis import scenarios

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(mail_zones, sendgrid_catalog):
    return mail_zones


def post(client, raw: bytes = b"", **extra):
    data = {"message": raw.decode("utf-8", "replace"), **extra}
    return client.post("/analyze/", data)


def test_the_form_says_nothing_is_stored(client):
    page = client.get("/analyze/").content.decode()
    assert "Nothing of the message is stored" in page
    assert 'enctype="multipart/form-data"' in page


def test_an_unaligned_message_shows_the_vendor_its_fix_and_a_check_button(client, ready):
    response = post(client, scenarios.unaligned_message())
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-verdict="fail"' in page
    assert 'data-sending-vendor="sendgrid"' in page
    assert "SendGrid signs with its own domain (d=sendgrid.net)" in page
    assert "<code>s1._domainkey.birch-shop.test</code>" in page
    assert 'name="vendor" value="sendgrid"' in page
    assert 'name="domain" value="birch-shop.test"' in page
    assert "Nothing of this message was stored" in page
    assert response["X-Robots-Tag"] == "noindex"
    assert MessageAnalysis.objects.count() == 0


def test_an_uploaded_eml_is_analysed_and_verified(client, ready):
    upload = SimpleUploadedFile("invoice.eml", scenarios.aligned_message(), "message/rfc822")
    page = client.post("/analyze/", {"file": upload}).content.decode()
    assert 'data-verdict="pass"' in page
    assert 'data-mode="message"' in page
    assert 'data-route="dkim" data-domain="acme-billing.test" data-status="pass"' in page


def test_a_permalink_is_kept_only_when_asked_and_is_not_indexed(client, ready):
    response = post(client, scenarios.forwarded_message(), permalink="on")
    assert response.status_code == 302
    kept = MessageAnalysis.objects.get()
    assert response["Location"] == kept.get_absolute_url()
    page = client.get(kept.get_absolute_url())
    text = page.content.decode()
    assert page["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex, nofollow">' in text
    assert "never the body" in text
    assert "team mailing list" not in str(kept.result)  # the footer, in the body
    assert "lists.forward.test (a mailing list or forwarder) changed the message" in text
    assert 'data-arc="pass"' in text


def test_an_expired_permalink_is_gone(client, ready, settings):
    from datetime import timedelta

    from django.utils import timezone

    kept = MessageAnalysis.objects.create(verdict="pass", result={"verdict": "pass"})
    MessageAnalysis.objects.filter(pk=kept.pk).update(
        created_at=timezone.now() - timedelta(days=settings.CHECK_RETENTION_DAYS + 1)
    )
    assert client.get(kept.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"", "Paste a message"),
        (b"hello there, no fields", "No header fields found"),
    ],
)
def test_bad_input_keeps_the_form_with_a_clear_error(client, ready, raw, error):
    response = post(client, raw)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The message was not analysed" in page
    assert error in page


def test_a_binary_upload_is_refused_clearly(client, ready):
    upload = SimpleUploadedFile("photo.eml", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "image/png")
    page = client.post("/analyze/", {"file": upload}).content.decode()
    assert "This is not a text message" in page


def test_an_upload_over_two_megabytes_is_refused_with_the_limit(client, ready):
    big = b"From: a@b.test\r\n\r\n" + b"x" * (2 * 1024 * 1024 + 1)
    upload = SimpleUploadedFile("big.eml", big, "message/rfc822")
    page = client.post("/analyze/", {"file": upload}).content.decode()
    assert "the analyzer reads at most 2.0 MB" in page


def test_header_injection_is_shown_as_text(client, ready):
    raw = (
        b"From: <script>alert(1)</script>@evil.test\r\n"
        b"Received: from x (<img src=x onerror=alert(1)> [203.0.113.5]) by y; bad date\r\n"
        b"Subject: hi\r\n"
    )
    response = post(client, raw)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page


def test_analyses_share_the_checks_rate_limit(client, ready, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "check": "1/min"}
    assert post(client, scenarios.headers_only()).status_code == 200
    response = post(client, scenarios.headers_only())
    assert response.status_code == 429
    assert "Too many analyses and checks" in response.content.decode()


def test_identify_names_the_vendor_of_each_line(client, ready):
    lines = "\n".join(
        [
            "include:sendgrid.net",
            "s1.domainkey.u7777.wl7.sendgrid.net",
            scenarios.SENDGRID_IP,
            "v=spf1 include:sendgrid.net -all",
            "s1._domainkey.example.com",
            "not a name!",
        ]
    )
    page = client.post("/identify/", {"items": lines}).content.decode()
    assert '<li data-vendor="sendgrid">' in page
    assert "6 lines" not in page
    assert "5 lines" not in page and "4 lines" in page  # the selector alone is not counted
    for kind in ("include", "name", "ip", "spf-record", "selector", "invalid"):
        assert f'data-kind="{kind}"' in page


def test_identify_says_so_when_nothing_matches(client, ready):
    page = client.post("/identify/", {"items": "mail.unknown-vendor.test"}).content.decode()
    assert "data-no-match" in page


def test_the_navigation_the_home_page_and_the_checker_link_both_pages(client, db):
    for url in ("/", "/check/"):
        page = client.get(url).content.decode()
        assert 'href="/analyze/"' in page
    assert 'href="/identify/"' in client.get("/").content.decode()
    assert 'href="/identify/"' in client.get("/check/").content.decode()


def test_an_analysis_waits_for_a_free_check_slot(client, ready, settings):
    settings.CHECK_CONCURRENCY = 0  # every slot taken
    response = post(client, scenarios.headers_only())
    assert response.status_code == 429
    assert "checks or analyses running" in response.content.decode()
    assert response["Retry-After"]


def test_silent_name_servers_give_a_partial_report_within_the_budget(client, ready, settings):
    settings.CHECK_TIME_BUDGET = 1.0
    ready.set_fault("s1.domainkey.u7777.wl7.sendgrid.net", "timeout")
    ready.set_fault("_dmarc.acme-billing.test", "timeout")
    response = post(client, scenarios.aligned_message())
    page = response.content.decode()
    assert response.status_code == 200
    assert "data-timed-out" in page
    assert 'data-status="key-error"' in page
    assert 'data-verdict="pass"' not in page
