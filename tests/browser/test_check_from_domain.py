"""A check from a domain and a vendor's name alone, with the directory's real catalog entries.

The customers' DNS is tests/zones/senders-customers.zone; SendGrid's, Google's
and Zendesk's sides are tests/zones/sendgrid.net.zone, google.com.zone and
zendesk.com.zone, all served by the loopback DNS server.
"""

import os
import shutil

import pytest
from playwright.sync_api import expect

from sources.catalogfile import CATALOG_DIR
from sources.services.catalogimport import catalog_import

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

VENDORS = ["sendgrid", "google-workspace", "zendesk", "mailchimp", "microsoft-365"]
SHOTS = os.environ.get("CHECK_SCREENSHOTS")  # a directory to save screenshots in


@pytest.fixture
def catalog(tmp_path):
    """The catalog files of a few vendors, imported as `import_catalog` does."""
    shutil.copy(CATALOG_DIR / "categories.toml", tmp_path)
    for slug in VENDORS:
        shutil.copy(CATALOG_DIR / f"{slug}.toml", tmp_path)
    catalog_import(path=tmp_path)


def run_check(page, domain: str, vendor: str) -> None:
    page.goto("/check/")
    page.get_by_label("Your domain").fill(domain)
    page.get_by_label("Vendor", exact=True).fill(vendor)
    page.get_by_label("Vendor", exact=True).press("Tab")
    page.locator("[data-vendor-name]").wait_for(state="attached")
    page.get_by_role("button", name="Check").first.click()
    page.wait_for_url("**/check/results/**")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_sendgrid_from_the_domain_and_the_name_only(page, dns_server, catalog):
    run_check(page, "acme.example", "SendGrid")
    shot(page, "sendgrid")
    found = page.locator("[data-found]").first.inner_text()
    assert found == "Found SendGrid's CNAMEs at s1 and s2 → u1234567.wl123.sendgrid.net"
    assert page.locator('tr[data-requirement="dkim-s1"]').get_attribute("data-status") == "pass"
    # The mail CNAME's host label is per account and not in DNS: named, with where to find it.
    untested = page.locator("[data-untested]").inner_text()
    assert "mail-cname" in untested
    assert "Mail CNAME host label" in untested
    assert "shown by SendGrid" in untested
    assert "u1234567.wl123.sendgrid.net" in untested
    assert "through DKIM alignment" in page.locator("h1.headline").inner_text()


def test_google_workspace_from_the_domain_and_the_name_only(page, dns_server, catalog):
    run_check(page, "acme.example", "Google Workspace")
    assert page.locator("article").get_attribute("data-verdict") == "pass"
    row = page.locator('tr[data-requirement="dkim"]')
    assert row.get_attribute("data-status") == "pass"
    assert "google._domainkey.acme.example" in row.inner_text()


def test_zendesk_from_the_domain_and_the_name_only(page, dns_server, catalog):
    run_check(page, "birchway.example", "zendesk")
    assert page.locator("article").get_attribute("data-verdict") == "pass"
    headline = page.locator("h1.headline").inner_text()
    assert headline.startswith("Mail that Zendesk sends for birchway.example will pass DMARC")
    assert "zendesk1" in page.locator("[data-found]").first.inner_text()


def test_a_misspelt_vendor_is_understood_and_its_fields_appear_at_once(page, dns_server, catalog):
    page.goto("/check/")
    page.get_by_label("Your domain").fill("acme.example")
    page.get_by_label("Vendor", exact=True).fill("sendgird")
    expect(page.locator("[data-vendor-match]")).to_contain_text("SendGrid")
    # The account fields are there before anything is submitted, empty and optional.
    target = page.get_by_label("Mail CNAME target")
    expect(target).to_be_visible()
    assert target.input_value() == "" and target.get_attribute("placeholder") is None
    page.get_by_role("button", name="Check SendGrid records").click()
    page.wait_for_url("**/check/results/**")
    assert "SendGrid" in page.locator("h1.headline").inner_text()


@pytest.mark.parametrize(
    ("typed", "vendor"), [("mailchimpp", "Mailchimp"), ("o365", "Microsoft 365")]
)
def test_misspellings_and_abbreviations_find_the_vendor(page, dns_server, catalog, typed, vendor):
    run_check(page, "acme.example", typed)
    assert vendor in page.locator("h1.headline").inner_text()


def check_domain_only(page, domain: str) -> None:
    page.goto("/check/")
    page.get_by_label("Your domain").fill(domain)
    page.get_by_role("button", name="Check domain").click()
    page.wait_for_url("**/check/results/**")


