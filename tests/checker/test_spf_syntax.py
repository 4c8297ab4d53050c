"""The SPF record parser, without DNS."""

import ipaddress
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sources.checker.spf import (
    Macro,
    SPFSyntaxError,
    is_spf_record,
    parse_domain_spec,
    parse_macro_string,
    parse_record,
)


def error_of(text: str) -> SPFSyntaxError:
    with pytest.raises(SPFSyntaxError) as caught:
        parse_record(text)
    return caught.value


# -- what is an SPF record -----------------------------------------------------------


@pytest.mark.parametrize("text", ["v=spf1", "v=spf1 -all", "V=SPF1 ~all", "v=spf1  a  "])
def test_it_recognises_spf_version_1(text):
    assert is_spf_record(text)


@pytest.mark.parametrize("text", ["v=spf10", "v=spf1mx", "spf1 -all", "", "v=DMARC1; p=none"])
def test_it_ignores_other_txt_records(text):
    assert not is_spf_record(text)


# -- terms -------------------------------------------------------------------------


def test_it_reads_qualifiers_and_defaults_to_pass():
    record = parse_record("v=spf1 a -mx ~ptr ?include:x.example +all")
    assert [(m.qualifier, m.kind, m.result) for m in record.mechanisms] == [
        ("+", "a", "pass"),
        ("-", "mx", "fail"),
        ("~", "ptr", "softfail"),
        ("?", "include", "neutral"),
        ("+", "all", "pass"),
    ]


def test_it_reads_networks_and_prefix_lengths():
    record = parse_record("v=spf1 ip4:192.0.2.0/24 ip6:2001:DB8::/32 ip4:198.51.100.7")
    networks = [m.network for m in record.mechanisms]
    assert networks == [
        ipaddress.ip_network("192.0.2.0/24"),
        ipaddress.ip_network("2001:db8::/32"),
        ipaddress.ip_network("198.51.100.7/32"),
    ]


def test_it_reads_dual_cidr_lengths_on_a_and_mx():
    a, mx = parse_record("v=spf1 a:mail.example.com/24//64 mx//48").mechanisms
    assert (a.domain_spec, a.cidr4, a.cidr6) == ("mail.example.com", 24, 64)
    assert (mx.domain_spec, mx.cidr4, mx.cidr6) == (None, 32, 48)


def test_a_domain_may_contain_colons_and_slashes():
    (a,) = parse_record("v=spf1 a:foo:bar/baz.example.com").mechanisms
    assert a.domain_spec == "foo:bar/baz.example.com"
    assert (a.cidr4, a.cidr6) == (32, 128)


def test_it_keeps_modifiers_and_remembers_redirect_and_exp():
    record = parse_record("v=spf1 -all exp=explain.%{d} foo-bar=baz redirect=_spf.example.com")
    assert record.redirect is not None and record.redirect.value == "_spf.example.com"
    assert record.exp is not None and record.exp.value == "explain.%{d}"
    assert [m.name for m in record.modifiers] == ["exp", "foo-bar", "redirect"]


def test_it_counts_terms_that_cost_a_lookup():
    record = parse_record(
        "v=spf1 ip4:192.0.2.1 a mx include:x.example exists:%{i}.y.example ptr -all"
    )
    assert record.lookup_terms == 5


def test_a_redirect_after_all_costs_nothing_because_it_is_never_used():
    assert parse_record("v=spf1 -all redirect=x.example").lookup_terms == 0
    assert parse_record("v=spf1 a redirect=x.example").lookup_terms == 2


def test_it_splits_terms_on_runs_of_spaces_and_allows_trailing_spaces():
    assert len(parse_record("v=spf1  a   mx -all   ").mechanisms) == 3


def test_the_parsed_record_is_json_serialisable():
    record = parse_record("v=spf1 ip4:192.0.2.0/24 include:x.example exp=e.example -all")
    assert json.loads(json.dumps(record.to_dict()))["mechanisms"][0]["network"] == "192.0.2.0/24"


