"""Requirement specs: catalog data in, templates expanded, fixes written as zone-file lines."""

import tomllib
from pathlib import Path

import pytest

from sources.checker.requirements import (
    InvalidParameter,
    MethodSpec,
    RecordSpec,
    expand,
    spf_with_include,
    validate_parameters,
    zone_line,
)
from tests.checker.helpers import POSTLARK

CATALOG = Path(__file__).resolve().parents[2] / "sources" / "catalog"


def postlark(kind="cname-delegation"):
    return MethodSpec.from_dict(next(m for m in POSTLARK["methods"] if m["kind"] == kind))


def test_it_reads_a_catalog_shaped_method():
    method = postlark()
    assert method.kind == "cname-delegation"
    assert [record.id for record in method.records] == [
        "dkim-s1",
        "dkim-s2",
        "return-path",
        "tracking",
    ]
    assert method.parameters[0].name == "account_id"
    assert method.records[3].required is False


@pytest.mark.parametrize("path", sorted(CATALOG.glob("*.toml")), ids=lambda p: p.stem)
def test_every_method_in_the_seed_catalog_can_be_read(path):
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for method in data.get("methods", []):
        spec = MethodSpec.from_dict(method)
        for record in spec.records:
            expanded = expand(record, "example.com", {})
            assert expanded.host is not None or expanded.missing


def test_templates_are_filled_from_the_domain_and_parameters():
    item = expand(postlark().records[0], "Example.COM", {"account_id": "42"})
    assert item.host == "s1._domainkey.example.com"
    assert item.value == "s1.domainkey.u42.postlark.test"
    assert item.selector == "s1"
    assert item.missing == ()


def test_missing_parameters_are_named():
    item = expand(postlark().records[2], "example.com", {})
    assert item.host == "bounces.example.com"
    assert item.value is None
    assert item.missing == ("account_id",)


def test_a_selector_template_is_expanded_too():
    spec = RecordSpec(
        id="dkim",
        type="CNAME",
        host="{selector}._domainkey.{domain}",
        value="{target}",
        check="dkim-key",
        purpose="dkim",
        selector="{selector}",
    )
    item = expand(spec, "example.com", {"selector": "sf1", "target": "x.vendor.test"})
    assert (item.host, item.selector, item.value) == (
        "sf1._domainkey.example.com",
        "sf1",
        "x.vendor.test",
    )
    assert expand(spec, "example.com", {}).missing == ("selector", "target")


def test_parameters_are_checked_against_their_patterns():
    assert validate_parameters(postlark(), {"account_id": " 42 "}) == {"account_id": "42"}
    with pytest.raises(InvalidParameter) as caught:
        validate_parameters(postlark(), {"account_id": "42; drop"})
    assert caught.value.name == "account_id"
    assert caught.value.reason == "'42; drop' is not a valid Account number"


def test_every_parameter_problem_is_reported_at_once_one_message_per_rule():
    with pytest.raises(InvalidParameter) as caught:
        validate_parameters(postlark(), {"account_id": "4; 2", "other": "x"})
    assert caught.value.errors == {
        "other": "not a parameter of this setup method (it takes: account_id)",
        "account_id": "'4; 2' is not a valid Account number",
    }
    with pytest.raises(InvalidParameter) as caught:
        validate_parameters(postlark(), {"account_id": "4" * 256})
    assert caught.value.errors == {"account_id": "at most 255 characters"}


def test_no_parameter_has_to_be_typed_not_even_a_required_one():
    assert validate_parameters(postlark(), {"account_id": " "}) == {}
    assert validate_parameters(postlark(), {}) == {}


def test_an_optional_parameter_may_be_left_out():
    method = MethodSpec.from_dict(
        {"kind": "x", "parameters": [{"name": "region", "required": False, "pattern": "^eu$"}]}
    )
    assert validate_parameters(method, {"region": " "}) == {}
    assert validate_parameters(method, {"region": "eu"}) == {"region": "eu"}


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("s1._domainkey.example.com", "CNAME", "S1.Vendor.Example."),
            "s1._domainkey.example.com. 3600 IN CNAME s1.vendor.example.",
        ),
        (
            ("email.example.com", "NS", "ns1.vendor.example"),
            "email.example.com. 3600 IN NS ns1.vendor.example.",
        ),
        (
            ("bounce.example.com", "MX", "10 mx.vendor.example"),
            "bounce.example.com. 3600 IN MX 10 mx.vendor.example.",
        ),
        (
            ("bounce.example.com", "MX", "mx.vendor.example", 20),
            "bounce.example.com. 3600 IN MX 20 mx.vendor.example.",
        ),
        (("example.com", "TXT", 'say "hi"'), 'example.com. 3600 IN TXT "say \\"hi\\""'),
    ],
)
def test_fixes_are_zone_file_lines(args, line):
    assert zone_line(*args) == line


def test_long_txt_values_are_split_into_255_octet_strings():
    line = zone_line("k._domainkey.example.com", "TXT", "v=DKIM1; p=" + "A" * 400)
    strings = line.split(" IN TXT ", 1)[1].split('" "')
    assert len(strings) == 2
    assert len(strings[0].strip('"')) == 255


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (None, "v=spf1 include:_spf.vendor.test ~all"),
        ("v=spf1 mx -all", "v=spf1 mx include:_spf.vendor.test -all"),
        ("v=spf1 ip4:192.0.2.1 ?all", "v=spf1 ip4:192.0.2.1 include:_spf.vendor.test ?all"),
        (
            "v=spf1 redirect=_spf.example.com",
            "v=spf1 include:_spf.vendor.test redirect=_spf.example.com",
        ),
        ("v=spf1 mx", "v=spf1 mx include:_spf.vendor.test"),
        ("v=spf1 ~include:_SPF.vendor.test -all", "v=spf1 include:_spf.vendor.test -all"),
        ("v=spf1 -all include:_spf.vendor.test", "v=spf1 include:_spf.vendor.test -all"),
    ],
)
def test_the_spf_fix_adds_the_include_before_all(record, expected):
    assert spf_with_include(record, "_spf.vendor.test") == expected
