"""A vendor's scorecard and demand in Chromium: real checks against the loopback DNS server
(tests/zones/customer-domains.zone: brightfield passes, harbourline lacks the s2 CNAME),
votes by an anonymous domain owner (confirmed from the e-mailed link) and a signed-in one,
the leaderboard; and a maintainer told of a report by e-mail, who sees it on the dashboard.
"""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from tests.factories import make_domain_verification, make_mailhawk, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mailhawk(live_server, settings):
    settings.SITE_URL = live_server.url
    settings.MODERATOR_DIGEST_DELAY = 0
    return make_mailhawk(website="https://www.mailhawk.test/")


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


def check_from_deep_link(page, domain: str) -> str:
    """Open the link a vendor's onboarding screen would give, press Check: the verdict."""
    page.goto(f"/check/?vendor=mailhawk&method=cname-delegation&domain={domain}")
    page.get_by_label("Account number").fill("7001")
    page.get_by_role("button", name="Check Mailhawk records").click()
    page.wait_for_url("**/check/results/**")
    return page.locator("article").get_attribute("data-verdict")


def test_checks_and_votes_show_on_the_scorecard_and_the_leaderboard(
    page, live_server, dns_server, mailhawk
):
    verdicts = [check_from_deep_link(page, d) for d in ("brightfield.example",) * 2]
    verdicts.append(check_from_deep_link(page, "harbourline.example"))
    assert verdicts == ["pass", "pass", "partial"]

    # The vendor page links to its scorecard.
    page.goto("/vendors/mailhawk/")
    page.get_by_role("link", name="Scorecard and demand").click()
    expect(page.locator('[data-point="hosted-dkim"]')).to_have_attribute("data-state", "met")
    expect(page.locator('[data-point="delegation"]')).to_have_attribute("data-state", "not-met")

    # An anonymous domain owner votes; it counts once the e-mailed link is followed.
    page.get_by_label("Subdomain delegation").check()
    page.get_by_label("Your e-mail address").fill("owner@acme.example")
    page.get_by_role("button", name="I need this").click()
    expect(page.locator(".messages")).to_contain_text("Check your mailbox")
    expect(page.locator("[data-votes-total]")).to_have_text("0")
    [message] = [m for m in mail.outbox if m.to == ["owner@acme.example"]]
    link = re.search(r"(/votes/confirm/\S+/)", message.body)[1]
    page.goto(link)
    page.get_by_role("button", name="Confirm my vote").click()
    expect(page.locator(".messages")).to_contain_text("Your vote is counted")

    # A signed-in customer votes for the same point, twice: one more vote.
    sign_in(page, live_server, make_user("carl@customer.example"))
    for _ in range(2):
        page.goto("/vendors/mailhawk/scorecard/")
        page.get_by_label("Subdomain delegation").check()
        page.get_by_role("button", name="I need this").click()
    expect(page.locator(".messages")).to_contain_text("You had already voted for this.")

    expect(page.locator('[data-checks="30"]')).to_have_text("3 (67% passed)")
    expect(page.locator('[data-checks="90"]')).to_have_text("3 (67% passed)")
    expect(page.locator("[data-top-failure]")).to_contain_text("dkim-s2")
    expect(page.locator("[data-top-failure]")).to_contain_text("failed in 1 check")
    expect(page.locator("[data-votes-total]")).to_have_text("2")
    expect(page.locator('[data-vote-point="delegation"] strong')).to_have_text("2")
    # The badge the page offers for embedding is served as an image.
    badge = page.locator('img[src="/vendors/mailhawk/badge.svg"]')
    assert badge.evaluate("img => img.complete && img.naturalWidth > 0")

    page.goto("/scorecards/")
    page.get_by_role("link", name="Checks in 30 days").click()
    row = page.locator('tr[data-vendor="mailhawk"]')
    expect(row.locator("[data-checks]")).to_have_text("3")
    expect(row.locator("[data-votes]")).to_have_text("2")
    expect(page.locator("table.leaderboard")).to_have_attribute("data-sort", "checks")


def test_the_scorecard_fits_a_phone(browser, live_server, mailhawk):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    tab = context.new_page()
    tab.goto("/vendors/mailhawk/scorecard/")
    expect(tab.locator("h1")).to_contain_text("Mailhawk")
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= tab.evaluate("window.innerWidth") == 390
    context.close()


def test_a_maintainer_is_mailed_a_report_and_sees_it_on_the_dashboard(page, live_server, mailhawk):
    mia = make_user("mia@mailhawk.test")
    make_domain_verification(mia, "mailhawk.test")

    # Someone without an account reports the entry.
    page.goto("/vendors/mailhawk/")
    page.get_by_role("link", name="Report outdated or wrong information").click()
    page.get_by_label("What is outdated or wrong?").fill("The bounce CNAME target moved.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator(".messages")).to_contain_text("Thank you")

    [message] = [m for m in mail.outbox if m.to == ["mia@mailhawk.test"]]
    assert "The bounce CNAME target moved." in message.body
    dashboard = re.search(r"(https?://\S+/account/maintainer/)", message.body)[1]

    sign_in(page, live_server, mia)
    page.goto(dashboard)
    entry = page.locator('[data-maintained="mailhawk"]')
    expect(entry.locator("[data-report]")).to_contain_text("The bounce CNAME target moved.")
    expect(entry.locator('[data-deep-link="cname-delegation"]')).to_contain_text(
        "/check/?vendor=mailhawk&method=cname-delegation&domain={domain}"
        "&param_account_id={account_id}"
    )
    # Following her own deep link (values filled in) checks a customer's set-up.
    link = entry.locator('[data-deep-link="cname-delegation"]').inner_text()
    page.goto(link.replace("{domain}", "brightfield.example").replace("{account_id}", "7001"))
    expect(page.get_by_label("Account number")).to_have_value("7001")
    expect(page.get_by_label("Your domain")).to_have_value("brightfield.example")
