"""The message analyzer and reverse identification in headless Chromium: real messages
signed by the tests (keys on the loopback DNS server), SendGrid's real catalog entry."""

from __future__ import annotations

import os

import pytest

from tests.analysis import scenarios

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

SHOTS = os.environ.get("CHECK_SCREENSHOTS")  # a directory to save screenshots in


@pytest.fixture
def ready(dns_server, tmp_path):
    from sources.services.catalogimport import catalog_import
    from tests.checks.detection_zones import copy_entries

    scenarios.serve_zones(dns_server)
    catalog_import(path=copy_entries(tmp_path))
    return dns_server


def test_pasted_headers_of_an_unaligned_message_name_sendgrid_and_lead_to_its_check(page, ready):
    page.goto("/")
    page.get_by_role("link", name="Analyse a message").first.click()
    page.wait_for_url("**/analyze/")
    assert "Nothing of the message is stored" in page.locator("[data-privacy]").inner_text()
    page.get_by_label("Paste the message's header fields").fill(
        scenarios.unaligned_message().decode()
    )
    page.get_by_role("button", name="Analyse message").click()
    page.locator("article.analysis-result").wait_for()
    assert page.locator("article").get_attribute("data-verdict") == "fail"
    assert (
        page.locator("h1.headline")
        .inner_text()
        .startswith("This message fails DMARC for birch-shop.test")
    )
    vendor = page.locator("[data-sending-vendor]")
    assert vendor.get_attribute("data-sending-vendor") == "sendgrid"
    assert "SendGrid signs with its own domain (d=sendgrid.net)" in vendor.inner_text()
    assert "s1._domainkey.birch-shop.test" in vendor.inner_text()
    assert page.locator('tr[data-route="dkim"]').get_attribute("data-status") == "pass"
    vendor.get_by_role("button", name="Check birch-shop.test's SendGrid records now").click()
    page.wait_for_url("**/check/results/**")
    assert "SendGrid" in page.locator("h1.headline").inner_text()


def test_an_uploaded_eml_is_verified_and_kept_at_a_link_when_asked(page, ready, tmp_path):
    path = tmp_path / "report.eml"
    path.write_bytes(scenarios.forwarded_message())
    page.goto("/analyze/")
    page.get_by_label("…or choose an .eml file").set_input_files(str(path))
    page.get_by_label("Keep this analysis").check()
    page.get_by_role("button", name="Analyse message").click()
    page.wait_for_url("**/analyze/results/**")
    assert page.locator("article").get_attribute("data-mode") == "message"
    assert page.locator('tr[data-route="dkim"]').get_attribute("data-status") == "body-changed"
    assert page.locator("[data-arc]").get_attribute("data-arc") == "pass"
    assert "lists.forward.test (a mailing list or forwarder) changed the message" in (
        page.locator("[data-disagreements]").inner_text()
    )
    assert "never the body" in page.locator("[data-link-lifetime]").inner_text()


def test_the_report_fits_a_phone(browser, live_server, ready):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    tab = context.new_page()
    tab.goto("/analyze/")
    tab.get_by_label("Paste the message's header fields").fill(scenarios.aligned_message().decode())
    tab.get_by_role("button", name="Analyse message").click()
    tab.locator("article.analysis-result").wait_for()
    if SHOTS:
        tab.screenshot(path=os.path.join(SHOTS, "analysis-390.png"), full_page=True)
    width = tab.evaluate("document.documentElement.scrollWidth")
    verdict = tab.locator("article").get_attribute("data-verdict")
    context.close()
    assert verdict == "pass"
    assert width <= 390


def test_identify_lists_the_vendors_of_pasted_records_and_addresses(page, ready):
    page.goto("/check/")
    page.get_by_role("link", name="Which vendor is this?").click()
    page.wait_for_url("**/identify/")
    page.get_by_label("What you found").fill(
        "include:sendgrid.net\n"
        "s1.domainkey.u7777.wl7.sendgrid.net\n"
        f"{scenarios.SENDGRID_IP}\n"
        "nothing-known.test\n"
    )
    page.get_by_role("button", name="Identify").click()
    sendgrid = page.locator('ul.identified-vendors li[data-vendor="sendgrid"]')
    sendgrid.wait_for()
    assert "3 lines" in sendgrid.inner_text()
    assert "recipe" in sendgrid.inner_text()
    kinds = [row.get_attribute("data-kind") for row in page.locator("tr[data-kind]").all()]
    assert kinds == ["include", "name", "ip", "name"]
    sendgrid.get_by_role("link", name="SendGrid").click()
    page.wait_for_url("**/vendors/sendgrid/")
