"""In headless Chromium, which sends every textarea with CRLF line endings: a proposal
that changes two fields shows two changes in its preview, its page and the history."""

import re

import pytest
from django.test import Client

from sources.models import Submission, Vendor
from sources.services.submissions import submission_approve
from tests.factories import make_category, make_user, make_vendor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESCRIPTION = (
    "Sends receipts and password resets for your shop.\n\n"
    "Invoices go out on the first of the month, from your own domain."
)


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def changed_labels(page) -> list[str]:
    page.locator("table.diff").wait_for()
    return page.locator("table.diff tbody th[scope=row]").all_inner_texts()


def test_a_browser_proposal_of_two_fields_shows_two_changes(page, live_server):
    make_category("transactional-email")
    make_vendor("examplemail", name="ExampleMail", description=DESCRIPTION)
    pm, moderator = make_user("pm@examplemail.example"), make_user("mod@site.example")
    sign_in(page, live_server, pm)

    page.goto("/vendors/examplemail/propose/")
    page.locator("#id_provenance").fill("https://docs.example.net/\nhttps://docs.example.net/dkim")
    page.locator("#id_summary").fill("Sends receipts, password resets and invoices.")
    page.locator("#id_methods-0-title").fill("Authenticate your domain with two CNAMEs")
    # Untouched, the multi-line fields still travel as CRLF, as every browser sends them.
    page.locator("form button[name=action][value=preview]").last.click()
    assert changed_labels(page) == ["Summary", "Method 1 › Title"]

    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(re.compile(r".*/submissions/\d+/$"))
    assert changed_labels(page) == ["Summary", "Method 1 › Title"]

    submission = Submission.objects.get()
    submission_approve(submission=submission, moderator=moderator)
    vendor = Vendor.objects.get(slug="examplemail")
    assert vendor.description == DESCRIPTION
    assert "\r" not in vendor.methods.get().steps

    page.goto("/vendors/examplemail/history/")
    summary = page.locator(".history details summary").first
    assert summary.inner_text() == "2 fields changed"
    assert "Approved submission" in page.locator(".history .meta").first.inner_text()


def test_a_long_field_is_highlighted_word_by_word_at_phone_width(page, live_server):
    make_category("transactional-email")
    make_vendor("examplemail", name="ExampleMail", description=DESCRIPTION)
    sign_in(page, live_server, make_user("pm@examplemail.example"))
    page.set_viewport_size({"width": 390, "height": 800})

    page.goto("/vendors/examplemail/propose/")
    page.locator("#id_provenance").fill("https://docs.example.net/")
    description = page.locator("#id_description")
    description.fill(description.input_value().replace("first of the month", "last day"))
    page.locator("form button[name=action][value=preview]").last.click()

    assert changed_labels(page) == ["Description"]
    assert page.locator("table.diff del.diff-word").all_inner_texts() == ["first of the month"]
    assert page.locator("table.diff ins.diff-word").all_inner_texts() == ["last day"]
    # The diff scrolls inside its region rather than widening the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
