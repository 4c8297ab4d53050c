"""A vendor page with the drift monitor's findings, in headless Chromium at phone width."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from sources.services.drift import vendors_dns_check
from tests.drift.conftest import make_brokenpost

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def checked_brokenpost(dns_server, settings):
    settings.CHECKER_ALLOW_TEST_DOMAINS = True
    make_brokenpost()
    # Playwright's event loop runs in this thread; the check runs its own in another.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(check_and_disconnect).result()


def check_and_disconnect() -> None:
    try:
        vendors_dns_check()
    finally:
        connections.close_all()


def test_the_findings_read_in_a_labelled_section_that_fits_a_phone(
    browser, live_server, checked_brokenpost
):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto("/vendors/brokenpost/")
    section = page.get_by_role("region", name="Brokenpost's own DNS")
    text = section.inner_text()
    assert "Last checked against Brokenpost's DNS on" in text
    assert "3 names this entry points customers at were looked up, and 3 things need a look" in text
    items = section.get_by_role("listitem")
    assert items.count() == 3
    assert items.first.inner_text().startswith(
        "Problem dkim.brokenpost.test: dkim.brokenpost.test does not exist"
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 390
