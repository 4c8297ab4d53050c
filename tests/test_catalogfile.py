"""The catalog file validator names the file and the field at fault."""

import datetime as dt

import pytest

from sources.catalogfile import CatalogError, dump_vendor, load_catalog, validate_vendor
from tests.factories import dkim_cname_method, vendor_data


def invalid(data, field_fragment):
    with pytest.raises(CatalogError) as info:
        validate_vendor(data, source="x.toml", categories={"transactional-email"})
    assert field_fragment in info.value.field, str(info.value)
    assert str(info.value).startswith("x.toml: ")
    return info.value


def test_a_valid_entry_comes_back_in_canonical_form():
    vendor = validate_vendor(vendor_data(), source="x.toml")
    assert vendor["methods"][0]["records"][0]["check"] == "equals"
    assert list(vendor)[:3] == ["slug", "name", "aliases"]


def test_it_names_a_missing_field():
    data = vendor_data()
    del data["summary"]
    assert invalid(data, "summary").message == "is required"


def test_it_rejects_unknown_fields():
    invalid(vendor_data(colour="blue"), "colour")


def test_it_rejects_http_documentation_links():
    invalid(vendor_data(documentation=[{"title": "D", "url": "http://x.example/"}]), "url")


def test_it_rejects_unknown_categories():
    invalid(vendor_data(categories=["gardening"]), "categories[0]")


def test_it_rejects_undeclared_template_parameters():
    method = dkim_cname_method()
    method["records"][0]["value"] = "s1.{region}.example.net"
    err = invalid(vendor_data(methods=[method]), "methods[0].records[0].value")
    assert "{region}" in err.message


def test_dkim_records_must_name_a_selector():
    method = dkim_cname_method()
    del method["records"][0]["selector"]
    invalid(vendor_data(methods=[method]), "methods[0].records[0].selector")


def test_records_must_live_in_the_customer_zone():
    method = dkim_cname_method()
    method["records"][1]["host"] = "bounce.example.net"
    invalid(vendor_data(methods=[method]), "methods[0].records[1].host")


def test_parameter_examples_must_match_their_pattern():
    method = dkim_cname_method()
    method["parameters"][0]["example"] = "abc"
    invalid(vendor_data(methods=[method]), "methods[0].parameters[0].example")


def test_bad_regular_expressions_are_reported():
    method = dkim_cname_method()
    method["parameters"][0]["pattern"] = "([0-9"
    invalid(vendor_data(methods=[method]), "methods[0].parameters[0].pattern")


def test_spf_include_checks_need_an_include_value():
    method = dkim_cname_method(kind="spf-include")
    method["records"] = [
        {
            "id": "spf",
            "type": "TXT",
            "host": "{domain}",
            "value": "v=spf1",
            "check": "spf-include",
            "purpose": "spf",
        }
    ]
    invalid(vendor_data(methods=[method]), "methods[0].records[0].value")


def test_a_vendor_needs_a_method_or_an_explanation():
    invalid(vendor_data(methods=[]), "methods")
    invalid(vendor_data(methods=[], no_compliant_option=True), "no_compliant_explanation")
    ok = validate_vendor(
        vendor_data(methods=[], no_compliant_option=True, no_compliant_explanation="Relay it."),
        source="x.toml",
    )
    assert ok["no_compliant_option"] is True


def test_each_method_cites_a_source():
    invalid(vendor_data(methods=[dkim_cname_method(sources=[])]), "methods[0].sources")


def test_dates_must_be_dates():
    invalid(vendor_data(last_verified="2026-01-01"), "last_verified")
    invalid(vendor_data(last_verified=dt.datetime(2026, 1, 1, 12)), "last_verified")


def test_a_top_level_that_is_not_a_table_is_an_error():
    with pytest.raises(CatalogError):
        validate_vendor(["not", "a", "table"], source="x.toml")


def test_dump_is_stable_under_reload(tmp_path):
    import tomllib

    vendor = validate_vendor(vendor_data(), source="x.toml")
    text = dump_vendor(vendor)
    again = validate_vendor(tomllib.loads(text), source="x.toml")
    assert dump_vendor(again) == text


def test_invalid_toml_names_the_file(tmp_path):
    (tmp_path / "categories.toml").write_text('[[category]]\nslug="a"\nname="A"\ndescription="d"\n')
    (tmp_path / "broken.toml").write_text("slug = \n")
    with pytest.raises(CatalogError, match=r"^broken\.toml: is not valid TOML"):
        load_catalog(tmp_path)


def test_slug_must_match_the_file_name(tmp_path):
    (tmp_path / "categories.toml").write_text(
        '[[category]]\nslug="transactional-email"\nname="T"\ndescription="d"\n'
    )
    (tmp_path / "other.toml").write_text(dump_vendor(validate_vendor(vendor_data(), source="x")))
    with pytest.raises(CatalogError, match="must match the file name"):
        load_catalog(tmp_path)


def test_duplicate_aliases_across_vendors_are_rejected(tmp_path):
    (tmp_path / "categories.toml").write_text(
        '[[category]]\nslug="transactional-email"\nname="T"\ndescription="d"\n'
    )
    for slug in ("one", "two"):
        data = validate_vendor(vendor_data(slug, aliases=["Shared Name"]), source="x")
        (tmp_path / f"{slug}.toml").write_text(dump_vendor(data))
    with pytest.raises(CatalogError, match="already used by one"):
        load_catalog(tmp_path)


def _entry_with_method(**method_fields):
    method = {
        "kind": "dkim-cname",
        "title": "DKIM",
        "sources": ["https://docs.example.com/dkim"],
        "steps": "1. Do it.",
        **method_fields,
    }
    return {
        "slug": "examplemail",
        "name": "ExampleMail",
        "website": "https://www.example.com/",
        "categories": ["crm"],
        "summary": "s",
        "last_verified": dt.date(2026, 12, 1),
        "methods": [method],
    }


def test_secondary_evidence_needs_two_sources():
    with pytest.raises(CatalogError) as exc:
        validate_vendor(_entry_with_method(evidence="secondary"), source="x.toml")
    assert exc.value.field == "methods[0].sources"
    ok = validate_vendor(
        _entry_with_method(
            evidence="secondary",
            sources=["https://a.example.com/guide", "https://b.example.org/guide"],
        ),
        source="x.toml",
    )
    assert ok["methods"][0]["evidence"] == "secondary"


def test_an_unknown_evidence_tier_is_refused():
    with pytest.raises(CatalogError) as exc:
        validate_vendor(_entry_with_method(evidence="blog"), source="x.toml")
    assert exc.value.field == "methods[0].evidence"


def test_aligns_names_only_dmarc_routes():
    with pytest.raises(CatalogError) as exc:
        validate_vendor(_entry_with_method(aligns=["spf", "bimi"]), source="x.toml")
    assert exc.value.field == "methods[0].aligns[1]"


def test_a_documented_no_needs_a_source():
    entry = _entry_with_method()
    entry["not_aligned"] = [{"route": "spf", "note": "Bounces use the vendor's domain."}]
    with pytest.raises(CatalogError) as exc:
        validate_vendor(entry, source="x.toml")
    assert exc.value.field == "not_aligned[0].sources"