# -- errors carry a position and a reason ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("v=spf1 a moo -all", 9, "unknown mechanism"),
        ("v=spf1 -all.", 11, "takes no argument"),
        ("v=spf1 ip4:192.0.2.0/33", 20, "prefix length"),
        ("v=spf1 ip4:192.0.2.0/024", 20, "prefix length"),
        ("v=spf1 ip4:192.0.2", 11, "dotted-quad"),
        ("v=spf1 ip4:192.0.2.1:25", 11, "dotted-quad"),
        ("v=spf1 ip6::CAFE::BABE", 11, "IPv6"),
        ("v=spf1 a//129", 8, "prefix length"),
        ("v=spf1 a/24/64", 8, '"a" takes'),
        ("v=spf1 include:", 14, "needs"),
        ("v=spf1 include:example.com/24", 23, "top label"),
        ("v=spf1 a:111.222.33.44", 20, "top label"),
        ("v=spf1 a:example.-com", 17, "top label"),
        ("v=spf1 a:museum", 9, "not a domain"),
        ("v=spf1 ptr/0", 10, "ptr"),
        ("v=spf1 exists:%(ir).example.com", 14, '"%"'),
        ("v=spf1 exists:%{a}.example.com", 14, "macro letter"),
        ("v=spf1 exists:%{d0}.example.com", 14, "cannot be zero"),
        ("v=spf1 -all exp=%{r}.example.com", 16, "only allowed in explanations"),
        ("v=spf1 redirect=a.example redirect=b.example", 26, "more than once"),
        ("v=spf1 exp=a.example -all exp=b.example", 26, "more than once"),
        ("v=spf1 exp= -all", 11, "needs a domain"),
        ("v=spf1 =all", 7, "modifier name"),
        ("v=spf1 1up=foo", 7, "modifier name"),
        ("v=spf1 foo=%abc", 11, '"%"'),
        ("v=spf1 a:ctrl.example.com\rptr -all", 25, "not allowed"),
        ("v=spf1 a:foo.example.com\x00", 24, "not allowed"),
        ("v=spf1 a:\ufeffgarbage.example.net -all", 9, "not allowed"),
        ("spf1 -all", 0, "v=spf1"),
    ],
)
def test_it_reports_the_position_and_reason_of_syntax_errors(text, position, words):
    error = error_of(text)
    assert error.position == position
    assert words in error.reason
    assert str(position) in str(error)


def test_garbage_bytes_decoded_as_latin1_are_a_syntax_error_not_a_crash():
    error = error_of("v=spf1 \xff\xfe\x00 -all")
    assert error.position == 7


@given(st.text(max_size=80))
def test_any_text_after_the_version_either_parses_or_raises_spf_syntax_error(tail):
    try:
        parse_record("v=spf1 " + tail)
    except SPFSyntaxError as error:
        assert 0 <= error.position <= len("v=spf1 " + tail)
        assert error.reason


@given(st.text(alphabet=st.sampled_from("%{}dDilr0123456789.-+_=/:aA "), max_size=30))
def test_macro_strings_either_parse_or_raise_spf_syntax_error(text):
    try:
        parse_macro_string(text, explanation=True)
    except SPFSyntaxError as error:
        assert error.reason


# -- macros ---------------------------------------------------------------------------


def test_it_parses_macro_transformers():
    tokens = parse_macro_string("%{ir}.%{l2r-+}.%{D2}")
    assert tokens == (
        Macro("i", reverse=True),
        ".",
        Macro("l", keep=2, reverse=True, delimiters="-+"),
        ".",
        Macro("d", url_escape=True, keep=2),
    )


def test_a_macro_with_thousands_of_digits_keeps_every_part_instead_of_crashing():
    # Python refuses int() of over 4,300 digits with a plain ValueError.
    record = parse_record("v=spf1 include:%{d" + "0" * 10 + "1" * 5000 + "}.example.com -all")
    macro = record.mechanisms[0].target[0]
    assert macro.letter == "d" and macro.keep >= 1_000_000
    assert parse_macro_string("%{d0000000003}") == (Macro("d", keep=3),)
    with pytest.raises(SPFSyntaxError, match="cannot be zero"):
        parse_macro_string("%{d" + "0" * 5000 + "}")


def test_it_turns_escapes_into_literal_text():
    assert parse_macro_string("a%%b%_c%-d") == ("a%b c%20d",)


def test_explanations_may_contain_spaces_and_c_r_t():
    assert parse_macro_string("from %{c} at %{t} via %{r}", explanation=True)[1] == Macro("c")
    with pytest.raises(SPFSyntaxError):
        parse_macro_string("from %{c}")


@pytest.mark.parametrize("spec", ["%{d}", "_spf.%{d2}", "example.com.", "x.xn--zckzah", "%{d}%%"])
def test_a_domain_spec_ends_in_a_top_label_or_a_macro(spec):
    parse_domain_spec(spec)


@pytest.mark.parametrize("spec", ["%{d}com", "example.123", "example.com-", "localhost"])
def test_a_domain_spec_without_a_proper_ending_is_rejected(spec):
    with pytest.raises(SPFSyntaxError):
        parse_domain_spec(spec)
