"""Hostile or broken DNS yields a structured report, never an exception or a false "missing"."""

import asyncio

from sources.checker.check import check_domain
from sources.checker.dns import Resolver
from tests.checker.helpers import POSTLARK


def check(resolver, domain, **options):
    return asyncio.run(
        check_domain(
            domain,
            vendor=options.get("vendor", POSTLARK),
            method_kind=options.get("kind"),
            params=options.get("params", {"account_id": "4242"}),
            resolver=resolver,
        )
    )


def test_garbage_in_the_dmarc_and_spf_records_is_reported_not_raised(dns_server, resolver):
    dns_server.add_records(
        {
            "_dmarc.junk.example": [("TXT", b"v=DMARC1; p=\xff\xfe\x00; rua=\x07")],
            "junk.example": [
                ("TXT", b"v=spf1 \xff include:\x00 -all"),
                ("MX", (10, "mx.junk.example")),
            ],
        },
        origin="example.",
    )
    report = check(resolver, "junk.example", vendor=None)
    assert report.dmarc.status == "invalid"
    assert report.spf.status == "invalid"
    assert report.verdict == "fail"
    report.to_dict()  # serialisable, whatever the bytes were


def test_a_huge_txt_record_is_fetched_over_tcp_and_judged(dns_server, resolver):
    huge = "v=spf1 " + " ".join(f"ip4:192.0.2.{i}" for i in range(1, 255)) + " -all"
    dns_server.add_records({"huge.example": [("TXT", huge)]}, origin="example.")
    report = check(resolver, "huge.example", vendor=None)
    assert report.spf.record == huge
    assert report.spf.status == "ok"


def test_a_cname_loop_at_a_selector_is_an_error_not_a_missing_key(dns_server, resolver):
    dns_server.add_records(
        {
            "s1._domainkey.loop.example": [("CNAME", "s2._domainkey.loop.example")],
            "s2._domainkey.loop.example": [("CNAME", "s1._domainkey.loop.example")],
        },
        origin="example.",
    )
    report = check(resolver, "loop.example")
    dkim = {item.id: item for item in report.requirements if item.purpose == "dkim"}
    assert {item.status for item in dkim.values()} == {"error"}
    assert all("loop" in item.message.lower() for item in dkim.values())
    assert report.verdict == "error"


def test_an_include_loop_in_spf_fails_the_include_check(dns_server, resolver):
    dns_server.add_records(
        {
            "spin.example": [
                ("TXT", "v=spf1 include:_spf.postlark.test include:a.spin.example -all")
            ],
            "a.spin.example": [("TXT", "v=spf1 include:spin.example -all")],
        },
        origin="example.",
    )
    report = check(resolver, "spin.example", kind="spf-include", params={})
    spf = report.requirements[0]
    assert spf.status == "fail"
    assert "loop" in spf.message
    assert report.verdict == "fail"


def test_a_server_that_answers_garbage_is_an_error(dns_server, resolver):
    dns_server.set_fault("_dmarc.good.example", "malformed")
    report = check(resolver, "good.example", vendor=None)
    assert report.dmarc.status == "error"
    assert report.verdict == "error"


def test_a_timeout_inside_a_cname_chain_is_an_error_not_a_wrong_target(dns_server, resolver):
    # Each hop in another zone, so the resolver chases them one by one.
    dns_server.add_records({"bounces.hops.example": [("CNAME", "hop.resolve.test")]}, "example.")
    dns_server.add_records({"hop.resolve.test": [("CNAME", "hop.vendor.test")]}, "resolve.test.")
    dns_server.add_records(
        {"hop.vendor.test": [("CNAME", "u4242.bounces.postlark.test")]}, "vendor.test."
    )
    dns_server.set_fault("hop.vendor.test", "timeout")
    report = check(resolver, "hops.example")
    return_path = next(item for item in report.requirements if item.id == "return-path")
    assert return_path.status == "error"
    assert return_path.fix is None
    assert "retry" in return_path.message


def test_a_deep_include_chain_on_a_slow_server_ends_within_the_time_budget(dns_server):
    chain = {
        f"d{i}.deep.example": [("TXT", f"v=spf1 include:d{i + 1}.deep.example -all")]
        for i in range(60)
    }
    chain["deep.example"] = [("TXT", "v=spf1 include:d0.deep.example -all")]
    dns_server.add_records(chain, origin="example.")
    dns_server.latency = 0.05  # 61 records one after another: 3 s
    resolver = Resolver([dns_server.address], timeout=0.5, retries=0, time_budget=1.0)
    report = check(resolver, "deep.example", vendor=None)
    # The budget stops the walk long before the 61 records of the chain.
    assert dns_server.query_count < 61
    assert any("time budget" in error for error in report.spf.errors)
    assert report.verdict == "error"
