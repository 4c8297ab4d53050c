"""The three-state routes and the overall label derived from them."""

from sources.capability import (
    DKIM_ONLY,
    FULL,
    NO,
    NONE,
    NOT_DOCUMENTED,
    SPF_ONLY,
    UNKNOWN,
    YES,
    derive_capability,
    method_routes,
    vendor_capability,
)

DOCS = ["https://docs.example.net/auth"]


def method(kind, *purposes, title=None, sources=DOCS, aligns=None, **extra):
    records = [{"id": f"r{i}", "purpose": p} for i, p in enumerate(purposes)]
    return {
        "kind": kind,
        "title": title or kind,
        "sources": sources,
        "aligns": aligns,
        "records": records,
        **extra,
    }


def no(route, note="Bounces use the vendor's domain."):
    return {"route": route, "evidence": "vendor-docs", "sources": DOCS, "note": note}


def cap(*methods, not_aligned=(), no_compliant_option=False):
    return derive_capability(
        methods, not_aligned=not_aligned, no_compliant_option=no_compliant_option
    )


def test_dkim_and_return_path_cnames_give_full_alignment():
    result = cap(method("cname-delegation", "dkim", "return-path"))
    assert result.overall == FULL
    assert result.spf == ["cname-delegation"] and result.dkim == ["cname-delegation"]
    assert (result.spf_route.state, result.dkim_route.state) == (YES, YES)


def test_dkim_with_spf_not_documented_is_dkim_only_and_says_spf_is_unknown():
    result = cap(method("dkim-txt", "dkim"))
    assert result.overall == DKIM_ONLY
    assert result.spf_route.state == NOT_DOCUMENTED
    assert result.spf_route.label == "Not documented"


def test_custom_return_path_alone_is_spf_only():
    assert cap(method("return-path", "return-path")).overall == SPF_ONLY


def test_subdomain_delegation_and_relaying_give_both_routes():
    assert cap(method("subdomain-ns", "delegation")).overall == FULL
    assert cap(method("smtp-relay")).overall == FULL


def test_routes_combine_across_methods():
    result = cap(method("dkim-cname", "dkim"), method("return-path", "return-path"))
    assert result.overall == FULL
    assert result.dkim == ["dkim-cname"] and result.spf == ["return-path"]


def test_nothing_documented_is_unknown_not_none():
    assert cap().overall == UNKNOWN
    # Tracking records say nothing about alignment either way.
    assert cap(method("cname-delegation", "tracking")).overall == UNKNOWN


def test_an_spf_include_alone_earns_no_spf_credit():
    result = cap(method("spf-include", "spf"))
    assert result.spf_route.state == NOT_DOCUMENTED
    assert result.overall == UNKNOWN
    assert method_routes("spf-include", ["spf"]) == set()


def test_an_spf_include_documented_to_align_earns_spf_credit():
    result = cap(method("spf-include", "spf", aligns=["spf"]))
    assert result.spf_route.state == YES
    assert result.overall == SPF_ONLY


def test_aligns_overrides_what_the_kind_would_suggest():
    # A DKIM method whose sources only document DKIM for the vendor's own domain.
    result = cap(method("dkim-cname", "dkim", aligns=[]))
    assert result.dkim_route.state == NOT_DOCUMENTED


def test_a_method_without_sources_earns_no_credit():
    result = cap(method("cname-delegation", "dkim", "return-path", sources=[]))
    assert (result.spf_route.state, result.dkim_route.state) == (NOT_DOCUMENTED, NOT_DOCUMENTED)
    assert result.spf == [] and result.overall == UNKNOWN


def test_both_routes_documented_as_impossible_is_none():
    result = cap(not_aligned=[no("spf"), no("dkim")])
    assert (result.spf_route.state, result.dkim_route.state) == (NO, NO)
    assert result.overall == NONE
    assert result.spf_route.evidence == [
        {
            "method": "",
            "evidence": "vendor-docs",
            "sources": DOCS,
            "note": "Bounces use the vendor's domain.",
        }
    ]


def test_one_route_documented_no_and_the_other_unknown_is_unknown():
    assert cap(not_aligned=[no("spf")]).overall == UNKNOWN


def test_dkim_with_spf_documented_no_is_dkim_only():
    result = cap(method("dkim-cname", "dkim"), not_aligned=[no("spf")])
    assert result.overall == DKIM_ONLY
    assert result.spf_route.state == NO


def test_no_compliant_option_is_none_even_without_methods():
    result = cap(no_compliant_option=True)
    assert result.overall == NONE
    assert result.spf_route.state == NO and result.dkim_route.state == NO


def test_a_route_rests_on_the_records_own_sources_when_they_cite_them():
    guides = ["https://guide-one.example.org/x", "https://guide-two.example.org/x"]
    bounce = {"id": "rp", "purpose": "return-path", "sources": guides, "evidence": "secondary"}
    m = {**method("cname-delegation", "dkim", title="Authenticate"), "records": []}
    m["records"] = [{"id": "dkim", "purpose": "dkim"}, bounce]
    result = cap(m)
    assert result.spf_route.evidence == [
        {"method": "Authenticate", "evidence": "secondary", "sources": guides, "note": ""}
    ]
    assert result.dkim_route.evidence == [
        {"method": "Authenticate", "evidence": "vendor-docs", "sources": DOCS, "note": ""}
    ]


def test_vendor_capability_reads_a_whole_catalog_entry():
    entry = {
        "no_compliant_option": False,
        "not_aligned": [no("spf")],
        "methods": [method("dkim-txt", "dkim", title="Paste a key")],
    }
    result = vendor_capability(entry)
    assert (result.overall, result.dkim, result.spf_route.state) == (DKIM_ONLY, ["Paste a key"], NO)
