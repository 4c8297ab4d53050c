"""In headless Chromium: sign up → confirm → submit → pending → approved in the admin → live.

Also: the payload entry runs no script, and "Add a record" works with and without JavaScript.
"""

import re

import pytest
from django.core import mail

from sources.models import Submission
from sources.services.submissions import submission_approve, submission_create
from tests.factories import PASSWORD
from tests.submissions.helpers import XSS, XSS_MARKDOWN, xss_vendor_data

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_sign_up_submit_approve_and_publish(page, live_server, moderator, categories):
    moderator.set_password(PASSWORD)
    moderator.save()
    page.set_default_timeout(10_000)

    # Sign up, then follow the link from the e-mail and confirm.
    page.goto("/accounts/signup/")
    page.get_by_label("E-mail address").fill("pm@postlark.example")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/accounts/signup/done/")
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    page.goto("/" + link.split("/", 3)[3])
    page.get_by_role("button", name="Confirm my address").click()
    page.wait_for_url("**/submissions/")
    assert "Your address is confirmed" in page.locator(".messages").inner_text()

    # Submit a vendor with a method and two records.
    page.get_by_role("link", name="Submit a vendor").first.click()
    page.get_by_role("link", name="advanced form").click()
    fill_entry(page, name="PostLark")
    page.get_by_role("button", name="Preview").last.click()
    preview = page.locator(".preview")
    assert "PostLark" in preview.locator("h1").inner_text()
    assert "s1._domainkey.{domain}" in preview.locator("table.records").inner_text()
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(re.compile(r".*/submissions/\d+/$"))
    assert "Pending review" in page.locator(".state").first.inner_text()
    page.goto("/submissions/")
    assert "PostLark" in page.locator("table.submissions").inner_text()
    submission = Submission.objects.get()

    # A moderator approves it in the admin.
    page.get_by_role("button", name="Sign out").click()
    page.goto("/admin/login/")
    page.locator("#id_username").fill(moderator.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.goto("/admin/sources/submission/?state__exact=pending")
    page.locator(f'input[name="_selected_action"][value="{submission.pk}"]').check()
    page.locator('select[name="action"]').select_option("approve_selected")
    page.locator('button[name="index"]').click()
    page.locator("textarea[name=comment]").fill("Checked. Thank you!")
    page.locator('input[type=submit][value="Approve and publish"]').click()
    assert "published as revision 1" in page.locator(".messagelist").inner_text()

    # Live, with its history.
    page.goto("/vendors/postlark/")
    assert page.get_by_role("heading", level=1).inner_text() == "PostLark"
    page.get_by_role("link", name="History of this entry").click()
    page.wait_for_url("**/vendors/postlark/history/")
    assert f"from submission #{submission.pk}" in page.locator(".history").inner_text()


@pytest.fixture
def xss_page(browser, live_server):
    """A tab that records script errors; broken images from the payloads are expected."""
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.set_default_timeout(10_000)
    yield tab
    context.close()
    assert not errors, errors


def test_no_script_runs_from_payloads_in_any_field(
    xss_page,
    live_server,
    submitter,
    moderator,
    categories,
):
    submission = submission_create(
        user=submitter,
        data=xss_vendor_data(),
        provenance=["https://docs.example.net/x"],
        note=XSS,
    )
    submission_approve(submission=submission, moderator=moderator, comment=XSS)
    for url in (
        "/vendors/xss-vendor/",
        "/vendors/xss-vendor/history/",
        "/vendors/xss-vendor/history/1/",
    ):
        xss_page.goto(url)
        assert xss_page.evaluate("typeof window.__xss") == "undefined", url
        assert "XSS <script>window.__xss=1</script>" in xss_page.locator("h1").first.inner_text()
    assert "<script>window.__xss=1</script>" in xss_page.locator("article.vendor h1").inner_text()


def test_the_preview_of_a_payload_runs_no_script(xss_page, live_server, submitter, categories):
    xss_page.context.add_cookies(_session_cookie(live_server, submitter))
    xss_page.goto("/submissions/new/")
    fill_entry(xss_page, name="Evil " + XSS[:80], description=XSS_MARKDOWN)
    xss_page.get_by_role("button", name="Preview").last.click()
    xss_page.locator(".preview").wait_for()
    assert xss_page.evaluate("typeof window.__xss") == "undefined"
    # The same with a validation error: the form comes back with every payload in it.
    xss_page.get_by_label("Website").fill("http://insecure.example/" + XSS)
    xss_page.get_by_role("button", name="Preview").last.click()
    xss_page.locator(".error-summary").wait_for()
    assert xss_page.evaluate("typeof window.__xss") == "undefined"


def test_add_a_record_without_a_round_trip_and_without_javascript(
    browser,
    live_server,
    submitter,
    categories,
):
    for javascript in (True, False):
        context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
        context.add_cookies(_session_cookie(live_server, submitter))
        tab = context.new_page()
        tab.goto("/submissions/new/")
        tab.locator("#id_summary").fill("Typed before adding a row")
        assert tab.locator("#id_methods-0-records-2-host").count() == 0
        tab.get_by_role("button", name="Add a record").click()
        tab.locator("#id_methods-0-records-2-host").wait_for()
        assert tab.locator("#id_summary").input_value() == "Typed before adding a row"
        assert tab.locator('input[name="methods-0-records-count"]').input_value() == "3"
        context.close()


def fill_entry(page, *, name: str, description: str = "") -> None:
    """Fill the entry form with a vendor, one method and two records."""
    page.locator("#id_name").fill(name)
    page.get_by_label("Website").fill("https://www.postlark.example/")
    page.get_by_label("Transactional email").check()
    page.get_by_label("Summary").fill("PostLark sends transactional email for apps.")
    page.locator("#id_description").fill(description)
    page.get_by_label("Kind of method").select_option("cname-delegation")
    page.locator("#id_methods-0-title").fill("Domain authentication")
    page.locator("#id_methods-0-sources").fill("https://docs.postlark.example/domains")
    page.locator("#id_methods-0-steps").fill("1. Add the records.\n2. Click **Verify**.")
    records = [
        ("dkim-s1", "s1._domainkey.{domain}", "s1.dkim.postlark.example", "dkim", "s1"),
        ("bounce", "bounces.{domain}", "bounces.postlark.example", "return-path", ""),
    ]
    for i, (rid, host, value, purpose, selector) in enumerate(records):
        row = f"#id_methods-0-records-{i}"
        page.locator(f"{row}-id").fill(rid)
        page.locator(f"{row}-host").fill(host)
        page.locator(f"{row}-value").fill(value)
        page.locator(f"{row}-purpose").select_option(purpose)
        page.locator(f"{row}-selector").fill(selector)
    page.get_by_label("Sources for this submission").fill("https://docs.postlark.example/domains")


def _session_cookie(live_server, user):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url,
        }
    ]
