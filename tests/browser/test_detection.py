"""A domain without a vendor, in headless Chromium: the vendors its DNS shows, each with its
recipe and a check of its records (real catalog entries, the loopback DNS server)."""

import pytest

from sources.services.catalogimport import catalog_import
from tests.checks.detection_zones import copy_entries, serve_detection_zones

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def entries(tmp_path):
    catalog_import(path=copy_entries(tmp_path))


def test_a_domain_sending_through_sendgrid_and_google_shows_both(page, dns_server, entries):
    serve_detection_zones(dns_server)
    page.goto("/check/")
    page.get_by_label("Your domain").fill("acme-example.test")
    page.locator("form.check-form button[type=submit]").click()
    page.wait_for_url("**/check/results/**")
    vendors = page.locator("ul.authorised-vendors > li")
    slugs = [item.get_attribute("data-vendor") for item in vendors.all()]
    assert slugs == ["brevo", "google-workspace", "postmark", "sendgrid"]
    sendgrid = page.locator('li[data-vendor="sendgrid"]')
    assert "(also used by Jobvite, Okta, Stytch)" in sendgrid.inner_text()
    assert "s2._domainkey.acme-example.test → s2.domainkey.u1234567.wl123.sendgrid.net" in (
        sendgrid.inner_text()
    )
    google = page.locator('li[data-vendor="google-workspace"]')
    assert "SPF include:_spf.google.com" in google.inner_text()
    assert page.locator('[data-dkim="google"]').get_attribute("data-status") == "found"

    sendgrid.get_by_role("link", name="setup recipe").click()
    page.wait_for_url("**/vendors/sendgrid/#methods-h")
    page.go_back()
    page.locator('li[data-vendor="sendgrid"]').get_by_role("link", name="check its records").click()
    # The link fills the form with the domain and the vendor; the check runs on submit.
    page.wait_for_url("**/check/?domain=acme-example.test&vendor=sendgrid")
    assert page.get_by_label("Your domain").input_value() == "acme-example.test"
    page.locator("form.check-form button[type=submit]").click()
    page.wait_for_url("**/check/results/**")
    assert "SendGrid" in page.locator("h1.headline").inner_text()
    assert page.locator('tr[data-requirement="dkim-s1"]').get_attribute("data-status") == "pass"
