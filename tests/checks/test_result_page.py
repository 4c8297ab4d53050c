"""A stored result: its permalink, what it explains, re-running it and its JSON."""

import json

import pytest

from sources.models import CheckResult
from tests.checks.helpers import ACCOUNT, time_out

pytestmark = pytest.mark.django_db


def run(client, domain, **extra):
    query = {"domain": domain, "vendor": "mailhawk", "param_account_id": ACCOUNT, **extra}
    response = client.post("/check/", query)
    assert response.status_code == 302
    return CheckResult.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])


def test_a_result_has_a_permanent_address_that_shows_the_same_result_later(
    client, dns_server, mailhawk
):
    result = run(client, "harbourline.example")
    assert result.get_absolute_url() == f"/check/results/{result.pk}/"
    dns_server.set_fault("s1._domainkey.harbourline.example", "servfail")  # DNS changes later...
    page = client.get(result.get_absolute_url()).content.decode()
    assert "Mail that Mailhawk sends for harbourline.example will pass DMARC through SPF" in page
    assert 'data-requirement="dkim-s1" data-status="pass"' in page  # ...the stored result stays


def test_an_unknown_result_is_a_404(client, db):
    assert client.get("/check/results/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_re_run_checks_again_with_the_same_input(client, dns_server, mailhawk):
    first = run(client, "copperleaf.example")
    page = client.get(first.get_absolute_url()).content.decode()
    assert '<input type="hidden" name="param_account_id" value="7001">' in page
    again = client.post(
        "/check/",
        {
            "domain": "copperleaf.example",
            "vendor": "mailhawk",
            "method": "cname-delegation",
            "param_account_id": ACCOUNT,
        },
    )
    second = CheckResult.objects.get(pk=again["Location"].rstrip("/").rsplit("/", 1)[1])
    assert second.pk != first.pk and second.verdict == first.verdict == "partial"


def test_the_json_download_is_the_command_line_shape(client, dns_server, mailhawk):
    result = run(client, "brightfield.example")
    response = client.get(f"/check/results/{result.pk}.json", {"download": "1"})
    assert response["Content-Disposition"].startswith('attachment; filename="check-brightfield')
    data = json.loads(response.content)
    assert data["id"] == str(result.pk)
    for key in (
        "domain",
        "vendor",
        "verdict",
        "dmarc_pass_routes",
        "requirements",
        "spf",
        "dmarc",
        "dkim",
        "stats",
        "headline",
        "change_plan",
    ):
        assert key in data
    assert set(data["requirements"][0]) >= {
        "id",
        "purpose",
        "status",
        "expected",
        "observed",
        "fix",
    }
    assert set(data["stats"]) >= {"queries", "elapsed_ms"}


def test_p_none_is_explained(client, dns_server, mailhawk):
    page = client.get(run(client, "lumenfold.example").get_absolute_url()).content.decode()
    assert "p=none: monitoring only" in page
    assert "failing mail would still be delivered" in page


def test_an_inherited_subdomain_policy_says_where_it_comes_from(client, dns_server, mailhawk):
    page = client.get(run(client, "news.oakridge.example").get_absolute_url()).content.decode()
    assert "subdomain policy (sp=) of oakridge.example" in page
    assert "p=quarantine" in page


def test_no_dmarc_record_is_explained_and_a_starting_record_planned(client, dns_server, mailhawk):
    page = client.get(run(client, "quietpine.example").get_absolute_url()).content.decode()
    assert "No DMARC policy" in page
    assert (
        "_dmarc.quietpine.example. 3600 IN TXT "
        "&quot;v=DMARC1; p=none; rua=mailto:dmarc-reports@quietpine.example&quot;"
    ) in page


def test_timeouts_are_shown_as_lookups_to_retry_not_missing_records(client, dns_server, mailhawk):
    time_out(dns_server, "stormgate.example")
    page = client.get(run(client, "stormgate.example").get_absolute_url()).content.decode()
    assert "Some lookups failed" in page
    assert "Lookup failed: retry" in page
    assert "Unknown: lookups failed" in page
    assert "No changes can be planned until the failed lookups succeed" in page
    assert "IN CNAME" not in page


def test_dkim_keys_show_type_and_size(client, dns_server, mailhawk):
    page = client.get(run(client, "brightfield.example").get_absolute_url()).content.decode()
    assert 'data-dkim="s1" data-status="found"' in page
    assert "RSA, 2048 bits" in page
    assert "CNAME to <code>s1.dkim.u7001.mailhawk.test</code>" in page


def test_the_spf_include_tree_shows_lookup_counts(client, dns_server, mailhawk):
    result = run(client, "tallgrass.example", method="spf-include", param_account_id="")
    page = client.get(result.get_absolute_url()).content.decode()
    assert "13 of 10" in page
    assert "<code>include:_spf.mailhawk.test</code>" in page
    assert "2 lookups" in page
    # The permerror leads, with each term's cost and a record within the limit.
    assert "SPF fails for all mail from tallgrass.example" in page
    assert "its SPF record needs 13 DNS lookups" in page
    assert "<code>include:crm.tallgrass.example</code>: 3 lookups" in page
