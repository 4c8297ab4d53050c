"""DMARC policy discovery over real DNS (the loopback test server)."""

import asyncio

import pytest

from sources.checker.dmarc import discover_dmarc, find_organisational_domain
from tests.checker.helpers import serve_everything


@pytest.fixture
def serve(dns_server):
    """Serve the given names (TXT unless a type is given) and NXDOMAIN for everything else."""
    serve_everything(dns_server)

    def add(records: dict[str, str | list[tuple[str, str]]]) -> None:
        dns_server.add_records(
            {
                name: [("TXT", value)] if isinstance(value, str) else value
                for name, value in records.items()
            },
            origin=".",
        )

    return add


def discover(resolver, domain):
    return asyncio.run(discover_dmarc(resolver, domain))


def test_it_finds_the_record_at_the_author_domain(serve, resolver):
    serve({"_dmarc.example.com": "v=DMARC1; p=reject; rua=mailto:d@example.com"})
    result = discover(resolver, "example.com")
    assert result.status == "found"
    assert (result.policy, result.policy_tag, result.policy_domain) == (
        "reject",
        "p",
        "example.com",
    )
    assert result.organisational_domain == "example.com"
    assert result.errors == ()


def test_an_existing_subdomain_inherits_sp_from_its_organisational_domain(serve, resolver):
    serve(
        {
            "_dmarc.example.com": "v=DMARC1; p=reject; sp=quarantine; np=none",
            "news.example.com": [("A", "192.0.2.1")],
        }
    )
    result = discover(resolver, "news.example.com")
    assert (result.policy, result.policy_tag, result.policy_domain) == (
        "quarantine",
        "sp",
        "example.com",
    )
    assert result.domain_exists is True


def test_a_non_existent_subdomain_gets_np(serve, resolver):
    serve({"_dmarc.example.com": "v=DMARC1; p=reject; sp=quarantine; np=none"})
    result = discover(resolver, "ghost.example.com")
    assert (result.policy, result.policy_tag, result.domain_exists) == ("none", "np", False)


def test_a_subdomain_that_is_a_dangling_cname_exists_and_gets_sp(serve, resolver):
    # NXDOMAIN at the end of a CNAME chain is about the target (RFC 6604).
    serve(
        {
            "_dmarc.example.com": "v=DMARC1; p=reject; sp=quarantine; np=none",
            "news.example.com": [("CNAME", "gone.example.com")],
        }
    )
    result = discover(resolver, "news.example.com")
    assert (result.policy, result.policy_tag, result.domain_exists) == ("quarantine", "sp", True)


def test_it_says_so_when_no_record_applies(serve, resolver):
    result = discover(resolver, "example.com")
    assert result.status == "none"
    assert result.policy is None
    assert not result.retryable
    assert any("no DMARC record applies" in warning for warning in result.warnings)


def test_multiple_records_at_one_name_mean_none_applies(serve, resolver):
    serve({"_dmarc.example.com": [("TXT", "v=DMARC1; p=reject"), ("TXT", "v=DMARC1; p=none")]})
    result = discover(resolver, "example.com")
    assert result.status == "multiple"
    assert result.policy is None
    assert any("2 DMARC records" in warning for warning in result.warnings)


def test_other_txt_records_beside_the_dmarc_record_are_ignored(serve, resolver):
    serve({"_dmarc.example.com": [("TXT", "v=DMARC1; p=reject"), ("TXT", "some verification")]})
    assert discover(resolver, "example.com").policy == "reject"


def test_an_unusable_record_at_the_author_domain_stops_dmarc(serve, resolver):
    serve(
        {
            "_dmarc.mail.example.com": "v=DMARC1; p=block",
            "_dmarc.example.com": "v=DMARC1; p=reject",
        }
    )
    result = discover(resolver, "mail.example.com")
    assert result.status == "invalid"
    assert "p=block" in result.errors[0]


@pytest.mark.parametrize("fault", ["timeout", "servfail", "refused"])
def test_it_reports_a_failed_lookup_as_retryable_not_missing(serve, dns_server, resolver, fault):
    dns_server.set_fault("_dmarc.example.com", fault)
    result = discover(resolver, "example.com")
    assert result.status == "error"
    assert result.retryable
    assert result.policy is None
    assert "not a missing record" in result.errors[0]


