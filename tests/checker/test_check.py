"""check_domain end to end: realistic set-ups served from tests/zones/ over real DNS.

The customer domains live in tests/zones/example.zone and the fictional vendor
PostLark in tests/zones/postlark.test.zone; the vendor's catalog entry is
tests/checker/helpers.py:POSTLARK.
"""

import asyncio
import copy

import pytest

from sources.checker.check import UnknownMethod, check_domain, pick_method
from sources.checker.domains import InvalidDomain
from sources.checker.requirements import InvalidParameter
from tests.checker.helpers import POSTLARK

ACCOUNT = {"account_id": "4242"}


def check(resolver, domain, *, kind=None, params=None, vendor=POSTLARK, only=None):
    if params is None:  # the account number, for the methods that take it
        method = pick_method(vendor, kind) if vendor else None
        names = {parameter.name for parameter in method.parameters} if method else set()
        params = {name: value for name, value in ACCOUNT.items() if name in names}
    return asyncio.run(
        check_domain(
            domain, vendor=vendor, method_kind=kind, params=params, resolver=resolver, only=only
        )
    )


def statuses(report):
    return {item.id: item.status for item in report.requirements}


def requirement(report, record_id):
    return next(item for item in report.requirements if item.id == record_id)


def test_a_fully_correct_setup_passes_through_both_routes(resolver):
    report = check(resolver, "good.example")
    assert report.verdict == "pass"
    assert report.dmarc_pass_routes == ["dkim", "spf"]
    assert set(statuses(report).values()) == {"pass"}
    assert report.dkim["s1"].status == "found" and report.dkim["s1"].bits == 2048
    assert report.dkim["s1"].cname_target == "s1.domainkey.u4242.postlark.test"
    assert report.headline == (
        "Mail that PostLark sends for good.example will pass DMARC through DKIM and SPF alignment."
    )
    assert report.to_dict()["summary"] == report.headline  # the older key, the same sentence


def test_one_missing_dkim_selector_makes_it_partial_with_the_exact_fix(resolver):
    report = check(resolver, "missing-s2.example")
    assert report.verdict == "partial"
    assert report.dmarc_pass_routes == ["spf"]
    missing = requirement(report, "dkim-s2")
    assert missing.status == "fail"
    assert missing.observed == ()
    assert missing.fix == (
        "s2._domainkey.missing-s2.example. 3600 IN CNAME s2.domainkey.u4242.postlark.test."
    )
    assert report.dkim["s2"].status == "missing"


def test_a_cname_to_the_wrong_target_fails_and_shows_what_is_there(resolver):
    report = check(resolver, "wrong-cname.example")
    assert report.verdict == "partial"
    assert report.dmarc_pass_routes == ["dkim"]
    wrong = requirement(report, "return-path")
    assert wrong.status == "fail"
    assert wrong.expected == "CNAME u4242.bounces.postlark.test"
    assert wrong.observed == ("CNAME u9999.bounces.postlark.test",)
    assert wrong.fix == "bounces.wrong-cname.example. 3600 IN CNAME u4242.bounces.postlark.test."


def test_spf_over_the_lookup_limit_fails_the_include_even_though_it_is_there(resolver):
    report = check(resolver, "spf-heavy.example", kind="spf-include")
    assert report.verdict == "fail"
    spf = requirement(report, "spf")
    assert spf.status == "fail"
    assert "includes _spf.postlark.test" in spf.message and "16" in spf.message
    assert spf.fix is None  # one more include would only make it worse
    assert report.spf.lookups == 16
    assert report.spf.status == "invalid"


def test_the_spf_include_method_passes_and_proposes_the_merged_record_when_missing(resolver):
    assert check(resolver, "good.example", kind="spf-include").verdict == "pass"
    report = check(resolver, "bare.example", kind="spf-include")
    assert report.verdict == "fail"
    assert requirement(report, "spf").fix == (
        'bare.example. 3600 IN TXT "v=spf1 mx include:_spf.postlark.test -all"'
    )


