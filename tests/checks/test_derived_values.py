"""Values derived from the domain: Microsoft 365's DKIM targets carry the domain with dashes.

Domains from tests/zones/senders-customers.zone; the vendor is the catalog file.
"""

import asyncio

from sources.checker import Resolver, check_domain
from sources.services.checks import vendor_file_data


def microsoft(dns_server, domain):
    report = asyncio.run(
        check_domain(
            domain,
            resolver=Resolver([dns_server.address], timeout=0.5),
            vendor=vendor_file_data("microsoft-365"),
        )
    )
    return {r.id: r for r in report.requirements}, report


def test_a_target_named_after_the_domain_passes_without_typing(dns_server):
    results, report = microsoft(dns_server, "fjordline.example")
    assert results["dkim-selector1"].status == "pass"
    assert results["dkim-selector2"].status == "pass"
    # The expected target is the pattern with the domain filled in, not a generic one.
    assert "fjordline" in results["dkim-selector1"].expected
    assert report.verdict == "pass"


def test_targets_copied_from_another_domain_fail(dns_server):
    results, report = microsoft(dns_server, "copycat.example")
    assert results["dkim-selector1"].status == "fail"
    assert "points to selector1-fjordline-example" in results["dkim-selector1"].message
    assert report.verdict == "fail"
