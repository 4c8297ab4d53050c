"""check_host() against the loopback DNS server: results, explanations, limits, hostile DNS."""

import asyncio

import pytest

from sources.checker.dns import Resolver
from sources.checker.spf import check_host, check_mail_from, split_sender

ZONE = {
    "example.test": [
        ("TXT", "v=spf1 ip4:192.0.2.0/24 include:_spf.vendor.test -all exp=why.example.test"),
        ("TXT", "google-site-verification=abc"),
    ],
    "why.example.test": [("TXT", "%{i} may not send as %{s} (see %{d})")],
    "_spf.vendor.test": [("TXT", "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:5::/48 ~all")],
    "soft.test": [("TXT", "v=spf1 ip4:192.0.2.1 ~all")],
    "helo.test": [("TXT", "v=spf1 a -all exp=why.example.test"), ("A", "203.0.113.9")],
    "nospf.test": [("TXT", "just some text")],
}


@pytest.fixture
def spf_zone(dns_server):
    dns_server.add_records(ZONE)
    return dns_server


def check(resolver, ip, sender, helo="mail.client.test", **options):
    return asyncio.run(check_host(resolver, ip, None, sender, helo, **options))


# -- results ---------------------------------------------------------------------


def test_it_passes_an_address_listed_in_the_record(spf_zone, resolver):
    result = check(resolver, "192.0.2.44", "alice@example.test")
    assert result.result == "pass"
    assert result.mechanism == "ip4:192.0.2.0/24"
    assert result.domain == "example.test"


def test_it_passes_an_address_listed_in_an_included_record(spf_zone, resolver):
    assert check(resolver, "198.51.100.7", "alice@example.test").result == "pass"
    assert check(resolver, "2001:db8:5::1", "alice@example.test").result == "pass"


def test_it_fails_other_addresses_and_expands_the_explanation(spf_zone, resolver):
    result = check(resolver, "203.0.113.5", "alice@example.test")
    assert result.result == "fail"
    assert result.explanation == "203.0.113.5 may not send as alice@example.test (see example.test)"
    assert result.mechanism == "-all"


def test_it_gives_softfail_from_tilde_all(spf_zone, resolver):
    assert check(resolver, "192.0.2.200", "bob@soft.test").result == "softfail"


def test_a_domain_without_spf_gets_none(spf_zone, resolver):
    assert check(resolver, "192.0.2.1", "x@nospf.test").result == "none"
    assert check(resolver, "192.0.2.1", "x@nowhere.test").result == "none"


def test_an_empty_sender_means_postmaster_at_the_helo_name(spf_zone, resolver):
    result = check(resolver, "192.0.2.1", "", helo="helo.test")
    assert result.result == "fail"
    assert result.domain == "helo.test"
    assert result.explanation == "192.0.2.1 may not send as postmaster@helo.test (see helo.test)"
    assert check(resolver, "203.0.113.9", "", helo="helo.test").result == "pass"


def test_a_local_part_the_idna_codec_cannot_read_is_handled_not_raised(dns_server, resolver):
    dns_server.add_records({"macro.test": [("TXT", "v=spf1 exists:%{l}.x.test -all")]})
    # Python's punycode decoder raises OverflowError on this label.
    result = check(resolver, "192.0.2.1", "xn--" + "9" * 40 + "ﬁ@macro.test")
    assert result.result == "fail"


def test_check_mail_from_uses_the_sender_domain(spf_zone, resolver):
    result = asyncio.run(check_mail_from(resolver, "192.0.2.9", "a@example.test", "helo.test"))
    assert (result.result, result.domain) == ("pass", "example.test")


def test_a_sender_without_local_part_is_postmaster():
    assert split_sender("@example.test", "h.test") == ("postmaster@example.test", "example.test")
    assert split_sender("", "h.test") == ("postmaster@h.test", "h.test")


def test_it_rejects_an_ip_that_is_not_an_address(resolver):
    with pytest.raises(ValueError):
        check(resolver, "not-an-ip", "a@example.test")


def test_the_result_is_json_ready(spf_zone, resolver):
    data = check(resolver, "192.0.2.44", "alice@example.test").to_dict()
    assert data["result"] == "pass"
    assert data["lookups"] == 0


def test_lookups_a_record_needs_are_started_together(dns_server, resolver):
    dns_server.add_records(
        {
            "wide.test": [
                ("TXT", "v=spf1 include:a.test include:b.test include:c.test include:d.test -all")
            ],
            "a.test": [("TXT", "v=spf1 ip4:10.0.0.1 -all")],
            "b.test": [("TXT", "v=spf1 ip4:10.0.0.2 -all")],
            "c.test": [("TXT", "v=spf1 ip4:10.0.0.3 -all")],
            "d.test": [("TXT", "v=spf1 ip4:10.0.0.4 -all")],
        }
    )
    dns_server.latency = 0.2
    dns_server.reset_counters()
    result = check(resolver, "10.0.0.4", "x@wide.test")
    assert result.result == "pass"
    # The four includes wait on the server together, not one after another.
    assert dns_server.peak_in_flight >= 4
    dns_server.latency = 0.0
    assert result.lookups == 4


