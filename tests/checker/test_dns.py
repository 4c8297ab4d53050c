"""The DNS layer against a real server on loopback: answers, failures, and how they differ."""

import asyncio
import socket

import pytest

from sources.checker.dns import Answer, Resolver, normalise_name, parse_nameserver
from tests.checker.helpers import serve_everything
from tests.dnsserver import DNSServer
from tests.dnsserver_process import spawn_server


def run(coroutine):
    return asyncio.run(coroutine)


# -- answers -------------------------------------------------------------------


def test_it_returns_txt_records_as_text(resolver):
    answer = run(resolver.query("resolve.test", "TXT"))
    assert answer.ok
    assert answer.records == ("plain text", "v=spf1 ip4:192.0.2.0/24 -all")


def test_it_joins_character_strings_without_adding_spaces(resolver):
    answer = run(resolver.query("split.resolve.test", "TXT"))
    assert answer.records == ("v=spf1 include:a.resolve.test -all",)


def test_it_decodes_bytes_that_are_not_utf8_without_failing(resolver):
    answer = run(resolver.query("garbage.resolve.test", "TXT"))
    assert answer.ok
    assert answer.records == ("v=spf1 \xff\xfe\x00 -all",)


def test_it_decodes_utf8_text(resolver):
    assert run(resolver.query("utf8.resolve.test", "TXT")).records == ("café",)


def test_it_renders_mx_records_as_preference_and_lowercase_host(resolver):
    answer = run(resolver.query("resolve.test", "MX"))
    assert answer.records == ("10 mx1.resolve.test", "20 mx2.resolve.test")


def test_it_renders_addresses_and_names_as_text(resolver):
    assert run(resolver.query("resolve.test", "A")).records == ("192.0.2.10",)
    assert run(resolver.query("resolve.test", "AAAA")).records == ("2001:db8::10",)
    assert run(resolver.query("ptr.resolve.test", "PTR")).records == ("host.resolve.test",)


def test_it_normalises_the_queried_name(resolver):
    answer = run(resolver.query("  Resolve.TEST.  ", "txt"))
    assert (answer.name, answer.rdtype) == ("resolve.test", "TXT")
    assert answer.ok


# -- the kinds of "no" are kept apart ---------------------------------------------


def test_it_reports_a_name_that_does_not_exist_as_nxdomain(resolver):
    answer = run(resolver.query("nope.resolve.test", "TXT"))
    assert answer.status == "nxdomain"
    assert answer.is_missing and not answer.is_retryable


def test_it_reports_a_name_without_that_type_as_nodata(resolver):
    answer = run(resolver.query("mx1.resolve.test", "TXT"))
    assert answer.status == "nodata"
    assert answer.is_missing and not answer.is_retryable


def test_it_reports_an_empty_non_terminal_as_nodata(resolver):
    assert run(resolver.query("sub.resolve.test", "TXT")).status == "nodata"


@pytest.mark.parametrize("fault", ["servfail", "refused"])
def test_it_reports_server_failures_as_retryable_not_missing(dns_server, resolver, fault):
    dns_server.set_fault("resolve.test", fault)
    answer = run(resolver.query("resolve.test", "TXT"))
    assert answer.status == fault
    assert answer.is_retryable and not answer.is_missing and not answer.records


def test_it_reports_a_name_outside_the_servers_zones_as_refused(resolver):
    assert run(resolver.query("example.com", "A")).status == "refused"


def test_it_reports_timeout_not_missing(dns_server):
    dns_server.set_fault("resolve.test", "timeout")
    resolver = Resolver([dns_server.address], timeout=0.2, retries=1)
    answer = run(resolver.query("resolve.test", "TXT"))
    assert answer.status == "timeout"
    assert answer.is_retryable and not answer.is_missing
    assert dns_server.query_count == 2  # the first try and one retry


def test_a_fault_on_one_type_leaves_other_types_alone(dns_server, resolver):
    dns_server.set_fault("resolve.test", "servfail", rdtype="TXT")
    assert run(resolver.query("resolve.test", "TXT")).status == "servfail"
    assert run(resolver.query("resolve.test", "A")).ok


