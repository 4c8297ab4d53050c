"""The DMARC record generator and the staged plan from p=none to p=reject."""

import asyncio

import pytest

from sources.checker import check_domain
from sources.checker.dmarcplan import InvalidDMARCChoice, dmarc_record


def test_a_record_always_has_a_reporting_address():
    draft = dmarc_record(domain="Example.COM", policy="none")
    assert draft.record == "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"
    assert draft.host == "_dmarc.example.com"
    assert "dmarc-reports@example.com" in draft.notes[0]


def test_reports_to_another_domain_need_its_authorisation():
    draft = dmarc_record(
        domain="example.com",
        policy="quarantine",
        rua="dmarc@example.com, mailto:rua@reports.dmarcservice.example",
        subdomain_policy="reject",
        pct=25,
    )
    assert draft.record == (
        "v=DMARC1; p=quarantine; sp=reject; pct=25; "
        "rua=mailto:dmarc@example.com,mailto:rua@reports.dmarcservice.example"
    )
    # RFC 7489 §7.1: only the external destination publishes the authorisation.
    assert draft.authorisations == (
        ("example.com._report._dmarc.reports.dmarcservice.example", "v=DMARC1"),
    )


@pytest.mark.parametrize(
    ("choices", "field"),
    [
        ({"policy": "block"}, "policy"),
        ({"policy": "none", "pct": 120}, "pct"),
        ({"policy": "none", "rua": "not an address"}, "rua"),
        ({"policy": "none", "subdomain_policy": "maybe"}, "subdomain_policy"),
    ],
)
def test_bad_choices_name_their_field(choices, field):
    with pytest.raises(InvalidDMARCChoice) as caught:
        dmarc_record(domain="example.com", **choices)
    assert caught.value.field == field


def report(resolver, domain):
    return asyncio.run(check_domain(domain, resolver=resolver)).to_dict()


def test_a_monitoring_domain_is_at_stage_one_with_quarantine_next(resolver):
    data = report(resolver, "acme.example")
    plan = data["dmarc_plan"]
    assert plan["current"] == "none" and plan["next_policy"] == "quarantine"
    assert [s["status"] for s in plan["stages"]] == ["current", "next", "later"]
    assert plan["stages"][1]["record"] == ("v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.example")
    # The sender seen in DNS (without the catalog: only the SPF include is known).
    assert {s["name"] for s in plan["to_align"]} == {"include:_spf.google.com"}
    # The change plan offers the next stage, not "nothing to change".
    row = data["change_plan"]["rows"][-1]
    assert row["value"] == "v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.example"
    assert row["replaces"] == ["v=DMARC1; p=none; rua=mailto:dmarc@acme.example"]
    assert row["recommended"]


def test_a_domain_without_dmarc_starts_monitoring_with_reports(resolver):
    data = report(resolver, "nodmarc-senders.example")
    assert data["dmarc_plan"]["current"] == "missing"
    row = data["change_plan"]["rows"][-1]
    assert row["value"] == "v=DMARC1; p=none; rua=mailto:dmarc-reports@nodmarc-senders.example"


def test_a_domain_that_does_not_exist_gets_no_plan(resolver):
    assert report(resolver, "nowhere-at-all.example")["dmarc_plan"] is None
