from sources.capability import DKIM_ONLY, FULL, NONE, SPF_ONLY, UNKNOWN, derive_capability


def cap(*methods, no_compliant_option=False):
    return derive_capability(
        [{"kind": k, "title": k, "purposes": p} for k, p in methods],
        no_compliant_option=no_compliant_option,
    )


def test_dkim_and_return_path_cnames_give_full_alignment():
    result = cap(("cname-delegation", ["dkim", "return-path"]))
    assert result.overall == FULL
    assert result.spf == ["cname-delegation"] and result.dkim == ["cname-delegation"]


def test_dkim_key_alone_is_dkim_only():
    assert cap(("dkim-txt", ["dkim"])).overall == DKIM_ONLY


def test_custom_return_path_alone_is_spf_only():
    assert cap(("return-path", ["return-path"])).overall == SPF_ONLY


def test_subdomain_delegation_gives_both_routes():
    assert cap(("subdomain-ns", ["delegation"])).overall == FULL


def test_relaying_through_the_customer_gives_both_routes():
    assert cap(("smtp-relay", [])).overall == FULL


def test_tracking_records_alone_give_no_alignment():
    assert cap(("cname-delegation", ["tracking"])).overall == NONE


def test_routes_combine_across_methods():
    result = cap(("dkim-cname", ["dkim"]), ("return-path", ["return-path"]))
    assert result.overall == FULL
    assert result.dkim == ["dkim-cname"] and result.spf == ["return-path"]


def test_no_methods_is_unknown_unless_declared_impossible():
    assert cap().overall == UNKNOWN
    assert cap(no_compliant_option=True).overall == NONE
