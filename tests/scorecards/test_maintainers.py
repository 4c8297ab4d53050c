"""Maintainers (who verified the vendor's own domain) hear of reports and proposals on their
entries, and see them on their dashboard with the scorecard, deep links and badge."""

import pytest
from django.core import mail

from sources.models import Report
from sources.services.reports import report_create
from sources.services.submissions import current_data, submission_create
from tests.factories import make_domain_verification, make_user, make_vendor

pytestmark = pytest.mark.django_db


def test_a_report_on_the_entry_is_mailed_to_its_maintainer(client, mailhawk, maintainer, committed):
    with committed():
        response = client.post(
            "/vendors/mailhawk/report/",
            {"note": "The s2 selector was retired last month.", "email": "", "homepage": ""},
        )
    assert response.status_code == 302
    to_maintainer = [m for m in mail.outbox if m.to == ["mia@mailhawk.test"]]
    assert len(to_maintainer) == 1
    message = to_maintainer[0]
    assert "Mailhawk" in message.subject
    assert "The s2 selector was retired last month." in message.body
    assert "https://directory.example.org/account/maintainer/" in message.body


def test_only_verified_maintainers_are_told(mailhawk, maintainer, committed):
    pending = make_user("pat@mailhawk.test")
    make_domain_verification(pending, "mailhawk.test", verified=False)
    elsewhere = make_user("eve@other.example")
    make_domain_verification(elsewhere, "other.example")
    with committed():
        report_create(vendor=mailhawk, note="Outdated.")
    recipients = {address for m in mail.outbox for address in m.to}
    assert "mia@mailhawk.test" in recipients
    assert not recipients & {"pat@mailhawk.test", "eve@other.example"}


def test_each_maintainer_gets_their_own_message(mailhawk, maintainer, committed):
    make_domain_verification(make_user("max@mailhawk.test"), "mailhawk.test")
    with committed():
        report_create(vendor=mailhawk, note="Outdated.")
    maintainer_mail = [m for m in mail.outbox if "maintainer" in m.body]
    assert sorted(m.to for m in maintainer_mail) == [["max@mailhawk.test"], ["mia@mailhawk.test"]]


def test_a_maintainers_own_report_is_not_mailed_back_to_them(mailhawk, maintainer, committed):
    make_domain_verification(make_user("max@mailhawk.test"), "mailhawk.test")
    with committed():
        report_create(vendor=mailhawk, note="We changed our targets.", user=maintainer)
    assert [m.to for m in mail.outbox] == [["max@mailhawk.test"]]  # her colleague hears of it
    assert not [m for m in mail.outbox if m.to == ["mia@mailhawk.test"]]


def test_others_proposals_are_mailed_but_the_maintainers_own_are_not(
    mailhawk, maintainer, customer, committed
):
    data = current_data(mailhawk)
    with committed():
        submission_create(
            user=customer,
            vendor=mailhawk,
            data={**data, "summary": "Sends every kind of mail."},
            provenance=["https://docs.mailhawk.test/"],
            note="Their docs say so.",
        )
    [message] = [m for m in mail.outbox if m.to == ["mia@mailhawk.test"]]
    assert "Changes proposed to Mailhawk" in message.subject
    assert "Their docs say so." in message.body
    mail.outbox.clear()
    with committed():
        submission_create(
            user=maintainer,
            vendor=mailhawk,
            data={**data, "summary": "Transactional email for product teams."},
            provenance=["https://docs.mailhawk.test/"],
        )
    assert not [m for m in mail.outbox if m.to == ["mia@mailhawk.test"]]


def test_the_dashboard_lists_open_reports_and_others_proposals(
    client, mailhawk, maintainer, customer
):
    report_create(vendor=mailhawk, note="The bounce CNAME target changed.")
    closed = report_create(vendor=mailhawk, note="An old report, dismissed.")
    Report.objects.filter(pk=closed.pk).update(state=Report.State.DISMISSED)
    data = current_data(mailhawk)
    proposal = submission_create(
        user=customer,
        vendor=mailhawk,
        data={**data, "summary": "Sends every kind of mail."},
        provenance=["https://docs.mailhawk.test/"],
    )
    client.force_login(maintainer)
    page = client.get("/account/maintainer/").content.decode()
    assert "The bounce CNAME target changed." in page
    assert "An old report, dismissed." not in page
    assert f"#{proposal.pk}" in page and "changes Summary" in page
    # The scorecard, the deep link for onboarding screens and the badge are there too.
    assert 'data-point="hosted-dkim" data-state="met"' in page
    assert (
        "https://directory.example.org/check/?vendor=mailhawk&amp;method=cname-delegation"
        "&amp;domain={domain}&amp;param_account_id={account_id}"
    ) in page
    assert "/vendors/mailhawk/badge.svg" in page


def test_the_dashboard_shows_nothing_of_entries_others_maintain(client, mailhawk, maintainer):
    make_vendor("examplemail")
    report_create(vendor=mailhawk, note="Private to Mailhawk's maintainers.")
    stranger = make_user("sid@stranger.example")
    client.force_login(stranger)
    page = client.get("/account/maintainer/").content.decode()
    assert "Private to Mailhawk's maintainers." not in page
    assert "You maintain no entry yet" in page


def test_the_dashboard_needs_an_account(client):
    response = client.get("/account/maintainer/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_deep_link_fills_the_check_form_in(client, mailhawk):
    page = client.get(
        "/check/?vendor=mailhawk&method=cname-delegation&domain=acme.example&param_account_id=7001"
    ).content.decode()
    assert 'value="acme.example"' in page
    assert 'value="7001"' in page