def test_it_reports_a_malformed_reply_as_an_error(dns_server, resolver):
    dns_server.set_fault("resolve.test", "malformed")
    answer = run(resolver.query("resolve.test", "TXT"))
    assert answer.status == "error"
    assert answer.is_retryable
    assert "bad response" in answer.reason


def test_it_asks_the_next_nameserver_when_the_first_stays_silent(dns_server):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as black_hole:
        black_hole.bind(("127.0.0.1", 0))
        silent = f"127.0.0.1:{black_hole.getsockname()[1]}"
        resolver = Resolver([silent, dns_server.address], timeout=0.2, retries=0)
        answer = run(resolver.query("resolve.test", "A"))
    assert answer.ok
    assert resolver.stats.timeouts == 1


def test_it_does_not_resend_to_a_server_that_answered_servfail(dns_server):
    dns_server.set_fault("resolve.test", "servfail")
    resolver = Resolver([dns_server.address], timeout=0.5, retries=3)
    assert run(resolver.query("resolve.test", "TXT")).status == "servfail"
    assert dns_server.query_count == 1


# -- transport -------------------------------------------------------------------


def test_it_retries_over_tcp_when_the_answer_is_truncated(dns_server, resolver):
    dns_server.set_fault("resolve.test", "truncate")
    answer = run(resolver.query("resolve.test", "TXT"))
    assert answer.ok
    assert len(answer.records) == 2
    assert [transport for *_, transport in dns_server.log] == ["udp", "tcp"]
    assert resolver.stats.tcp_fallbacks == 1
    assert resolver.stats.queries == 2


def test_it_fetches_a_4kb_txt_record_split_over_many_strings(dns_server, resolver):
    strings = [f"{i:02d}" + "x" * 253 for i in range(16)]
    dns_server.add_records({"big.resolve.test": [("TXT", strings)]}, origin="resolve.test")
    answer = run(resolver.query("big.resolve.test", "TXT"))
    assert answer.ok
    assert answer.records == ("".join(strings),)
    assert len(answer.records[0]) == 4080
    assert resolver.stats.tcp_fallbacks == 1


# -- cache, sharing and budget -------------------------------------------------------


def test_it_answers_a_repeated_query_from_its_cache(dns_server, resolver):
    first = run(resolver.query("resolve.test", "TXT"))
    second = run(resolver.query("RESOLVE.test.", "TXT"))
    assert first == second
    assert dns_server.query_count == 1
    assert resolver.stats.cache_hits == 1


def test_concurrent_identical_queries_send_one_query(dns_server, resolver):
    dns_server.latency = 0.05

    async def twenty_at_once() -> list[Answer]:
        return await asyncio.gather(*(resolver.query("resolve.test", "MX") for _ in range(20)))

    answers = run(twenty_at_once())
    assert {answer.records for answer in answers} == {
        ("10 mx1.resolve.test", "20 mx2.resolve.test")
    }
    assert dns_server.query_count == 1
    assert resolver.stats.queries == 1
    assert resolver.stats.cache_hits == 19


def test_independent_queries_overlap_instead_of_queueing(dns_server, resolver):
    dns_server.latency = 0.1
    names = ["resolve.test", "mx1.resolve.test", "mx2.resolve.test", "target.resolve.test"]

    async def all_at_once() -> list[Answer]:
        return await asyncio.gather(*(resolver.query(name, "A") for name in names))

    dns_server.reset_counters()
    answers = run(all_at_once())
    assert all(answer.ok for answer in answers)
    assert dns_server.peak_in_flight == 4
    assert resolver.stats.elapsed_ms >= 100


def test_a_cancelled_caller_does_not_cancel_the_shared_query(dns_server, resolver):
    dns_server.latency = 0.05

    async def one_gives_up() -> Answer:
        impatient = asyncio.ensure_future(resolver.query("resolve.test", "TXT"))
        patient = asyncio.ensure_future(resolver.query("resolve.test", "TXT"))
        await asyncio.sleep(0.01)
        impatient.cancel()
        return await patient

    assert run(one_gives_up()).ok
    assert dns_server.query_count == 1


