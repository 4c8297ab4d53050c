"""Without a vendor: DMARC, SPF, MX, DKIM keys and the vendors the domain already authorises."""

import pytest

from sources.models import CheckResult
from tests.factories import dkim_cname_method, make_vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def templated_vendor(db):
    """A vendor whose selector is a parameter: nothing to try without the customer's value."""
    method = dkim_cname_method()
    method["records"][0]["selector"] = "{account_id}"
    method["records"][0]["host"] = "{account_id}._domainkey.{domain}"
    return make_vendor("templated", name="Templated", methods=[method])


def generic(client, domain):
    response = client.post("/check/", {"domain": domain})
    assert response.status_code == 302
    result = CheckResult.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])
    return result.result, client.get(response["Location"]).content.decode()


def test_it_summarises_dmarc_spf_and_mx(client, dns_server, mailhawk):
    report, page = generic(client, "brightfield.example")
    assert report["vendor"] is None and report["requirements"] == []
    assert report["verdict"] == "pass"
    assert report["headline"] == (
        "brightfield.example publishes a DMARC policy of p=reject: mail that fails DMARC is "
        "refused."
    )
    assert report["spf"]["lookups"] == 4
    assert report["mx"]["records"] == ["10 mx.brightfield.example"]
    assert "Mail servers (MX)" in page and "<code>10 mx.brightfield.example</code>" in page


def test_it_tries_every_literal_selector_of_the_catalog(
    client, dns_server, mailhawk, templated_vendor
):
    report, page = generic(client, "brightfield.example")
    # Mailhawk's s1 and s2 (literal) and the factory's s1; the templated one is skipped.
    assert report["dkim_selectors_checked"] == 2
    assert sorted(report["dkim"]) == ["s1", "s2"]
    assert report["dkim"]["s1"]["bits"] == 2048
    assert 'data-dkim="s2" data-status="found"' in page


def test_it_lists_the_vendors_the_records_already_authorise(client, dns_server, mailhawk):
    report, page = generic(client, "brightfield.example")
    (vendor,) = report["catalog_vendors"]
    assert vendor["slug"] == "mailhawk"
    assert sorted(vendor["routes"]) == ["dkim", "spf"]
    assert "SPF include:_spf.mailhawk.test" in vendor["evidence"]
    assert '<a href="/vendors/mailhawk/">Mailhawk</a>' in page
    assert "/check/?domain=brightfield.example&amp;vendor=mailhawk" in page


def test_a_domain_without_vendor_records_authorises_no_one(client, dns_server, mailhawk):
    report, page = generic(client, "plainfield.example")
    assert report["catalog_vendors"] == []
    assert "None of the SPF includes or DKIM CNAMEs found matches" in page
    assert report["verdict"] == "partial"  # DMARC, but no SPF record


def test_no_dmarc_record_fails_the_generic_verdict(client, dns_server, mailhawk):
    report, _ = generic(client, "quietpine.example")
    assert report["verdict"] == "fail"
    assert "has no DMARC policy" in report["headline"]


def test_the_badge_judges_the_domains_own_dmarc(client, dns_server, mailhawk):
    _, page = generic(client, "brightfield.example")
    assert ">DMARC enforced</span>" in page
    assert page.index("Vendors this domain already authorises") < page.index("DNS change plan")
