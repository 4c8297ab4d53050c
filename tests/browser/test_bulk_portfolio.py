"""A portfolio CSV in headless Chromium: per-row vendor and parameters, and the input's own
columns in the downloaded results (the loopback DNS server, Mailhawk's test zones)."""

import csv
import io

import pytest

from tests.factories import make_mailhawk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_portfolio_csv_is_checked_row_by_row(page, dns_server, tmp_path):
    make_mailhawk()
    csv_file = tmp_path / "portfolio.csv"
    csv_file.write_text(
        "domain,vendor,account_id,owner\n"
        "brightfield.example,mailhawk,7001,alice\n"
        "copperleaf.example,mailhawk,7002,bob\n"
    )
    page.goto("/check/bulk/")
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Start the bulk check").click()
    page.wait_for_url("**/check/bulk/*/")
    page.get_by_role("heading", name="Finished").wait_for()
    verdict = page.locator('tr[data-domain="brightfield.example"]').get_attribute("data-verdict")
    assert verdict == "pass"  # checked with its own account number, 7001

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    by_domain = {row["domain"]: row for row in rows}
    assert by_domain["brightfield.example"]["owner"] == "alice"
    assert by_domain["copperleaf.example"]["account_id"] == "7002"
    assert by_domain["copperleaf.example"]["vendor_checked"] == "mailhawk"
    assert by_domain["brightfield.example"]["spf_status"] == "ok"