def test_a_failure_above_a_found_record_keeps_the_policy_but_flags_the_org_domain(
    serve, dns_server, resolver
):
    serve({"_dmarc.example.com": "v=DMARC1; p=reject"})
    dns_server.set_fault("_dmarc.com", "servfail")
    result = discover(resolver, "example.com")
    assert (result.status, result.policy) == ("found", "reject")
    assert result.retryable
    assert result.organisational_domain == "example.com"  # the Public Suffix List's answer
    assert any("_dmarc.com" in error for error in result.errors)


def test_it_flags_when_tree_walk_and_public_suffix_list_disagree(serve, resolver):
    serve({"_dmarc.mail.example.com": "v=DMARC1; p=reject; psd=n"})
    result = discover(resolver, "mail.example.com")
    assert result.organisational_domain == "mail.example.com"
    assert result.psl_organisational_domain == "example.com"
    assert any("Public Suffix List" in warning for warning in result.warnings)


def test_a_public_suffix_domain_policy_applies_below_an_organisational_domain(serve, resolver):
    serve({"_dmarc.bank.example": "v=DMARC1; p=reject; sp=quarantine; psd=y"})
    result = asyncio.run(discover_dmarc(resolver, "mail.mega.bank.example"))
    assert result.organisational_domain == "mega.bank.example"
    # The author domain does not exist and there is no np=, so sp= applies.
    assert (result.policy_domain, result.policy, result.policy_tag) == (
        "bank.example",
        "quarantine",
        "sp",
    )


def test_external_report_destinations_are_verified(serve, resolver):
    serve(
        {
            "_dmarc.example.com": (
                "v=DMARC1; p=reject; rua=mailto:d@example.com,mailto:a@reports.example.net,"
                "mailto:b@nobody.example.org; ruf=mailto:f@slow.example.org"
            ),
            "example.com._report._dmarc.reports.example.net": "v=DMARC1",
        }
    )
    result = discover(resolver, "example.com")
    statuses = {item.uri: item.status for item in result.report_destinations}
    assert statuses == {
        "mailto:d@example.com": "internal",
        "mailto:a@reports.example.net": "authorised",
        "mailto:b@nobody.example.org": "unauthorised",
        "mailto:f@slow.example.org": "unauthorised",
    }
    assert any("nobody.example.org has not agreed" in warning for warning in result.warnings)


def test_a_timeout_verifying_a_report_destination_is_an_error_not_a_refusal(
    serve, dns_server, resolver
):
    serve({"_dmarc.example.com": "v=DMARC1; p=reject; rua=mailto:a@reports.example.net"})
    dns_server.set_fault("example.com._report._dmarc.reports.example.net", "timeout")
    result = discover(resolver, "example.com")
    assert result.status == "found"
    assert [item.status for item in result.report_destinations] == ["error"]
    assert result.retryable


def test_only_the_first_ten_external_report_domains_are_verified(serve, resolver):
    # Each verification is a query; hundreds of rua addresses would spend the
    # check's whole query budget (receivers need only send to two).
    rua = ",".join(f"mailto:a@r{index}.example.org" for index in range(200))
    serve({"_dmarc.example.com": f"v=DMARC1; p=reject; rua={rua}"})
    result = discover(resolver, "example.com")
    statuses = [item.status for item in result.report_destinations]
    assert statuses == ["unauthorised"] * 10 + ["unchecked"] * 190
    assert resolver.stats.queries <= 8 + 1 + 2 + 10  # walk, MX, the record over TCP, checks
    assert any("190 report addresses were not verified" in item for item in result.warnings)


def test_the_walk_queries_are_sent_together_not_one_after_another(serve, dns_server, resolver):
    dns_server.latency = 0.2
    dns_server.reset_counters()
    result = discover(resolver, "a.b.c.d.e.f.g.h.example.com")
    assert len(result.queries) == 8
    # All eight wait on the server at once instead of one round trip each.
    assert dns_server.peak_in_flight >= 8


def test_the_organisational_domain_of_any_name_comes_from_the_tree_walk(serve, resolver):
    serve({"_dmarc.example.com": "v=DMARC1; p=none"})
    org = asyncio.run(find_organisational_domain(resolver, "bounce.mail.example.com"))
    assert (org.domain, org.psl_domain, org.error) == ("example.com", "example.com", None)
