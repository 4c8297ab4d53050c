"""The check form: pre-filled from vendor pages, what people paste, errors that keep the input."""

import pytest

from sources.models import CheckResult
from tests.checks.helpers import ACCOUNT
from tests.factories import make_vendor

pytestmark = pytest.mark.django_db


def result_of(response) -> CheckResult:
    assert response.status_code == 302, response.content.decode()[:3000]
    return CheckResult.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])


def test_the_vendor_page_links_to_a_form_prefilled_for_that_vendor(client, mailhawk):
    vendor_page = client.get("/vendors/mailhawk/").content.decode()
    assert 'href="/check/?vendor=mailhawk"' in vendor_page
    form = client.get("/check/", {"vendor": "mailhawk"}).content.decode()
    assert "Check your Mailhawk set-up" in form
    assert 'name="vendor"' in form and 'value="mailhawk"' in form
    assert 'name="param_account_id"' in form and "Account number" in form
    assert "Shown under Settings" in form  # the parameter's help


def test_a_vendor_with_several_methods_offers_them_with_the_recommended_first(client, mailhawk):
    form = client.get("/check/", {"vendor": "mailhawk", "method": "spf-include"}).content.decode()
    assert '<select name="method"' in form
    assert form.index('value="cname-delegation"') < form.index('value="spf-include"')
    assert 'value="spf-include" selected' in form


def test_a_vendor_with_one_method_needs_no_choice(client, db):
    make_vendor("onemethod", name="One Method")
    form = client.get("/check/", {"vendor": "onemethod"}).content.decode()
    assert '<select name="method"' not in form
    assert '<input type="hidden" name="method" value="cname-delegation">' in form


def test_the_vendor_list_works_without_javascript(client, mailhawk):
    form = client.get("/check/").content.decode()
    assert '<datalist id="vendor-options">' in form
    assert '<option value="Mailhawk"></option>' in form


@pytest.mark.parametrize(
    "typed",
    ["https://Brightfield.EXAMPLE/about?x=1", "ceo@brightfield.example", "brightfield.example."],
)
def test_pasted_urls_addresses_and_trailing_dots_are_normalised(client, dns_server, typed):
    result = result_of(client.post("/check/", {"domain": typed}))
    assert result.domain == "brightfield.example"
    page = client.get(result.get_absolute_url()).content.decode()
    assert "<strong>brightfield.example</strong>" in page
    assert "you entered" in page


def test_an_internationalised_name_is_checked_in_its_a_label_form(client, dns_server):
    result = result_of(client.post("/check/", {"domain": "bücher.example"}))
    assert result.domain == "xn--bcher-kva.example"
    page = client.get(result.get_absolute_url()).content.decode()
    assert "<strong>xn--bcher-kva.example</strong> (bücher.example)" in page


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("localhost", "single label"),
        ("printer.local", "multicast DNS"),
        ("192.0.2.1", "IP address"),
        ("a" * 64 + ".example", "at most 63"),
        ("exa mple.com", "not allowed in a domain name"),
        ("", "This field is required"),
    ],
)
def test_what_cannot_be_a_domain_gets_a_reason_and_keeps_the_input(client, db, typed, reason):
    response = client.post("/check/", {"domain": typed, "vendor": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert reason in page
    assert "The check did not run" in page
    if typed:
        assert f'value="{typed}"' in page
    assert not CheckResult.objects.exists()


def test_an_unknown_vendor_is_a_field_error_and_nothing_typed_is_lost(client, db):
    response = client.post("/check/", {"domain": "brightfield.example", "vendor": "no-such"})
    page = response.content.decode()
    assert "no vendor &#x27;no-such&#x27; in the directory" in page
    assert 'value="brightfield.example"' in page and 'value="no-such"' in page


def test_a_vendor_can_be_given_by_name(client, dns_server, mailhawk):
    query = {"domain": "brightfield.example", "vendor": "Mailhawk", "param_account_id": ACCOUNT}
    assert result_of(client.post("/check/", query)).vendor_slug == "mailhawk"


def test_a_parameter_failing_its_pattern_is_a_field_error(client, mailhawk):
    query = {"domain": "brightfield.example", "vendor": "mailhawk", "param_account_id": "7O01"}
    page = client.post("/check/", query).content.decode()
    assert "&#x27;7O01&#x27; is not a valid Account number" in page
    assert 'value="7O01"' in page
    assert not CheckResult.objects.exists()


def test_the_domain_and_the_vendor_are_enough(client, dns_server, mailhawk):
    response = client.post("/check/", {"domain": "brightfield.example", "vendor": "mailhawk"})
    result = result_of(response)
    # The DKIM CNAMEs reveal the account number, which completes the bounce record.
    assert result.result["found_values"] == {"account_id": ACCOUNT}
    assert result.verdict == "pass"


def test_a_misspelt_vendor_finds_the_closest_one(client, dns_server, mailhawk):
    query = {"domain": "brightfield.example", "vendor": "mailhwak"}
    result = result_of(client.post("/check/", query))
    assert result.vendor_slug == "mailhawk"


def test_a_method_the_vendor_does_not_have_is_a_field_error(client, mailhawk):
    query = {"domain": "brightfield.example", "vendor": "mailhawk", "method": "subdomain-ns"}
    page = client.post("/check/", query).content.decode()
    assert "Select a valid choice" in page or "has no &#x27;subdomain-ns&#x27;" in page


def test_parameters_of_other_methods_are_ignored(client, dns_server, mailhawk):
    query = {
        "domain": "tallgrass.example",
        "vendor": "mailhawk",
        "method": "spf-include",
        "param_account_id": "not checked here",
    }
    assert result_of(client.post("/check/", query)).method_kind == "spf-include"


def test_a_link_fills_the_form_in_without_running_the_check(client, mailhawk):
    query = {"domain": "copperleaf.example", "vendor": "mailhawk"}
    page = client.get("/check/", {**query, "param_account_id": ACCOUNT}).content.decode()
    assert 'value="copperleaf.example"' in page and f'value="{ACCOUNT}"' in page
    assert not CheckResult.objects.exists()


def test_recent_checks_are_listed_for_this_visitor_only(client, dns_server, mailhawk):
    result = result_of(client.post("/check/", {"domain": "brightfield.example"}))
    assert result.get_absolute_url() in client.get("/check/").content.decode()
    other = client.__class__()
    assert result.get_absolute_url() not in other.get("/check/").content.decode()
