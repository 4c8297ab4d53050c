"""The watch dashboard in headless Chromium: watch a domain, check it now, filter the list,
on a desktop and a phone-size screen (the loopback DNS server serves the domains)."""

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import make_mailhawk, make_user
from tests.monitoring.conftest import ALL, Zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_watching_a_domain_from_the_dashboard(page, live_server, dns_server):
    make_mailhawk()
    Zone(dns_server).publish(*ALL)
    sign_in(page, live_server, make_user("owner", email="owner@shop.test"))

    page.goto("/watches/")
    page.get_by_text("You watch no domain yet.").wait_for()
    page.get_by_role("link", name="Watch a domain").click()
    page.locator("#id_domain").fill("https://shop.test/")
    page.locator("#id_vendor").fill("mailhawk")
    page.locator("#id_parameters").fill("account_id=7001")
    page.get_by_role("button", name="Watch").click()

    page.get_by_role("heading", name="shop.test for Mailhawk").wait_for()
    assert page.locator("#watch-state").inner_text() == "Pending"
    assert page.locator('tr[data-record="dkim-s1"]').inner_text().count("Pending") == 1
    assert "s1._domainkey.shop.test" in page.locator('tr[data-record="dkim-s1"]').inner_text()

    page.get_by_role("button", name="Check now").click()
    page.get_by_text("Checked now: verified").wait_for()
    assert page.locator("#watch-state").inner_text() == "Verified"
    history = page.locator(".watch-history").inner_text()
    assert "dkim-s1 pending → verified" in history

    # A second watch, without a vendor, on a domain that publishes nothing.
    page.goto("/watches/new/")
    page.locator("#id_domain").fill("nothing-here.test")
    page.get_by_role("button", name="Watch").click()
    page.get_by_role("heading", name="nothing-here.test").wait_for()

    page.goto("/watches/")
    rows = page.locator("table.watches tbody tr")
    assert rows.count() == 2
    assert page.locator('[data-state-count="verified"]').inner_text() == "1"
    page.get_by_label("State", exact=True).select_option("verified")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/watches/?*state=verified*")
    assert rows.count() == 1
    assert page.locator('tr[data-watch="shop.test"]').is_visible()
    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Vendor", exact=True).select_option("-")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/watches/?*vendor=-*")
    assert rows.count() == 1
    assert page.locator('tr[data-watch="nothing-here.test"]').is_visible()


def test_the_dashboard_fits_a_phone_screen(page, live_server, dns_server):
    Zone(dns_server).publish()
    user = make_user("owner", email="owner@shop.test")
    from sources.services.watches import watch_create

    for i in range(3):
        watch_create(owner=user, domain=f"d{i}.shop.test", reference=f"customer-{i}")
    sign_in(page, live_server, user)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/watches/")
    assert page.locator("table.watches tbody tr").count() == 3
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "the dashboard scrolls sideways at 390 px"
    page.get_by_role("link", name="d1.shop.test").click()
    page.get_by_role("heading", name="d1.shop.test").wait_for()
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
