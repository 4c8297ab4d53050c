"""The DMARC record generator page, and the staged plan on a result page."""

import pytest

from tests.checks.test_check_form import result_of


def test_the_generator_writes_the_record_and_the_external_authorisation(client):
    query = {
        "domain": "https://Example.com/",
        "policy": "reject",
        "rua": "rua@reports.dmarcservice.example",
        "sp": "quarantine",
    }
    page = client.get("/dmarc/", query).content.decode()
    assert "v=DMARC1; p=reject; sp=quarantine; rua=mailto:rua@reports.dmarcservice.example" in page
    assert "example.com._report._dmarc.reports.dmarcservice.example. 3600 IN TXT" in page


def test_without_an_address_a_reporting_mailbox_is_suggested(client):
    page = client.get("/dmarc/", {"domain": "example.com", "policy": "none"}).content.decode()
    assert "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"domain": "localhost", "policy": "none"}, "Your domain"),
        ({"domain": "example.com", "policy": "none", "rua": "nobody"}, "not an e-mail address"),
        ({"domain": "example.com", "policy": "none", "pct": "250"}, "less than or equal to 100"),
    ],
)
def test_bad_choices_are_field_errors(client, query, message):
    response = client.get("/dmarc/", query)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The record could not be written" in page and message in page


def test_a_result_page_shows_the_stages_and_links_the_next_record(client, dns_server, db):
    result = result_of(client.post("/check/", {"domain": "acme.example"}))
    page = client.get(result.get_absolute_url()).content.decode()
    assert 'data-stage="none" data-stage-status="current"' in page
    assert 'data-stage="quarantine" data-stage-status="next"' in page
    assert "/dmarc/?domain=acme.example&amp;policy=quarantine" in page
