"""spf_tree() and spf_authorises(): a domain's record with everything it includes."""

import asyncio
import json

import pytest

from sources.checker.dns import Resolver
from sources.checker.spf import spf_authorises, spf_tree

# A customer with two vendors, one of which nests two levels further.
CUSTOMER = {
    "customer.test": [
        ("TXT", "v=spf1 mx include:_spf.crm.test include:mail.billing.test ~all"),
        ("MX", "10 mx.customer.test"),
    ],
    "mx.customer.test": [("A", "192.0.2.25")],
    "_spf.crm.test": [("TXT", "v=spf1 include:_ips1.crm.test include:_ips2.crm.test ~all")],
    "_ips1.crm.test": [("TXT", "v=spf1 ip4:198.51.100.0/24 include:_ips3.crm.test -all")],
    "_ips2.crm.test": [("TXT", "v=spf1 ip6:2001:db8:c::/48 -all")],
    "_ips3.crm.test": [("TXT", "v=spf1 ip4:203.0.113.0/25 -all")],
    "mail.billing.test": [("TXT", "v=spf1 a:out.billing.test -all")],
    "out.billing.test": [("A", "203.0.113.200")],
}


@pytest.fixture
def customer(dns_server):
    dns_server.add_records(CUSTOMER)
    return dns_server


def tree_of(resolver, domain, **options):
    return asyncio.run(spf_tree(resolver, domain, **options))


def node(tree, domain):
    return next(n for n in tree.nodes() if n.domain == domain)


def test_it_follows_every_include_and_counts_lookups_per_branch(customer, resolver):
    tree = tree_of(resolver, "Customer.TEST.")
    assert tree.domain == "customer.test"
    assert tree.record == "v=spf1 mx include:_spf.crm.test include:mail.billing.test ~all"
    assert tree.result == "ok"
    assert tree.lookups == 7  # mx, 2 includes; crm: 2 + 1 nested; billing: a
    assert node(tree, "_spf.crm.test").branch_lookups == 3
    assert node(tree, "mail.billing.test").branch_lookups == 1
    assert node(tree, "_ips3.crm.test").via == "include"
    assert tree.errors == [] and tree.warnings == []


def test_records_of_one_level_are_fetched_concurrently(customer, resolver):
    customer.latency = 0.2
    customer.reset_counters()
    tree = tree_of(resolver, "customer.test")
    assert tree.result == "ok"
    # The MX and both includes of the top record wait on the server together.
    assert customer.peak_in_flight >= 3


def test_void_checks_run_alongside_the_includes_not_after_them(dns_server, resolver):
    dns_server.add_records(
        {
            "mixed.test": [("TXT", "v=spf1 mx a:out.mixed.test include:x.test -all")],
            "x.test": [("TXT", "v=spf1 include:y.test -all")],
            "y.test": [("TXT", "v=spf1 ip4:192.0.2.0/24 -all")],
        }
    )
    dns_server.latency = 0.2
    dns_server.reset_counters()
    tree = tree_of(resolver, "mixed.test")
    assert tree.void_lookups == 2
    # The MX and A checks are in flight together with the include's record.
    assert dns_server.peak_in_flight >= 3


def test_the_tree_is_json_serialisable(customer, resolver):
    data = json.loads(json.dumps(tree_of(resolver, "customer.test").to_dict()))
    assert data["lookups"] == 7
    assert data["tree"]["children"][0]["children"][0]["domain"] == "_ips1.crm.test"


def test_spf_authorises_finds_includes_at_any_depth(customer, resolver):
    tree = tree_of(resolver, "customer.test")
    assert spf_authorises(tree, "_spf.crm.test")
    assert spf_authorises(tree, "_IPS3.crm.test.")
    assert not spf_authorises(tree, "crm.test")
    assert spf_authorises(tree, "crm.test", subdomains=True)
    assert not spf_authorises(tree, "customer.test")  # the root is not an include
    assert not spf_authorises(tree, "other.test")


def test_spf_authorises_only_includes_whose_pass_is_a_pass(dns_server, resolver):
    vendor = [("TXT", "v=spf1 ip4:198.51.100.0/24 -all")]
    dns_server.add_records(
        {
            "quals.test": [
                (
                    "TXT",
                    "v=spf1 -include:minus.test ~include:soft.test ?include:neutral.test "
                    "include:outer.test +include:plus.test -all include:late.test",
                )
            ],
            "outer.test": [("TXT", "v=spf1 ~include:nested.test include:inner.test -all")],
            **{
                f"{name}.test": vendor
                for name in ("minus", "soft", "neutral", "plus", "late", "nested", "inner")
            },
        }
    )
    tree = tree_of(resolver, "quals.test")
    assert tree.result == "ok"
    for name in ("plus", "outer", "inner"):
        assert spf_authorises(tree, f"{name}.test"), name
    for name in ("minus", "soft", "neutral", "late", "nested"):
        assert not spf_authorises(tree, f"{name}.test"), name
    assert node(tree, "late.test").term == "include:late.test"  # still shown in the tree
    assert node(tree, "late.test").to_dict()["passes_parent"] is False