@pytest.mark.parametrize(
    "record",
    [
        "v=spf1 ~include:_spf.postlark.test -all",
        "v=spf1 -all include:_spf.postlark.test",
    ],
)
def test_an_spf_include_that_can_never_pass_is_not_in_place(dns_server, resolver, record):
    dns_server.add_records({"never.example": [("TXT", record)]}, origin="example.")
    report = check(resolver, "never.example", kind="spf-include")
    spf = requirement(report, "spf")
    assert spf.status == "fail"
    assert "cannot give a pass" in spf.message
    assert spf.fix == 'never.example. 3600 IN TXT "v=spf1 include:_spf.postlark.test -all"'
    assert report.verdict == "fail" and report.dmarc_pass_routes == []


def test_without_a_dmarc_record_the_routes_are_judged_by_the_public_suffix_list(resolver):
    report = check(resolver, "no-dmarc.example")
    assert report.dmarc.status == "none"
    assert report.verdict == "pass"
    assert report.dmarc_pass_routes == ["dkim", "spf"]
    assert "has no usable DMARC policy yet" in report.headline


def test_p_none_is_reported_as_monitoring_only(resolver):
    report = check(resolver, "monitor.example")
    assert report.dmarc.policy == "none"
    assert any("only monitors" in warning for warning in report.dmarc.warnings)
    assert "p=none" in report.headline


def test_a_subdomain_inherits_sp_from_its_organisational_domain(resolver):
    report = check(resolver, "news.parent.example")
    assert (report.dmarc.policy, report.dmarc.policy_tag) == ("quarantine", "sp")
    assert report.dmarc.policy_domain == "parent.example"
    assert report.dmarc.organisational_domain == "parent.example"
    assert report.verdict == "pass"


def test_strict_spf_alignment_rules_out_a_bounce_subdomain(resolver):
    report = check(resolver, "strict.example")
    assert report.dmarc_pass_routes == ["dkim"]
    spf_route = next(route for route in report.routes if route.kind == "spf")
    assert spf_route.in_place and spf_route.aligned is False
    assert "strict" in spf_route.detail


@pytest.mark.parametrize(("adkim", "aligned"), [("r", True), ("s", False)])
def test_a_dkim_key_under_a_subdomain_aligns_only_under_relaxed_adkim(
    dns_server, resolver, adkim, aligned
):
    vendor = {
        "slug": "subkey",
        "methods": [
            {
                "kind": "cname-delegation",
                "records": [
                    {
                        "id": "dkim",
                        "type": "CNAME",
                        "host": "s1._domainkey.mail.{domain}",
                        "value": "s1.domainkey.u4242.postlark.test",
                        "check": "dkim-key",
                        "purpose": "dkim",
                        "selector": "s1",
                    }
                ],
            }
        ],
    }
    dns_server.add_records(
        {
            "_dmarc.subkey.example": [("TXT", f"v=DMARC1; p=reject; adkim={adkim}")],
            "s1._domainkey.mail.subkey.example": [("CNAME", "s1.domainkey.u4242.postlark.test")],
        },
        origin="example.",
    )
    report = check(resolver, "subkey.example", vendor=vendor)
    (route,) = report.routes
    assert (route.kind, route.domain, route.in_place) == ("dkim", "mail.subkey.example", True)
    assert route.aligned is aligned
    assert report.verdict == ("pass" if aligned else "fail")


def test_subdomain_delegation_gives_both_routes(resolver):
    report = check(resolver, "delegated.example", kind="subdomain-ns")
    assert report.verdict == "pass"
    assert report.dmarc_pass_routes == ["dkim", "spf"]


def test_nothing_in_place_fails_with_a_fix_for_every_record(resolver):
    report = check(resolver, "bare.example")
    assert report.verdict == "fail"
    assert report.dmarc_pass_routes == []
    assert all(item.fix for item in report.requirements)


def test_a_name_that_times_out_is_an_error_never_missing(dns_server, resolver):
    for host in ("s1._domainkey", "s2._domainkey", "bounces"):
        dns_server.set_fault(f"{host}.slow.example", "timeout")
    report = check(resolver, "slow.example")
    assert report.verdict == "error"
    assert statuses(report) == {
        "dkim-s1": "error",
        "dkim-s2": "error",
        "return-path": "error",
        "tracking": "pass",
    }
    for record_id in ("dkim-s1", "dkim-s2", "return-path"):
        item = requirement(report, record_id)
        assert item.fix is None
        assert "missing" not in item.message and "retry" in item.message
    assert report.dkim["s1"].status == "error"
    assert "temporary" in report.headline


