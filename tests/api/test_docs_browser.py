"""The API documentation pages work in Chromium under the site's CSP, loading nothing from
elsewhere (the `page` fixture fails a test on any outside request or browser error,
CSP violations included)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_shows_the_catalog_operations(page):
    page.goto("/api/v1/docs/")
    page.locator(".opblock-summary-path").first.wait_for()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/vendors" in [p.replace("\u200b", "") for p in paths]
    assert "Email sources directory API" in page.locator(".info .title").inner_text()


def test_swagger_ui_can_try_an_operation(page):
    page.goto("/api/v1/docs/")
    block = page.locator("#operations-catalog-method_kinds_list")
    block.locator(".opblock-summary").first.click()
    block.locator(".try-out__btn").click()
    block.locator(".execute").click()
    block.locator(".responses-table .response-col_status").first.wait_for()
    assert "subdomain-ns" in block.locator(".live-responses-table").inner_text()


def test_redoc_shows_the_catalog_operations(page):
    page.goto("/api/v1/docs/redoc/")
    page.locator("h2", has_text="List and search vendors").wait_for()
    assert page.locator("h1").first.inner_text().startswith("Email sources directory API")
    page.get_by_placeholder("Search...").fill("lookup")
    page.get_by_text("Which vendors a DNS name or an IP address belongs to").first.wait_for()
