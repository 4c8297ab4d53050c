"""The drift monitor's runs: stored results, previous results, and moderation items."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from sources.models import Report, VendorDnsCheck
from sources.permissions import ensure_moderators_group
from sources.services.drift import _claim, vendors_dns_check, vendors_dns_check_due
from tests.drift.conftest import serve_growing
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous_client():
    return Client()


def findings_of(vendor) -> list[tuple[str, str]]:
    check = VendorDnsCheck.objects.get(vendor=vendor)
    return [(f["code"], f["name"]) for f in check.findings]


def test_a_healthy_vendor_is_stored_without_findings_and_opens_nothing(dns_server, steadymail):
    run = vendors_dns_check()
    assert (run.checked, run.with_findings, run.reports_opened) == (1, 0, 0)
    check = VendorDnsCheck.objects.get(vendor=steadymail)
    assert check.findings == []
    assert check.skipped == 1  # the per-account DKIM target
    assert {t["name"] for t in check.targets} == {
        "_spf.steadymail.test",
        "dkim.steadymail.test",
        "bounce.steadymail.test",
        "mx.steadymail.test",
    }
    assert Report.objects.count() == 0


def test_an_include_that_grows_past_five_lookups_opens_one_report_not_one_per_run(
    dns_server, growing, django_capture_on_commit_callbacks
):
    moderator = make_user("mona", is_staff=True)
    ensure_moderators_group().user_set.add(moderator)
    serve_growing(dns_server, 4)
    vendors_dns_check()
    assert findings_of(growing) == []
    assert Report.objects.count() == 0

    serve_growing(dns_server, 7)
    with django_capture_on_commit_callbacks(execute=True):
        first = vendors_dns_check()
        second = vendors_dns_check()

    assert findings_of(growing) == [("spf-include-costly", "_spf.growing.test")]
    assert (first.reports_opened, second.reports_opened) == (1, 0)
    [report] = Report.objects.all()
    assert report.vendor == growing
    assert report.state == Report.State.OPEN
    assert "include:_spf.growing.test costs 7" in report.note
    # The moderators hear of it in their digest.
    assert any("mona@example.org" in message.to for message in mail.outbox)


def test_a_finding_that_clears_resolves_its_report_and_a_later_one_opens_a_new_one(
    dns_server, growing
):
    serve_growing(dns_server, 7)
    vendors_dns_check()
    serve_growing(dns_server, 4)
    run = vendors_dns_check()
    assert run.reports_resolved == 1
    report = Report.objects.get()
    assert report.state == Report.State.RESOLVED
    assert "no longer found" in report.moderator_comment
    check = VendorDnsCheck.objects.get(vendor=growing)
    assert check.findings == []
    assert [f["code"] for f in check.previous_findings] == ["spf-include-costly"]

    serve_growing(dns_server, 7)
    vendors_dns_check()
    assert Report.objects.filter(state=Report.State.OPEN).count() == 1
    assert Report.objects.count() == 2


def test_a_report_a_moderator_dismissed_is_not_reopened_while_the_finding_stays(
    dns_server, growing
):
    serve_growing(dns_server, 7)
    vendors_dns_check()
    Report.objects.update(state=Report.State.DISMISSED)
    vendors_dns_check()
    assert Report.objects.count() == 1
    assert Report.objects.get().state == Report.State.DISMISSED


def test_an_nxdomain_dkim_target_is_found_and_reported(dns_server, brokenpost):
    vendors_dns_check(slugs=["brokenpost"])
    assert findings_of(brokenpost) == [
        ("target-nxdomain", "dkim.brokenpost.test"),
        ("host-no-address", "mx.brokenpost.test"),
        ("dkim-key-too-short", "short.brokenpost.test"),
    ]
    notes = sorted(Report.objects.values_list("note", flat=True))
    assert len(notes) == 3
    assert any("dkim.brokenpost.test does not exist (NXDOMAIN)" in note for note in notes)


def test_a_timeout_keeps_the_earlier_finding_and_its_report(dns_server, brokenpost, settings):
    vendors_dns_check(slugs=["brokenpost"])
    dns_server.set_fault("dkim.brokenpost.test", "timeout")
    settings.CHECKER_TIMEOUT = 0.3  # the lookup that times out; the others answer at once
    run = vendors_dns_check(slugs=["brokenpost"])
    assert run.reports_resolved == 0
    check = VendorDnsCheck.objects.get(vendor=brokenpost)
    by_key = {(f["code"], f["name"]): f for f in check.findings}
    assert ("lookup-failed", "dkim.brokenpost.test") in by_key
    kept = by_key[("target-nxdomain", "dkim.brokenpost.test")]
    assert kept["unconfirmed"] is True
    assert Report.objects.filter(state=Report.State.OPEN).count() == 3


def test_the_previous_result_is_kept_and_findings_keep_their_first_date(dns_server, brokenpost):
    vendors_dns_check(slugs=["brokenpost"])
    first = VendorDnsCheck.objects.get(vendor=brokenpost)
    vendors_dns_check(slugs=["brokenpost"])
    second = VendorDnsCheck.objects.get(vendor=brokenpost)
    assert second.previous_checked_at == first.checked_at
    assert second.previous_findings == first.findings
    assert [f["since"] for f in second.findings] == [f["since"] for f in first.findings]
    assert second.changed_at == first.changed_at  # nothing changed
    assert second.new_findings == [] and second.cleared_findings == []


def test_unpublished_vendors_are_not_checked(dns_server, steadymail, brokenpost):
    brokenpost.published = False
    brokenpost.save()
    run = vendors_dns_check()
    assert run.slugs == ["steadymail"]


def test_the_scheduled_task_checks_only_vendors_not_checked_recently(
    dns_server, steadymail, brokenpost, settings
):
    settings.VENDOR_DNS_INTERVAL_HOURS = 24
    vendors_dns_check(slugs=["steadymail"])
    assert vendors_dns_check_due.call() == {
        "checked": 1,
        "with_findings": 1,
        "reports_opened": 3,
        "reports_resolved": 0,
        "left": 0,
    }
    assert vendors_dns_check_due.call()["checked"] == 0
    VendorDnsCheck.objects.filter(vendor=steadymail).update(
        checked_at=timezone.now() - dt.timedelta(hours=25)
    )
    assert vendors_dns_check(due_only=True).slugs == ["steadymail"]


def test_vendors_not_started_within_the_run_budget_stay_due(
    dns_server, steadymail, brokenpost, settings
):
    settings.VENDOR_DNS_RUN_BUDGET = 0
    run = vendors_dns_check(due_only=True)
    assert (run.checked, run.left) == (0, 2)
    assert not VendorDnsCheck.objects.exists()


def test_two_scheduled_runs_at_once_check_each_vendor_once(
    dns_server, steadymail, brokenpost, anonymous_client
):
    # Another run holds Steadymail (it claimed it and is checking it now).
    held = _claim([steadymail.pk], token="other-run", until=timezone.now() + dt.timedelta(1))
    assert held == [steadymail.pk]
    assert _claim([steadymail.pk], token="third-run", until=timezone.now()) == []

    assert vendors_dns_check(due_only=True).slugs == ["brokenpost"]
    # Claimed but not yet stored: the page still says nothing about it.
    page = anonymous_client.get("/vendors/steadymail/").content.decode()
    assert "Last checked against" not in page


def test_a_claim_left_by_a_run_that_died_expires(dns_server, steadymail):
    _claim([steadymail.pk], token="dead-run", until=timezone.now() - dt.timedelta(seconds=1))
    assert vendors_dns_check(due_only=True).slugs == ["steadymail"]
    check = VendorDnsCheck.objects.get(vendor=steadymail)
    assert (check.claimed_by, check.claimed_until) == ("", None)
    assert check.previous_checked_at is None  # its first stored check