def test_a_timeout_on_one_route_still_lets_the_other_pass_but_not_fully(dns_server, resolver):
    dns_server.set_fault("bounces.slow.example", "servfail")
    report = check(resolver, "slow.example")
    assert report.verdict == "partial"
    assert report.dmarc_pass_routes == ["dkim"]
    assert requirement(report, "return-path").status == "error"


def test_a_dmarc_timeout_makes_relaxed_only_routes_unknown(dns_server, resolver):
    dns_server.set_fault("_dmarc.good.example", "timeout")
    report = check(resolver, "good.example")
    assert report.dmarc.status == "error"
    # The DKIM d= domain is good.example itself, aligned in either mode.
    assert report.verdict == "pass"
    assert "dkim" in report.dmarc_pass_routes


def optional_account() -> dict:
    """PostLark with its account number made optional."""
    vendor = copy.deepcopy(POSTLARK)
    for method in vendor["methods"]:
        for parameter in method.get("parameters") or []:
            parameter["required"] = False
    return vendor


def test_without_optional_parameters_the_account_value_is_read_from_dns(resolver):
    report = check(resolver, "good.example", params={}, vendor=optional_account())
    # The return-path CNAME matched its pattern; its target gives the account number,
    # which then makes every record of the account an exact check.
    assert report.found_values == {"account_id": "4242"}
    assert requirement(report, "return-path").status == "pass"
    assert requirement(report, "return-path").expected == "CNAME u4242.bounces.postlark.test"
    assert requirement(report, "dkim-s1").status == "pass"
    assert requirement(report, "tracking").status == "pass"


def test_without_a_vendor_it_reports_on_the_domain_itself(resolver):
    report = check(resolver, "good.example", vendor=None, params={})
    assert report.vendor is None and report.requirements == []
    assert report.verdict == "pass"
    assert report.mx.records == ("10 mx.good.example",)
    assert check(resolver, "monitor.example", vendor=None, params={}).verdict == "partial"


def test_a_domain_without_dmarc_fails_the_generic_check(resolver):
    report = check(resolver, "no-dmarc.example", vendor=None, params={})
    assert report.verdict == "fail"


def test_only_limits_the_report_to_the_named_checks(resolver):
    report = check(resolver, "good.example", only={"dkim"})
    assert report.spf is None and report.mx is None and report.dmarc is None
    assert set(statuses(report)) == {"dkim-s1", "dkim-s2"}
    assert set(report.dkim) == {"s1", "s2"}
    assert report.dmarc_pass_routes == ["dkim"]


def test_an_mx_lookup_that_failed_is_an_error_not_a_pass(dns_server, resolver):
    dns_server.set_fault("good.example", "timeout", rdtype="MX")
    report = check(resolver, "good.example", vendor=None, params={}, only={"mx"})
    assert report.mx.status == "error"
    assert report.verdict == "error"


def test_methods_without_records_fall_back_to_the_generic_report(resolver):
    report = check(resolver, "good.example", kind="smtp-relay")
    assert report.method["kind"] == "smtp-relay"
    assert report.requirements == []
    assert "has no DNS records to check for this method" in report.headline


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"domain": "localhost"}, InvalidDomain),
        ({"domain": "good.example", "params": {"account_id": "abc"}}, InvalidParameter),
        ({"domain": "good.example", "kind": "carrier-pigeon"}, UnknownMethod),
        ({"domain": "good.example", "only": {"dns"}}, ValueError),
    ],
)
def test_bad_input_raises_before_any_lookup(dns_server, resolver, arguments, error):
    domain = arguments.pop("domain")
    with pytest.raises(error):
        check(resolver, domain, **arguments)
    assert dns_server.query_count == 0


def test_pasted_input_is_normalised(resolver):
    report = check(resolver, "https://Good.Example/pricing", vendor=None, params={})
    assert report.domain == "good.example"


def test_all_lookups_of_a_check_run_concurrently(dns_server, resolver):
    dns_server.latency = 0.1
    report = check(resolver, "good.example")
    assert report.verdict == "pass"
    # The longest lookup chain is two round trips (the selector's CNAME, then
    # the key in the vendor's zone); 13 queries one after another would be 1.3 s.
    assert report.queries >= 10
    assert report.elapsed_ms < 100 * 6
