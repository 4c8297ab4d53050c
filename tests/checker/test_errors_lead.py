"""Errors lead the verdict: SPF permerrors with their repair, missing domains, no-mail domains.

The domains are in tests/zones/senders-customers.zone; the included vendors'
records in sendgrid.net.zone, google.com.zone and zendesk.com.zone.
"""

import asyncio

from sources.checker import check_domain
from sources.checker.spffix import merge_records, name_vendors, spf_repair
from sources.checker.text import render_text
from tests.checker.helpers import POSTLARK


def generic(resolver, domain):
    return asyncio.run(check_domain(domain, resolver=resolver)).to_dict()


def test_two_spf_records_merge_into_one_with_every_term_once():
    merged = merge_records(
        ["v=spf1 include:_spf.google.com ~all", "v=spf1 mx include:_spf.google.com -all"]
    )
    assert merged == "v=spf1 include:_spf.google.com mx ~all"


def test_two_spf_records_lead_the_verdict_and_get_a_merged_record(resolver):
    report = generic(resolver, "doublespf.example")
    assert report["verdict"] == "fail"
    assert report["verdict_label"] == "SPF broken"
    assert report["headline"].startswith(
        "SPF fails for all mail from doublespf.example (permerror): it has 2 SPF records"
    )
    assert "merged they need 3 DNS lookups" in report["headline"]
    row = report["change_plan"]["rows"][0]
    assert row["action"] == "replace"
    assert row["replaces"] == [
        "v=spf1 include:_spf.google.com ~all",
        "v=spf1 mx include:sendgrid.net -all",
    ]
    assert row["value"] == "v=spf1 include:_spf.google.com mx include:sendgrid.net ~all"
    assert "This record needs 3 lookups" in row["note"]


def test_a_record_over_ten_lookups_shows_each_terms_cost_and_a_record_within_ten(resolver):
    report = generic(resolver, "twelvefold.example")
    assert report["verdict"] == "fail"
    assert "its SPF record needs 12 DNS lookups; receivers stop at 10" in report["headline"]
    costs = {term["term"]: term["lookups"] for term in report["spf_repair"]["terms"]}
    assert costs["include:crm.twelvefold.example"] == 3
    assert costs["include:_spf.google.com"] == 1
    assert sum(costs.values()) == 12
    row = report["change_plan"]["rows"][0]
    # The domain's own costliest include is flattened first, into the address it names.
    assert "include:crm.twelvefold.example" not in row["value"]
    assert "ip4:192.0.2.53" in row["value"]
    assert "include:_spf.google.com" in row["value"]
    assert report["spf_repair"]["proposed_lookups"] == 9
    assert "Maintenance" in row["note"]
    # The text report counts the lookups too.
    assert "cost: include:crm.twelvefold.example  3 lookup(s)" in render_text(report)


def test_a_vendor_check_on_a_broken_spf_record_leads_with_the_permerror(resolver):
    report = asyncio.run(
        check_domain(
            "twelvefold.example",
            resolver=resolver,
            vendor=POSTLARK,
            method_kind="spf-include",
            params={},
        )
    ).to_dict()
    assert report["verdict"] == "fail"
    assert report["verdict_label"] == "SPF broken"
    assert report["headline"].startswith("SPF fails for all mail from twelvefold.example")
    assert report["change_plan"]["rows"][0]["requirements"] == ["spf-permerror"]


def test_a_domain_without_a_permerror_needs_no_spf_repair(resolver):
    assert asyncio.run(spf_repair(resolver, "acme.example")) is None


def test_a_domain_that_does_not_exist_is_named_and_told_nothing_to_publish(resolver):
    report = generic(resolver, "nowhere-at-all.example")
    assert report["verdict"] == "fail"
    assert report["verdict_label"] == "Domain does not exist"
    assert report["headline"].startswith("nowhere-at-all.example does not exist in DNS (NXDOMAIN)")
    assert report["change_plan"]["rows"] == []
    assert "DMARC" not in report["change_plan"]["zone_file"]


def test_a_null_mx_domain_is_named_as_accepting_no_mail(resolver):
    report = generic(resolver, "parkedcove.example")
    assert report["mx"]["status"] == "null"
    assert report["verdict_label"] == "Accepts no mail"
    assert report["headline"].startswith("parkedcove.example accepts no mail: it has a null MX")
    assert not any(
        row["value"].startswith("v=DMARC1; p=none") for row in report["change_plan"]["rows"]
    )


def test_includes_the_directory_knows_are_named_in_the_repair(resolver):
    repair = asyncio.run(spf_repair(resolver, "twelvefold.example"))
    vendors = [
        {"slug": "zendesk", "name": "Zendesk", "evidence": ["SPF include:mail.zendesk.com"]},
    ]
    name_vendors(repair, vendors)
    named = {term.term: term.vendor for term in repair.terms if term.vendor}
    assert named == {"include:mail.zendesk.com": {"slug": "zendesk", "name": "Zendesk"}}
