"""check_many: bulk checks with bounded concurrency and memory, and the report's JSON shape."""

import asyncio
import contextlib
import json

from sources.checker.check import check_domain, check_many
from sources.checker.dns import Resolver
from tests.checker.helpers import POSTLARK

DOMAINS = ["good.example", "missing-s2.example", "bare.example", "not a domain", "monitor.example"]


def collect(dns_server, domains, **options):
    async def run():
        reports = []
        async for report in check_many(
            domains,
            resolver_factory=lambda: Resolver([dns_server.address], timeout=2.0, retries=0),
            **options,
        ):
            reports.append(report)
        return reports

    return asyncio.run(run())


def test_it_checks_every_domain_and_reports_bad_input_in_place(dns_server):
    reports = collect(
        dns_server, DOMAINS, vendor=POSTLARK, params={"account_id": "4242"}, concurrency=2
    )
    verdicts = {report.domain: report.verdict for report in reports}
    assert verdicts == {
        "good.example": "pass",
        "missing-s2.example": "partial",
        "bare.example": "fail",
        "not a domain": "error",
        "monitor.example": "pass",
    }
    bad = next(report for report in reports if report.domain == "not a domain")
    assert "not allowed" in bad.input_error
    assert bad.to_dict()["input_error"] == bad.input_error


def test_it_reads_input_lazily_and_keeps_at_most_concurrency_checks_in_flight(dns_server):
    pulled = 0

    def endless():
        nonlocal pulled
        while True:
            pulled += 1
            yield "good.example"

    async def first_report():
        generator = check_many(
            endless(),
            resolver_factory=lambda: Resolver([dns_server.address], timeout=2.0, retries=0),
            concurrency=3,
        )
        async with contextlib.aclosing(generator):
            async for report in generator:
                return report

    report = asyncio.run(first_report())
    assert report.verdict == "pass"
    assert pulled <= 3


def test_it_accepts_an_async_iterable(dns_server):
    async def domains():
        for name in ("good.example", "bare.example"):
            yield name

    reports = collect(dns_server, domains(), concurrency=5)
    assert sorted(report.domain for report in reports) == ["bare.example", "good.example"]


def test_the_json_has_the_documented_shape(resolver):
    report = asyncio.run(
        check_domain(
            "missing-s2.example",
            vendor=POSTLARK,
            method_kind=None,
            params={"account_id": "4242"},
            resolver=resolver,
        )
    )
    data = json.loads(json.dumps(report.to_dict()))
    assert {
        "domain",
        "vendor",
        "verdict",
        "dmarc_pass_routes",
        "requirements",
        "spf",
        "dmarc",
        "dkim",
        "stats",
    } <= set(data)
    assert data["domain"] == "missing-s2.example"
    assert data["vendor"] == "postlark"
    assert data["verdict"] == "partial"
    assert data["dmarc_pass_routes"] == ["spf"]
    assert data["summary"] and data["method"]["kind"] == "cname-delegation"
    for item in data["requirements"]:
        assert {"id", "purpose", "status", "expected", "observed", "fix"} <= set(item)
        assert item["status"] in ("pass", "fail", "warn", "error")
        assert isinstance(item["observed"], list)
    assert {"record", "lookups", "void_lookups", "errors", "warnings", "tree"} <= set(data["spf"])
    assert {"record", "policy", "organisational_domain", "warnings"} <= set(data["dmarc"])
    assert data["dmarc"]["policy"] == "reject"
    assert set(data["dkim"]) == {"s1", "s2"}
    assert {"status", "key_type", "bits", "warnings"} <= set(data["dkim"]["s1"])
    assert data["dkim"]["s2"]["status"] == "missing"
    assert data["stats"]["queries"] > 0 and data["stats"]["elapsed_ms"] > 0