def test_two_spf_records_lead_the_verdict_with_a_merged_record(page, dns_server, catalog):
    check_domain_only(page, "doublespf.example")
    shot(page, "doublespf")
    assert page.locator("[data-verdict-label]").inner_text() == "SPF broken"
    assert (
        page.locator("h1.headline")
        .inner_text()
        .startswith(
            "SPF fails for all mail from doublespf.example (permerror): it has 2 SPF records"
        )
    )
    row = page.locator('tr[data-plan-row="TXT doublespf.example"]')
    assert "Replace" in row.inner_text()
    assert "v=spf1 include:_spf.google.com mx include:sendgrid.net ~all" in row.inner_text()
    assert "Delete the 2 SPF records" in row.inner_text()


def test_an_spf_record_over_ten_lookups_leads_with_its_costs(page, dns_server, catalog):
    check_domain_only(page, "twelvefold.example")
    shot(page, "twelvefold")
    assert (
        page.locator("h1.headline")
        .inner_text()
        .startswith(
            "SPF fails for all mail from twelvefold.example (permerror): its SPF record needs 12"
        )
    )
    costs = page.locator("[data-spf-problem] .spf-costs").inner_text()
    assert "include:crm.twelvefold.example: 3 lookups (flattened in the plan)" in costs
    # Includes the directory knows are named, with the vendor's page for a bounce subdomain.
    assert "include:_spf.google.com: 1 lookup · Google Workspace's include" in costs
    row = page.locator('tr[data-plan-row="TXT twelvefold.example"]').inner_text()
    assert "ip4:192.0.2.53" in row and "This record needs 9 lookups" in row


def test_a_domain_that_does_not_exist_is_named_as_such(page, dns_server, catalog):
    check_domain_only(page, "nowhere-at-all.example")
    assert page.locator("[data-verdict-label]").inner_text() == "Domain does not exist"
    assert "NXDOMAIN" in page.locator("h1.headline").inner_text()
    assert "publish a DMARC record" not in page.locator("main").inner_text().lower()
    assert page.locator("tr[data-plan-row]").count() == 0


def test_the_home_page_starts_with_a_domain_box(page, dns_server, catalog):
    page.goto("/")
    shot(page, "home")
    first_input = page.locator("main input:not([type=hidden])").first
    assert first_input.get_attribute("name") == "domain"
    page.get_by_label("Your domain").fill("acme.example")
    page.get_by_role("button", name="Check my domain").click()
    page.wait_for_url("**/check/results/**")
    assert page.locator("[data-dmarc-plan]").is_visible()


def test_a_vendor_page_checks_the_domain_typed_into_it(page, dns_server, catalog):
    page.goto("/vendors/zendesk/")
    shot(page, "vendor")
    page.get_by_label("Enter your domain to see your exact Zendesk records").fill(
        "birchway.example"
    )
    page.get_by_role("button", name="Check my domain for Zendesk").click()
    page.wait_for_url("**/check/results/**")
    assert page.locator("h1.headline").inner_text().startswith("Mail that Zendesk sends")


def test_the_result_page_fits_a_phone_and_says_how_long_its_link_lives(
    browser, live_server, dns_server, catalog
):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    tab = context.new_page()
    # A link fills the form in; its button runs the check.
    tab.goto("/check/?domain=twelvefold.example&vendor=sendgrid")
    tab.get_by_role("button", name="Check SendGrid records").click()
    tab.wait_for_url("**/check/results/**")
    if SHOTS:
        tab.screenshot(path=os.path.join(SHOTS, "result-390.png"), full_page=True)
    width = tab.evaluate("document.documentElement.scrollWidth")
    viewport = tab.evaluate("window.innerWidth")
    lifetime = tab.locator("[data-link-lifetime]").inner_text()
    robots = tab.locator('meta[name="robots"]').get_attribute("content")
    # Rows are stacked: the table's header row is out of sight, each cell labelled.
    stacked = tab.locator("table.requirements tbody tr").first.evaluate(
        "row => getComputedStyle(row).display"
    )
    context.close()
    assert width <= viewport == 390
    assert stacked == "block"
    assert "This link works for 30 days" in lifetime
    assert "noindex" in robots


def test_the_dmarc_generator_writes_a_record_with_reports(page, catalog):
    page.goto("/dmarc/")
    page.get_by_label("Your domain").fill("acme.example")
    page.get_by_label("Policy (p=)").select_option("quarantine")
    page.get_by_label("Where reports go (rua=)").fill("rua@reports.dmarcservice.example")
    page.get_by_role("button", name="Write the record").click()
    shot(page, "dmarc-generator")
    assert page.locator("[data-dmarc-record]").inner_text() == (
        "v=DMARC1; p=quarantine; rua=mailto:rua@reports.dmarcservice.example"
    )
    assert (
        "acme.example._report._dmarc.reports.dmarcservice.example"
        in page.locator("[data-dmarc-authorisation]").inner_text()
    )