def test_it_stops_sending_when_the_query_budget_is_spent(dns_server):
    resolver = Resolver([dns_server.address], timeout=0.5, retries=0, max_queries=3)
    names = ["resolve.test", "mx1.resolve.test", "mx2.resolve.test", "target.resolve.test"]
    answers = [run(resolver.query(name, "A")) for name in names]
    assert [answer.status for answer in answers] == ["ok", "ok", "ok", "error"]
    assert "budget" in answers[-1].reason
    assert answers[-1].is_retryable
    assert dns_server.query_count == 3


def test_it_gives_up_when_the_checks_time_budget_is_spent(dns_server):
    dns_server.set_fault("resolve.test", "timeout")
    resolver = Resolver([dns_server.address], timeout=5, retries=1, time_budget=0.3)
    answer = run(resolver.query("resolve.test", "TXT"))
    assert answer.status == "timeout" and answer.is_retryable
    later = run(resolver.query("mx1.resolve.test", "A"))
    assert later.status == "timeout" and "time budget" in later.reason
    assert dns_server.query_count == 1  # neither the retry nor the later query was sent


# -- CNAME chains --------------------------------------------------------------------


def test_it_reports_the_cname_chain_the_server_followed(resolver):
    answer = run(resolver.query("alias.resolve.test", "TXT"))
    assert answer.records == ("reached",)
    assert answer.cname_chain == ("alias2.resolve.test", "target.resolve.test")


def test_it_chases_a_cname_into_another_zone_itself(dns_server, resolver):
    answer = run(resolver.query("outside.resolve.test", "TXT"))
    assert answer.records == ("vendor landing",)
    assert answer.cname_chain == ("landing.vendor.test",)
    assert [name for name, *_ in dns_server.log] == ["outside.resolve.test", "landing.vendor.test"]


def test_a_cname_to_nowhere_is_nxdomain_with_its_chain(resolver):
    answer = run(resolver.query("dangling.resolve.test", "TXT"))
    assert answer.status == "nxdomain"
    assert answer.cname_chain == ("nowhere.resolve.test",)


def test_a_cname_target_without_the_type_is_nodata_without_asking_again(dns_server, resolver):
    answer = run(resolver.query("alias.resolve.test", "MX"))
    assert answer.status == "nodata"
    assert dns_server.query_count == 1


def test_a_cname_to_the_root_is_chased_and_answered_not_raised(dns_server, resolver):
    serve_everything(dns_server)
    dns_server.add_records({"to-root.resolve.test": [("CNAME", ".")]}, origin="resolve.test")
    answer = run(resolver.query("to-root.resolve.test", "TXT"))
    assert answer.status == "nodata"
    assert answer.cname_chain == (".",)


def test_asking_for_the_cname_itself_does_not_follow_it(resolver):
    answer = run(resolver.query("alias.resolve.test", "CNAME"))
    assert answer.records == ("alias2.resolve.test",)
    assert answer.cname_chain == ()


def test_it_reports_a_cname_loop_inside_a_zone_as_an_error(resolver):
    answer = run(resolver.query("loop1.resolve.test", "TXT"))
    assert answer.status == "error"
    assert "loop" in answer.reason


def test_it_reports_a_cname_loop_across_zones_as_an_error(dns_server, resolver):
    answer = run(resolver.query("loop-back.resolve.test", "TXT"))
    assert answer.status == "error"
    assert "loop" in answer.reason
    assert dns_server.query_count == 2


def test_it_caps_a_50_long_cname_chain_inside_one_zone(dns_server, resolver):
    links = {f"c{i}.chain.test": [("CNAME", f"c{i + 1}.chain.test")] for i in range(50)}
    links["c50.chain.test"] = [("TXT", "end")]
    dns_server.add_records(links, origin="chain.test")
    answer = run(resolver.query("c0.chain.test", "TXT"))
    assert answer.status == "error"
    assert "longer than 10" in answer.reason
    assert dns_server.query_count == 1


