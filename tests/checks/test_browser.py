"""The checker in headless Chromium: vendor page → result, copying the plan, a bulk CSV."""

import pytest
from playwright.sync_api import expect

from sources.models import BulkCheck
from tests.checks.helpers import ACCOUNT
from tests.factories import make_bulk_check

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_from_a_vendor_page_to_a_result(page, dns_server, mailhawk):
    page.goto("/vendors/mailhawk/")
    page.get_by_role("link", name="More options").click()
    page.wait_for_url("**/check/?vendor=mailhawk")
    page.get_by_label("Your domain").fill("https://Harbourline.example/contact")
    page.get_by_label("Account number").fill(ACCOUNT)
    page.get_by_role("button", name="Check Mailhawk records").click()
    page.wait_for_url("**/check/results/**")
    headline = page.locator("h1.headline").inner_text()
    assert headline == (
        "Mail that Mailhawk sends for harbourline.example will pass DMARC through SPF "
        "alignment, but 1 required record needs attention."
    )
    row = page.locator('tr[data-requirement="dkim-s2"]')
    assert row.get_attribute("data-status") == "fail"
    assert "s2._domainkey.harbourline.example. 3600 IN CNAME" in row.inner_text()


def test_choosing_a_method_shows_only_its_parameters(page, mailhawk):
    page.goto("/check/?vendor=mailhawk")
    account = page.get_by_label("Account number")
    assert account.is_visible()
    page.get_by_label("Setup method").select_option("spf-include")
    assert not account.is_visible()


def _plan_page(browser, live_server, *, clipboard: bool):
    context = browser.new_context(
        base_url=live_server.url,
        permissions=["clipboard-read", "clipboard-write"] if clipboard else [],
    )
    tab = context.new_page()
    if not clipboard:
        # As where the Clipboard API is refused: the page must fall back to selecting.
        tab.add_init_script(
            "navigator.clipboard.writeText = () => Promise.reject(new Error('denied'));"
        )
    errors = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    query = f"domain=copperleaf.example&vendor=mailhawk&param_account_id={ACCOUNT}"
    # A link fills the form in; the button runs the check.
    tab.goto(f"/check/?{query}")
    tab.get_by_role("button", name="Check Mailhawk records").click()
    tab.wait_for_url("**/check/results/**")
    return context, tab, errors


def test_the_change_plan_copies_to_the_clipboard(browser, live_server, dns_server, mailhawk):
    context, tab, errors = _plan_page(browser, live_server, clipboard=True)
    button = tab.locator('[data-copy-target="#plan-zone"]')
    assert button.inner_text() == "Copy the change plan"
    button.click()
    expect(button).to_have_text("Copied")
    copied = tab.evaluate("navigator.clipboard.readText()")
    assert "bounces.copperleaf.example. 3600 IN CNAME u7001.bounce.mailhawk.test." in copied
    assert copied.startswith("; DNS changes for Mailhawk on copperleaf.example")
    context.close()
    assert not errors


def test_without_the_clipboard_the_plan_is_selected_instead(
    browser, live_server, dns_server, mailhawk
):
    context, tab, errors = _plan_page(browser, live_server, clipboard=False)
    tab.get_by_role("button", name="Copy the change plan").click()
    expect(tab.locator('[data-copy-target="#plan-zone"]')).to_contain_text("Ctrl+C")
    assert "IN CNAME u7001.bounce.mailhawk.test." in tab.evaluate(
        "window.getSelection().toString()"
    )
    assert "Ctrl+C" in tab.locator('[data-copy-target="#plan-zone"]').inner_text()
    context.close()
    assert not errors


def test_a_bulk_csv_is_checked_to_the_end(page, dns_server, mailhawk, tmp_path):
    csv_file = tmp_path / "domains.csv"
    csv_file.write_text("domain\nbrightfield.example\nnot a domain\ncopperleaf.example\n")
    page.goto("/check/bulk/?vendor=mailhawk")
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_label("Account number").fill(ACCOUNT)
    page.get_by_role("button", name="Start the bulk check").click()
    page.wait_for_url("**/check/bulk/*/")
    page.get_by_role("heading", name="Finished").wait_for()
    assert page.locator('tr[data-domain="copperleaf.example"]').get_attribute("data-verdict") == (
        "partial"
    )
    assert "1 row skipped" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="CSV").is_visible()


def test_the_progress_page_follows_a_running_bulk(page, db):
    bulk = make_bulk_check(total=4, done=1, status=BulkCheck.Status.RUNNING)
    page.goto(bulk.get_absolute_url())
    assert "1 of 4 checked" in page.locator("[data-bulk-text]").inner_text()
    BulkCheck.objects.filter(pk=bulk.pk).update(done=3, counts={"pass": 3})
    expect(page.locator("[data-bulk-progress]")).to_have_attribute("value", "3")
    BulkCheck.objects.filter(pk=bulk.pk).update(done=4, status=BulkCheck.Status.DONE)
    page.get_by_role("heading", name="Finished").wait_for()
    assert page.locator("[data-bulk-downloads]").is_visible()
