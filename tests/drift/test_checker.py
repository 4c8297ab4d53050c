"""The checker's drift module against vendors' DNS on the loopback server."""

from __future__ import annotations

import asyncio

from sources.checker.dns import Resolver
from sources.checker.drift import Target, check_records, check_targets, targets_from_records
from tests.drift.conftest import serve_growing


def spf_include(name: str) -> dict:
    return {"type": "TXT", "check": "spf-include", "purpose": "spf", "value": f"include:{name}"}


def dkim_cname(value: str) -> dict:
    return {"type": "CNAME", "check": "dkim-key", "purpose": "dkim", "value": value}


def mx(value: str) -> dict:
    return {"type": "MX", "check": "equals", "purpose": "return-path", "value": value}


def run(resolver: Resolver, records: list[dict]):
    return asyncio.run(check_records(resolver, records))


def codes(report) -> list[tuple[str, str, str]]:
    return [(f.code, f.name, f.severity) for f in report.findings]


def test_only_fixed_values_are_targets_and_templates_are_counted():
    records = [
        spf_include("_spf.Steadymail.test."),
        spf_include("{envelope_domain}"),
        dkim_cname("dkim.steadymail.test"),
        dkim_cname("s2.u{account_id}.steadymail.test"),
        {"type": "CNAME", "check": "dkim-key", "purpose": "dkim", "value": ""},
        {"type": "TXT", "check": "dkim-key", "purpose": "dkim", "value": ""},  # a pasted key
        {"type": "TXT", "check": "equals", "purpose": "verification", "value": "token={t}"},
        {"type": "CNAME", "check": "equals", "purpose": "return-path", "value": "b.vendor.test"},
        {"type": "NS", "check": "equals", "purpose": "delegation", "value": "ns1.vendor.test"},
        {"type": "CNAME", "check": "equals", "purpose": "tracking", "value": "t.vendor.test"},
        mx("mx.vendor.test"),
        dkim_cname("dkim.steadymail.test"),  # the same target twice is resolved once
    ]
    targets, skipped = targets_from_records(records)
    assert targets == [
        Target("dkim", "dkim.steadymail.test"),
        Target("host", "t.vendor.test"),
        Target("mx", "mx.vendor.test"),
        Target("ns", "ns1.vendor.test"),
        Target("return-path", "b.vendor.test"),
        Target("spf-include", "_spf.steadymail.test"),
    ]
    assert skipped == 3


def test_a_healthy_vendor_has_no_findings(resolver):
    report = run(
        resolver,
        [
            spf_include("_spf.steadymail.test"),
            dkim_cname("dkim.steadymail.test"),
            {"type": "CNAME", "purpose": "return-path", "value": "bounce.steadymail.test"},
            mx("mx.steadymail.test"),
        ],
    )
    assert report.findings == []
    summaries = {r.target.name: r.summary for r in report.targets}
    assert summaries == {
        "_spf.steadymail.test": "costs 2 DNS lookups",
        "dkim.steadymail.test": "RSA key, 2048 bits",
        "bounce.steadymail.test": "SPF record, 2 DNS lookups",
        "mx.steadymail.test": "1 address",
    }


def test_a_dkim_target_that_is_gone_is_an_nxdomain_error(resolver):
    report = run(resolver, [dkim_cname("dkim.brokenpost.test")])
    assert codes(report) == [("target-nxdomain", "dkim.brokenpost.test", "error")]
    assert "does not exist (NXDOMAIN)" in report.findings[0].detail


def test_a_key_too_short_to_verify_and_a_host_without_address_are_errors(resolver):
    report = run(resolver, [dkim_cname("short.brokenpost.test"), mx("mx.brokenpost.test")])
    assert codes(report) == [
        ("host-no-address", "mx.brokenpost.test", "error"),
        ("dkim-key-too-short", "short.brokenpost.test", "error"),
    ]
    assert "512 bits" in report.findings[1].detail


def test_a_name_without_a_key_or_spf_is_missing_not_nxdomain(resolver):
    # _spf.brokenpost.test exists, with an SPF record and no DKIM key; mx.brokenpost.test
    # exists with a TXT record that is not SPF.
    report = run(resolver, [dkim_cname("_spf.brokenpost.test"), spf_include("mx.brokenpost.test")])
    assert codes(report) == [
        ("dkim-key-invalid", "_spf.brokenpost.test", "error"),
        ("spf-missing", "mx.brokenpost.test", "error"),
    ]


def test_an_include_costing_six_lookups_or_more_is_a_warning(dns_server, resolver):
    serve_growing(dns_server, 4)
    assert run(resolver, [spf_include("_spf.growing.test")]).findings == []
    serve_growing(dns_server, 7)
    fresh = Resolver([dns_server.address], timeout=2.0, retries=0)
    report = run(fresh, [spf_include("_spf.growing.test")])
    assert codes(report) == [("spf-include-costly", "_spf.growing.test", "warning")]
    assert report.targets[0].facts == {"lookups": 7, "void_lookups": 0}
    assert "leaving customers 3" in report.findings[0].detail


def test_a_timeout_is_a_failed_lookup_never_a_missing_record(dns_server):
    dns_server.set_fault("dkim.brokenpost.test", "timeout")
    dns_server.set_fault("mx.steadymail.test", "timeout")
    resolver = Resolver([dns_server.address], timeout=0.3, retries=0, time_budget=2)
    report = asyncio.run(
        check_targets(
            resolver,
            [Target("dkim", "dkim.brokenpost.test"), Target("mx", "mx.steadymail.test")],
        )
    )
    assert {(f.code, f.name, f.severity) for f in report.findings} == {
        ("lookup-failed", "dkim.brokenpost.test", "notice"),
        ("lookup-failed", "mx.steadymail.test", "notice"),
    }