# -- limits ----------------------------------------------------------------------


def test_more_than_ten_lookup_terms_is_a_permerror(dns_server, resolver):
    terms = " ".join(f"a:h{i}.limits.test" for i in range(11))
    records = {f"h{i}.limits.test": [("A", "10.9.9.9")] for i in range(11)}
    dns_server.add_records({"limits.test": [("TXT", f"v=spf1 {terms} -all")], **records})
    result = check(resolver, "192.0.2.1", "x@limits.test")
    assert result.result == "permerror"
    assert "more than 10" in result.reason
    assert result.lookups == 11


def test_a_third_void_lookup_is_a_permerror(dns_server, resolver):
    dns_server.add_records(
        {"void.test": [("TXT", "v=spf1 a:n1.void.test a:n2.void.test a:n3.void.test -all")]}
    )
    result = check(resolver, "192.0.2.1", "x@void.test")
    assert result.result == "permerror"
    assert result.void_lookups == 3


# -- hostile DNS -------------------------------------------------------------------


def test_an_include_loop_ends_in_permerror(dns_server, resolver):
    dns_server.add_records(
        {
            "loop-a.test": [("TXT", "v=spf1 include:loop-b.test -all")],
            "loop-b.test": [("TXT", "v=spf1 include:loop-a.test -all")],
        }
    )
    result = check(resolver, "192.0.2.1", "x@loop-a.test")
    assert result.result == "permerror"
    assert "more than 10" in result.reason
    assert resolver.stats.queries == 2  # every repeat is answered by the cache


def test_two_spf_records_are_a_permerror(dns_server, resolver):
    dns_server.add_records({"twice.test": [("TXT", "v=spf1 -all"), ("TXT", "v=spf1 +all")]})
    result = check(resolver, "192.0.2.1", "x@twice.test")
    assert result.result == "permerror"
    assert "2 SPF records" in result.reason


def test_garbage_bytes_in_the_record_are_a_permerror_with_position(dns_server, resolver):
    dns_server.add_records({"junk.test": [("TXT", b"v=spf1 ip4:192.0.2.1 \xff\xfe\x00 -all")]})
    result = check(resolver, "192.0.2.1", "x@junk.test")
    assert result.result == "permerror"
    assert "at character 21" in result.reason


def test_garbage_in_other_txt_records_is_ignored(dns_server, resolver):
    dns_server.add_records({"mixed.test": [("TXT", b"\x96\x00\xff"), ("TXT", "v=spf1 +all")]})
    assert check(resolver, "192.0.2.1", "x@mixed.test").result == "pass"


def test_a_4kb_record_split_over_many_strings_is_read_over_tcp(dns_server, resolver):
    blocks = [f"ip4:10.{i // 250}.{i % 250}.0/24" for i in range(230)]
    text = "v=spf1 " + " ".join(blocks) + " -all"
    assert len(text) > 4000
    dns_server.add_records({"big.test": [("TXT", text)]})
    assert check(resolver, "10.0.229.1", "x@big.test").result == "pass"
    assert resolver.stats.tcp_fallbacks == 1


@pytest.mark.parametrize("fault", ["servfail", "refused", "timeout"])
def test_dns_failure_on_the_record_is_temperror_never_none(dns_server, resolver, fault):
    dns_server.add_records(ZONE)
    dns_server.set_fault("example.test", fault)
    result = check(resolver, "192.0.2.1", "x@example.test")
    assert result.result == "temperror"
    assert dns_server.query_count <= 2  # one try (per transport), no retry loop


def test_dns_failure_inside_an_include_is_temperror(dns_server, resolver):
    dns_server.add_records(ZONE)
    dns_server.set_fault("_spf.vendor.test", "timeout")
    result = check(resolver, "203.0.113.1", "x@example.test")
    assert result.result == "temperror"
    assert "_spf.vendor.test" in result.reason


def test_a_50_long_cname_chain_is_temperror_not_none(dns_server, resolver):
    links = {f"c{i}.chain.test": [("CNAME", f"c{i + 1}.chain.test")] for i in range(50)}
    links["c50.chain.test"] = [("TXT", "v=spf1 +all")]
    dns_server.add_records(links)
    dns_server.add_records({"chained.test": [("TXT", "v=spf1 include:c0.chain.test -all")]})
    result = check(resolver, "192.0.2.1", "x@chained.test")
    assert result.result == "temperror"
    assert "CNAME" in result.reason or "error" in result.reason


def test_the_whole_evaluation_stops_at_its_time_limit(dns_server):
    chain = {f"slow{i}.test": [("TXT", f"v=spf1 include:slow{i + 1}.test -all")] for i in range(9)}
    dns_server.add_records(chain)
    dns_server.set_fault("slow9.test", "timeout")
    resolver = Resolver([dns_server.address], timeout=5.0, retries=3)
    result = check(resolver, "192.0.2.1", "x@slow0.test", time_limit=0.4)
    assert result.result == "temperror"
    assert "longer than 0.4" in result.reason
    # The limit, not the resolver's 5 s timeout and 3 retries, ended the wait.
    assert dns_server.log.count(("slow9.test", "TXT", "udp")) == 1
