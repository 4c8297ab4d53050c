"""Vendor-verified entries: a TXT token in the vendor's DNS, checked over real DNS."""

import pytest
from django.core.management import call_command

from sources.models import DomainVerification
from sources.services.submissions import current_data, submission_approve, submission_create
from sources.services.verification import (
    record_name,
    record_value,
    verification_check,
    verification_start,
    verifications_recheck,
    verifications_recheck_all,
)
from tests.submissions.helpers import SOURCES

pytestmark = pytest.mark.django_db

Status = DomainVerification.Status


@pytest.fixture(autouse=True)
def checker_dns(settings, dns_server):
    settings.CHECKER_NAMESERVERS = [dns_server.address]
    settings.CHECKER_TIMEOUT = 0.5
    return dns_server


def publish(dns_server, verification, value=None):
    dns_server.add_records(
        {record_name(verification) + ".": [("TXT", value or record_value(verification))]},
        origin="example.",
    )


def test_starting_shows_the_record_to_publish(submitter_client, submitter):
    response = submitter_client.post(
        "/account/verifications/", {"domain": "https://www.PostLark.example/pricing"}
    )
    verification = DomainVerification.objects.get()
    assert response["Location"] == f"/account/verifications/{verification.pk}/"
    assert verification.domain == "postlark.example"  # the registrable domain
    assert verification.status == Status.PENDING
    html = submitter_client.get(response["Location"]).content.decode()
    assert "_email-sources-verify.postlark.example" in html
    assert f"email-sources-verification={verification.token}" in html


def test_starting_twice_keeps_one_verification_and_its_token(submitter):
    first = verification_start(user=submitter, domain="postlark.example")
    second = verification_start(user=submitter, domain="mail.postlark.example")
    assert first.pk == second.pk and first.token == second.token


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("localhost", "has a single label"),
        ("mail.localhost", "reserved for the local machine"),
        ("192.0.2.1", "IP address"),
        ("co.uk", "is a public suffix"),
        ("", "This field is required."),
    ],
)
def test_unusable_domains_are_refused_with_the_reason(submitter_client, typed, message):
    html = submitter_client.post("/account/verifications/", {"domain": typed}).content.decode()
    assert message in html
    assert not DomainVerification.objects.exists()


def test_the_check_finds_the_token(submitter_client, submitter, checker_dns):
    verification = verification_start(user=submitter, domain="postlark.example")
    response = submitter_client.post(
        f"/account/verifications/{verification.pk}/check/", follow=True
    )
    verification.refresh_from_db()
    assert verification.status == Status.PENDING
    assert "No TXT record at _email-sources-verify.postlark.example." in response.content.decode()
    publish(checker_dns, verification)
    response = submitter_client.post(
        f"/account/verifications/{verification.pk}/check/", follow=True
    )
    verification.refresh_from_db()
    assert verification.status == Status.VERIFIED
    assert verification.verified_at is not None
    assert "postlark.example is verified" in response.content.decode()


def test_a_different_token_does_not_verify(submitter, checker_dns):
    verification = verification_start(user=submitter, domain="postlark.example")
    publish(checker_dns, verification, value="email-sources-verification=someone-elses-token")
    verification = verification_check(verification=verification)
    assert verification.status == Status.PENDING
    assert "none is" in verification.last_result


def test_a_dns_failure_changes_nothing(submitter, checker_dns):
    verification = verification_start(user=submitter, domain="postlark.example")
    publish(checker_dns, verification)
    verification = verification_check(verification=verification)
    assert verification.status == Status.VERIFIED
    checker_dns.set_fault(record_name(verification), "timeout")
    verification = verification_check(verification=verification)
    assert verification.status == Status.VERIFIED  # a timeout proves nothing
    assert "The DNS lookup failed (timeout" in verification.last_result
    checker_dns.set_fault(record_name(verification), "servfail")
    assert verification_check(verification=verification).status == Status.VERIFIED


def test_verification_expires_when_the_token_disappears(submitter, checker_dns):
    verification = verification_start(user=submitter, domain="postlark.example")
    publish(checker_dns, verification)
    verification_check(verification=verification)
    checker_dns.reset()  # the record is gone
    assert verifications_recheck_all() == {
        "checked": 1,
        "verified": 0,
        "expired": 1,
        "unchanged": 0,
    }
    verification.refresh_from_db()
    assert verification.status == Status.EXPIRED


def test_the_management_command_rechecks(submitter, checker_dns, capsys):
    verification = verification_start(user=submitter, domain="postlark.example")
    publish(checker_dns, verification)
    call_command("recheck_verifications", "--pending")
    assert "1 checked: 1 newly verified" in capsys.readouterr().out
    verification.refresh_from_db()
    assert verification.status == Status.VERIFIED


def test_the_recheck_task_runs_through_the_task_framework(submitter, checker_dns):
    verification = verification_start(user=submitter, domain="postlark.example")
    publish(checker_dns, verification)
    verification_check(verification=verification)
    checker_dns.reset()
    result = verifications_recheck.enqueue()
    assert result.return_value["expired"] == 1


def test_entries_maintained_by_a_verified_submitter_show_the_badge(
    client, submitter, moderator, vendor, checker_dns
):
    # The vendor's website is https://www.examplemail.example/.
    data = current_data(vendor)
    data["summary"] = "Maintained by us."
    submission = submission_create(user=submitter, data=data, provenance=SOURCES, vendor=vendor)
    submission_approve(submission=submission, moderator=moderator)
    assert "Maintained by the vendor" not in client.get("/vendors/examplemail/").content.decode()
    verification = verification_start(user=submitter, domain="examplemail.example")
    publish(checker_dns, verification)
    verification_check(verification=verification)
    assert "Maintained by the vendor" in client.get("/vendors/examplemail/").content.decode()
    checker_dns.reset()
    verifications_recheck_all()
    assert "Maintained by the vendor" not in client.get("/vendors/examplemail/").content.decode()


def test_a_verified_domain_alone_does_not_make_an_entry_vendor_maintained(
    client, submitter, vendor, checker_dns
):
    verification = verification_start(user=submitter, domain="examplemail.example")
    publish(checker_dns, verification)
    verification_check(verification=verification)
    assert "Maintained by the vendor" not in client.get("/vendors/examplemail/").content.decode()


def test_checks_are_rate_limited(submitter_client, submitter, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verification": "1/10min"}
    verification = verification_start(user=submitter, domain="postlark.example")
    url = f"/account/verifications/{verification.pk}/check/"
    assert submitter_client.post(url).status_code == 302
    response = submitter_client.post(url)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_a_verification_can_be_removed(submitter_client, submitter):
    verification = verification_start(user=submitter, domain="postlark.example")
    submitter_client.post(f"/account/verifications/{verification.pk}/delete/")
    assert not DomainVerification.objects.exists()


def test_the_vendor_page_offers_verification_prefilled(client, submitter, vendor):
    html = client.get("/vendors/examplemail/").content.decode()
    assert "/account/verifications/?domain=https%3A//www.examplemail.example/" in html
    client.force_login(submitter)
    form = client.get("/account/verifications/?domain=https://www.examplemail.example/")
    assert 'value="https://www.examplemail.example/"' in form.content.decode()
    client.post("/account/verifications/", {"domain": "https://www.examplemail.example/"})
    assert DomainVerification.objects.get().domain == "examplemail.example"


def test_moderators_see_a_moderation_link(client, moderator, submitter):
    client.force_login(submitter)
    assert ">Moderation<" not in client.get("/").content.decode()
    client.force_login(moderator)
    assert ">Moderation<" in client.get("/").content.decode()