def test_include_targets_compare_without_regard_to_case(dns_server, resolver):
    dns_server.add_records(
        {
            "cased.test": [("TXT", "v=spf1 include:_SPF.Crm.TEST include:loop.test -all")],
            "_spf.crm.test": [("TXT", "v=spf1 ip4:198.51.100.0/24 -all")],
            "loop.test": [("TXT", "v=spf1 include:CASED.test -all")],
        }
    )
    tree = tree_of(resolver, "cased.test")
    assert spf_authorises(tree, "_spf.crm.test")
    assert node(tree, "cased.test").status == "ok"
    assert [n.status for n in tree.nodes() if n.via == "include"] == ["ok", "ok", "loop"]


def test_spf_authorises_follows_redirects(dns_server, resolver):
    dns_server.add_records(
        {
            "redirected.test": [("TXT", "v=spf1 redirect=_spf.host.test")],
            "_spf.host.test": [("TXT", "v=spf1 include:_spf.crm.test -all")],
            "_spf.crm.test": [("TXT", "v=spf1 ip4:198.51.100.0/24 -all")],
        }
    )
    tree = tree_of(resolver, "redirected.test")
    assert tree.result == "ok"
    assert node(tree, "_spf.host.test").via == "redirect"
    assert spf_authorises(tree, "_spf.crm.test")
    assert tree.lookups == 2


def test_a_domain_without_spf_has_result_none(dns_server, resolver):
    dns_server.add_records({"plain.test": [("TXT", "hello")]})
    tree = tree_of(resolver, "plain.test")
    assert tree.result == "none"
    assert [issue.code for issue in tree.errors] == ["no-record"]


def test_it_keeps_counting_past_the_limit_and_says_permerror(dns_server, resolver):
    vendors = {f"v{i}.test": [("TXT", "v=spf1 a:out.v.test mx:out.v.test -all")] for i in range(7)}
    includes = " ".join(f"include:v{i}.test" for i in range(7))
    dns_server.add_records(
        {
            "busy.test": [("TXT", f"v=spf1 {includes} -all")],
            "out.v.test": [("A", "192.0.2.1"), ("MX", "0 out.v.test")],
            **vendors,
        }
    )
    tree = tree_of(resolver, "busy.test")
    assert tree.lookups == 21
    assert tree.result == "permerror"
    assert "too-many-lookups" in [issue.code for issue in tree.errors]
    assert len(list(tree.nodes())) == 8  # every vendor is still shown
    assert "duplicate-include" not in [issue.code for issue in tree.warnings]


def test_more_than_two_void_lookups_is_a_permerror(dns_server, resolver):
    dns_server.add_records(
        {
            "voids.test": [
                ("TXT", "v=spf1 a:gone1.voids.test mx:gone2.voids.test a:gone3.voids.test -all")
            ]
        }
    )
    tree = tree_of(resolver, "voids.test")
    assert tree.void_lookups == 3
    assert tree.result == "permerror"
    assert "too-many-void-lookups" in [issue.code for issue in tree.errors]


def test_void_checks_stop_where_a_receiver_would_have_stopped(dns_server, resolver):
    # 300 a: terms would cost 600 queries and spend the whole check's query
    # budget; a receiver stops after 10 DNS-querying terms.
    terms = " ".join(f"a:h{k}.many.test" for k in range(300))
    dns_server.add_records({"many.test": [("TXT", f"v=spf1 {terms} -all")]})
    tree = tree_of(resolver, "many.test")
    assert tree.result == "permerror" and tree.lookups == 300
    assert tree.void_lookups == 10
    assert resolver.stats.queries <= 2 + 2 * 10  # the record (UDP, then TCP), A and AAAA
    assert "void-checks-skipped" in [issue.code for issue in tree.warnings]


def test_an_include_without_a_record_is_an_error_and_a_void_lookup(dns_server, resolver):
    dns_server.add_records({"stale.test": [("TXT", "v=spf1 include:retired-vendor.test -all")]})
    tree = tree_of(resolver, "stale.test")
    assert tree.result == "permerror"
    assert [issue.code for issue in tree.errors] == ["include-none"]
    assert tree.void_lookups == 1


def test_it_warns_about_ptr_and_plus_all(dns_server, resolver):
    dns_server.add_records({"lax.test": [("TXT", "v=spf1 ptr +all")]})
    tree = tree_of(resolver, "lax.test")
    assert tree.result == "ok"
    assert [(issue.code, issue.position) for issue in tree.warnings] == [
        ("ptr", 7),
        ("pass-all", 11),
    ]


