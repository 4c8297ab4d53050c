"""The DNS change plan: every fix in one copyable block, and SPF records merged, not duplicated."""

import pytest

from sources.checker import SPFCosts, change_plan
from sources.models import CheckResult
from tests.checks.helpers import ACCOUNT


def run(client, domain, **query):
    response = client.post("/check/", {"domain": domain, "vendor": "mailhawk", **query})
    assert response.status_code == 302, response.content.decode()[:2000]
    result = CheckResult.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])
    return result.result["change_plan"], client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_an_existing_spf_record_gets_the_include_merged_in(client, dns_server, mailhawk):
    plan, page = run(client, "ridgeway.example", method="spf-include")
    (row,) = plan["rows"]
    assert row["action"] == "replace"
    assert row["value"] == (
        "v=spf1 a mx include:crm.ridgeway.example include:hr.ridgeway.example "
        "include:pay.ridgeway.example include:_spf.mailhawk.test -all"
    )
    assert row["replaces"] == [
        "v=spf1 a mx include:crm.ridgeway.example include:hr.ridgeway.example "
        "include:pay.ridgeway.example -all"
    ]
    assert row["name"] == "@"
    assert "It needs 11 DNS lookups (SPF allows 10)" in row["note"]


@pytest.mark.django_db
def test_a_merge_that_would_pass_ten_lookups_is_warned_about(client, dns_server, mailhawk):
    plan, page = run(client, "ridgeway.example", method="spf-include")
    (warning,) = plan["warnings"]
    assert warning.startswith(
        "The merged SPF record for ridgeway.example would need 11 DNS lookups"
    )
    assert "(8 now, plus include:_spf.mailhawk.test)" in warning
    assert "would need 11 DNS lookups" in page


@pytest.mark.django_db
def test_no_spf_record_yet_gets_a_new_one_without_a_warning(client, dns_server, mailhawk):
    plan, _ = run(client, "plainfield.example", method="spf-include")
    (row,) = plan["rows"]
    assert row["action"] == "add" and row["replaces"] == []
    assert row["zone_line"] == (
        'plainfield.example. 3600 IN TXT "v=spf1 include:_spf.mailhawk.test ~all"'
    )
    assert plan["warnings"] == []


@pytest.mark.django_db
def test_a_wrong_cname_is_replaced_and_the_block_is_zone_file_syntax(client, dns_server, mailhawk):
    plan, page = run(client, "copperleaf.example", param_account_id=ACCOUNT)
    (row,) = plan["rows"]
    assert row["action"] == "replace" and row["replaces"] == ["u7002.bounce.mailhawk.test"]
    assert (row["name"], row["type"], row["value"]) == (
        "bounces",
        "CNAME",
        "u7001.bounce.mailhawk.test",
    )
    assert plan["zone_file"] == (
        "; DNS changes for Mailhawk on copperleaf.example\n"
        "; replaces: u7002.bounce.mailhawk.test\n"
        "bounces.copperleaf.example. 3600 IN CNAME u7001.bounce.mailhawk.test.\n"
    )
    assert 'data-copy-target="#plan-zone"' in page
    assert '<pre id="plan-zone"' in page


@pytest.mark.django_db
def test_a_correct_setup_has_nothing_to_change(client, dns_server, mailhawk):
    plan, page = run(client, "brightfield.example", param_account_id=ACCOUNT)
    assert plan["rows"] == [] and plan["zone_file"] == ""
    assert "Nothing to change" in page


def _requirement(rid, host, target, observed):
    return {
        "id": rid,
        "purpose": "spf",
        "type": "TXT",
        "check": "spf-include",
        "status": "fail",
        "required": True,
        "host": host,
        "expected": f"SPF at {host} reaching include:{target}",
        "observed": [f"TXT {observed}"],
        "fix": f'{host}. 3600 IN TXT "{observed[:-5]} include:{target} -all"',
    }


def test_two_includes_for_one_name_become_one_record():
    report = {
        "domain": "example.org",
        "vendor": "v",
        "requirements": [
            _requirement("spf-a", "example.org", "a.vendor.test", "v=spf1 mx -all"),
            _requirement("spf-b", "example.org", "b.vendor.test", "v=spf1 mx -all"),
        ],
    }
    costs = SPFCosts(hosts={"example.org": 1}, targets={"a.vendor.test": 4, "b.vendor.test": 4})
    plan = change_plan(report, costs)
    (row,) = plan["rows"]
    assert row["value"] == "v=spf1 mx include:a.vendor.test include:b.vendor.test -all"
    assert row["requirements"] == ["spf-a", "spf-b"]
    assert plan["zone_file"].count("IN TXT") == 1
    (warning,) = plan["warnings"]
    assert "would need 11 DNS lookups" in warning


def test_an_unknown_include_cost_gives_no_number_rather_than_a_wrong_one():
    report = {
        "domain": "example.org",
        "requirements": [_requirement("spf", "example.org", "a.vendor.test", "v=spf1 -all")],
    }
    plan = change_plan(report, SPFCosts(hosts={"example.org": 0}))
    assert "DNS lookups" not in plan["rows"][0]["note"] and plan["warnings"] == []


def test_a_subdomain_record_is_named_relative_to_the_organisational_domain():
    report = {
        "domain": "news.example.org",
        "dmarc": {"status": "found", "organisational_domain": "example.org"},
        "requirements": [
            {
                "id": "dkim",
                "type": "CNAME",
                "check": "dkim-key",
                "status": "fail",
                "host": "s1._domainkey.news.example.org",
                "observed": [],
                "fix": "s1._domainkey.news.example.org. 3600 IN CNAME s1.vendor.test.",
            }
        ],
    }
    (row,) = change_plan(report)["rows"]
    assert row["name"] == "s1._domainkey.news"
    assert row["value"] == "s1.vendor.test"
