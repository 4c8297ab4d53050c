"""Home → search → vendor page, in headless Chromium."""

import pytest

from tests.factories import make_vendor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalog():
    make_vendor("sendgrid", name="SendGrid", aliases=["Twilio SendGrid"])
    make_vendor("zendesk", name="Zendesk", categories=["helpdesk"])
    make_vendor(
        "microsoft-365", name="Microsoft 365", aliases=["Office 365"], categories=["helpdesk"]
    )


def test_a_visitor_finds_a_vendor_from_the_home_page(page, catalog):
    page.goto("/")
    page.get_by_label("Search for a vendor").fill("sendgird")
    page.get_by_role("button", name="Search").last.click()
    page.wait_for_url("**/search/?q=sendgird")
    page.get_by_role("link", name="SendGrid").click()
    page.wait_for_url("**/vendors/sendgrid/")
    assert page.get_by_role("heading", level=1).inner_text() == "SendGrid"
    assert page.locator("table.records").count() == 1
    assert "s1._domainkey.{domain}" in page.locator("table.records").inner_text()


def test_facets_filter_the_results(page, catalog):
    page.goto("/search/")
    assert "3 vendors" in page.locator(".result-count").inner_text()
    page.locator(".facets").get_by_role("link", name="Helpdesk").click()
    assert "2 vendors" in page.locator(".result-count").inner_text()
    assert page.locator(".facets a.selected").count() == 1


def test_the_search_form_works_with_the_keyboard_alone(page, catalog):
    page.goto("/search/")
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("office 365")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=office+365**")
    assert page.locator(".vendor-card").first.inner_text().startswith("Microsoft 365")


def test_pages_fit_a_phone_screen(browser, live_server, catalog):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 700})
    page = context.new_page()
    page.goto("/vendors/sendgrid/")
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 375