def test_it_does_not_follow_targets_that_depend_on_the_message(dns_server, resolver):
    dns_server.add_records({"macro.test": [("TXT", "v=spf1 include:%{l}.users.macro.test -all")]})
    tree = tree_of(resolver, "macro.test")
    assert tree.lookups == 1
    assert [issue.code for issue in tree.warnings] == ["not-followed"]


def test_a_syntax_error_anywhere_is_reported_with_its_position(dns_server, resolver):
    dns_server.add_records(
        {
            "typo.test": [("TXT", "v=spf1 include:broken.test -all")],
            "broken.test": [("TXT", "v=spf1 ip4:192.0.2.300 -all")],
        }
    )
    tree = tree_of(resolver, "typo.test")
    assert tree.result == "permerror"
    (issue,) = tree.errors
    assert (issue.code, issue.domain, issue.position) == ("syntax", "broken.test", 11)


# -- hostile DNS ----------------------------------------------------------------------


def test_an_include_loop_is_reported_and_the_walk_ends(dns_server, resolver):
    dns_server.add_records(
        {
            "loop-a.test": [("TXT", "v=spf1 include:loop-b.test -all")],
            "loop-b.test": [("TXT", "v=spf1 include:loop-c.test -all")],
            "loop-c.test": [("TXT", "v=spf1 include:loop-a.test -all")],
        }
    )
    tree = tree_of(resolver, "loop-a.test")
    assert tree.result == "permerror"
    (issue,) = tree.errors
    assert issue.code == "loop"
    assert "loop-a.test → loop-b.test → loop-c.test → loop-a.test" in issue.message
    assert resolver.stats.queries == 3


def test_two_spf_records_are_a_permerror(dns_server, resolver):
    dns_server.add_records({"twice.test": [("TXT", "v=spf1 -all"), ("TXT", "v=spf1 +all")]})
    tree = tree_of(resolver, "twice.test")
    assert tree.result == "permerror"
    assert [issue.code for issue in tree.errors] == ["multiple-records"]


def test_garbage_bytes_are_a_syntax_error(dns_server, resolver):
    dns_server.add_records({"junk.test": [("TXT", b"v=spf1 \x80\xff\x00 ~all")]})
    tree = tree_of(resolver, "junk.test")
    assert tree.result == "permerror"
    assert tree.errors[0].position == 7


def test_a_4kb_record_is_read_whole(dns_server, resolver):
    text = "v=spf1 " + " ".join(f"ip4:10.{i // 250}.{i % 250}.0/24" for i in range(230)) + " -all"
    dns_server.add_records({"big.test": [("TXT", text)]})
    tree = tree_of(resolver, "big.test")
    assert tree.record == text
    assert tree.result == "ok"


@pytest.mark.parametrize("fault", ["servfail", "timeout"])
def test_a_failing_include_is_temperror_not_none(dns_server, resolver, fault):
    dns_server.add_records(CUSTOMER)
    dns_server.set_fault("_ips2.crm.test", fault)
    tree = tree_of(resolver, "customer.test")
    assert tree.result == "temperror"
    assert node(tree, "_ips2.crm.test").status == "temperror"
    assert [issue.code for issue in tree.errors] == ["dns-error"]


def test_a_root_that_never_answers_is_temperror_not_none(dns_server):
    dns_server.set_fault("silent.test", "timeout")
    resolver = Resolver([dns_server.address], timeout=0.2, retries=1)
    tree = tree_of(resolver, "silent.test")
    assert tree.result == "temperror"
    assert dns_server.query_count == 2  # the first try and one retry, then it gives up


def test_an_include_through_a_50_long_cname_chain_is_temperror(dns_server, resolver):
    links = {f"c{i}.chain.test": [("CNAME", f"c{i + 1}.chain.test")] for i in range(50)}
    dns_server.add_records(links)
    dns_server.add_records({"chained.test": [("TXT", "v=spf1 include:c0.chain.test -all")]})
    tree = tree_of(resolver, "chained.test")
    assert tree.result == "temperror"
    assert "CNAME" in tree.errors[0].message


def test_a_huge_fan_out_is_cut_at_max_records(dns_server, resolver):
    records = {}
    for level in range(4):
        for i in range(5**level):
            kids = " ".join(f"include:n{i * 5 + k}.l{level + 1}.fan.test" for k in range(5))
            records[f"n{i}.l{level}.fan.test"] = [("TXT", f"v=spf1 {kids} -all")]
    dns_server.add_records(records)
    tree = tree_of(resolver, "n0.l0.fan.test", max_records=20)
    assert tree.result == "permerror"  # far over the lookup limit anyway
    assert "tree-truncated" in [issue.code for issue in tree.warnings]
    assert resolver.stats.queries <= 20 + 5