def test_it_caps_a_50_long_cname_chain_across_zones(dns_server, resolver):
    # Each link in its own zone, so the server never follows and the resolver
    # must stop itself after max_cname_depth hops.
    for i in range(50):
        dns_server.add_records(
            {f"c{i}.z{i}.test": [("CNAME", f"c{i + 1}.z{i + 1}.test")]}, origin=f"z{i}.test"
        )
    answer = run(resolver.query("c0.z0.test", "TXT"))
    assert answer.status == "error"
    assert len(answer.cname_chain) == 11
    assert dns_server.query_count == 11


def test_a_chain_within_the_depth_limit_is_followed_to_the_end(dns_server):
    links = {f"c{i}.z{i}.test": [("CNAME", f"c{i + 1}.z{i + 1}.test")] for i in range(3)}
    for i in range(3):
        dns_server.add_records({f"c{i}.z{i}.test": links[f"c{i}.z{i}.test"]}, origin=f"z{i}.test")
    dns_server.add_records({"c3.z3.test": [("TXT", "end")]}, origin="z3.test")
    resolver = Resolver([dns_server.address], timeout=0.5, max_cname_depth=3)
    answer = run(resolver.query("c0.z0.test", "TXT"))
    assert answer.records == ("end",)
    assert len(answer.cname_chain) == 3


# -- names -----------------------------------------------------------------------


def test_it_converts_idn_names_to_a_labels(dns_server, resolver):
    answer = run(resolver.query("Bücher.Resolve.Test.", "TXT"))
    assert answer.name == "xn--bcher-kva.resolve.test"
    assert answer.records == ("idn ok",)
    assert dns_server.log[0][0] == "xn--bcher-kva.resolve.test"


@pytest.mark.parametrize(
    "name",
    [
        "",
        ".",
        "a..resolve.test",
        "x" * 64 + ".resolve.test",
        "xn--" + "9" * 40 + "ﬁ.test",  # the IDNA codec overflows on it
    ],
)
def test_it_answers_an_invalid_name_with_an_error_without_sending(dns_server, resolver, name):
    answer = run(resolver.query(name, "TXT"))
    assert answer.status == "error"
    assert answer.reason
    assert dns_server.query_count == 0


def test_it_refuses_record_types_it_does_not_render(resolver):
    with pytest.raises(ValueError, match="unsupported record type"):
        run(resolver.query("resolve.test", "HINFO"))


def test_normalise_name_gives_the_lowercase_a_label():
    assert normalise_name("Bücher.Example.") == "xn--bcher-kva.example"
    with pytest.raises(ValueError):
        normalise_name("bad..name")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("192.0.2.1", ("192.0.2.1", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("[::1]:5353", ("::1", 5353)),
        ("2001:db8::1", ("2001:db8::1", 53)),
    ],
)
def test_it_reads_nameservers_with_or_without_a_port(spec, expected):
    assert parse_nameserver(spec) == expected


@pytest.mark.parametrize("spec", ["", "ns.example.com", "127.0.0.1:0", "127.0.0.1:x", "[::1"])
def test_it_rejects_nameservers_that_are_not_addresses(spec):
    with pytest.raises(ValueError):
        parse_nameserver(spec)


def test_without_nameservers_it_uses_the_system_resolver():
    assert Resolver().nameservers


def test_the_server_can_be_started_twice_on_separate_ports():
    with DNSServer() as one, DNSServer() as two:
        assert one.port != two.port


def test_a_server_process_answers_a_burst_of_queries_without_dropping_any():
    # Benchmarks run the server in a child process; a burst larger than the
    # default socket buffer used to be dropped and show up as timeouts.
    zone = "$ORIGIN burst.test.\n@ SOA ns hostmaster 1 3600 600 86400 300\n"
    zone += "".join(f"n{i} A 192.0.2.1\n" for i in range(2000))
    server = spawn_server()
    try:
        server.add_zone_text(zone)
        resolver = Resolver([server.address], timeout=10.0, retries=0, max_queries=2000)

        async def burst() -> list[Answer]:
            names = [f"n{i}.burst.test" for i in range(2000)]
            return await asyncio.gather(*(resolver.query(name, "A") for name in names))

        answers = run(burst())
        assert resolver.stats.timeouts == 0
        assert all(answer.ok for answer in answers)
        assert server.query_count == 2000
    finally:
        server.stop()
