"""'Report outdated or wrong information': open to anyone, rate-limited, with a honeypot."""

import pytest

from sources.models import Report

pytestmark = pytest.mark.django_db

URL = "/vendors/examplemail/report/"


def test_the_form_is_linked_from_every_vendor_page(client, vendor):
    assert f'href="{URL}"' in client.get("/vendors/examplemail/").content.decode()
    assert "What is outdated or wrong?" in client.get(URL).content.decode()


def test_an_anonymous_report_lands_in_the_moderation_queue(client, vendor, moderator):
    response = client.post(
        URL, {"note": "The bounce CNAME is now bounces.example.net.", "email": "pm@x.example"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/vendors/examplemail/"
    report = Report.objects.get()
    assert report.vendor == vendor
    assert report.state == Report.State.OPEN
    assert report.reporter is None
    client.force_login(moderator)
    html = client.get("/admin/sources/report/").content.decode()
    assert "The bounce CNAME is now bounces.example.net." in html


def test_a_signed_in_reporter_is_remembered(submitter_client, vendor, submitter):
    submitter_client.post(URL, {"note": "Outdated."})
    assert Report.objects.get().reporter == submitter


def test_an_empty_or_oversized_note_is_refused_with_a_message(client, vendor):
    html = client.post(URL, {"note": ""}).content.decode()
    assert "This field is required." in html
    html = client.post(URL, {"note": "x" * 2001}).content.decode()
    assert "at most 2000 characters" in html
    html = client.post(URL, {"note": "ok", "email": "not an address"}).content.decode()
    assert "Enter a valid email address." in html
    assert not Report.objects.exists()


def test_the_honeypot_drops_bot_reports_quietly(client, vendor):
    response = client.post(URL, {"note": "Buy cheap pills", "homepage": "https://spam.example"})
    assert response.status_code == 302
    assert not Report.objects.exists()


def test_reports_are_rate_limited_per_client(client, vendor, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": "2/hour"}
    for _ in range(2):
        assert client.post(URL, {"note": "Outdated."}).status_code == 302
    response = client.post(URL, {"note": "A third, carefully written report."})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Too many attempts" in html
    assert "A third, carefully written report." in html  # nothing typed is lost
    assert Report.objects.count() == 2
    other = client.post(URL, {"note": "From elsewhere."}, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302  # another client has its own allowance


def test_moderators_resolve_or_dismiss_reports(client, vendor, moderator):
    client.post(URL, {"note": "One."})
    client.post(URL, {"note": "Two."})
    one, two = Report.objects.order_by("pk")
    client.force_login(moderator)
    client.post(
        "/admin/sources/report/", {"action": "resolve_selected", "_selected_action": [one.pk]}
    )
    client.post(
        "/admin/sources/report/", {"action": "dismiss_selected", "_selected_action": [two.pk]}
    )
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.state, two.state) == (Report.State.RESOLVED, Report.State.DISMISSED)
    assert one.resolved_by == moderator


def test_reports_on_unknown_vendors_are_404(client, categories):
    assert client.post("/vendors/nope/report/", {"note": "x"}).status_code == 404
