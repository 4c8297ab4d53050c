"""GET /api/v1/lookup?name=...: which vendors an SPF include, CNAME target or host belongs to."""

import pytest

from sources.catalogknowledge import CatalogKnowledge, parse_lookup_name
from tests.factories import make_vendor, spf_include_method

pytestmark = pytest.mark.django_db


def lookup(client, name):
    response = client.get("/api/v1/lookup", {"name": name})
    assert response.status_code == 200, response.content
    return response.json()


def vendors(client, name):
    return [vendor["slug"] for vendor in lookup(client, name)["vendors"]]


def test_an_spf_include_domain_finds_its_vendor(anonymous, catalog):
    body = lookup(anonymous, "sendgrid.net")
    assert [v["slug"] for v in body["vendors"]] == ["sendgrid"]
    assert body["vendors"][0]["records"] == [
        {
            "method": "spf-include",
            "record": "spf",
            "type": "TXT",
            "purpose": "spf",
            "matched": "include:sendgrid.net",
            "how": "include",
        }
    ]


def test_it_accepts_what_people_paste(anonymous, catalog):
    for name in ("include:sendgrid.net", "  INCLUDE:SendGrid.NET.  ", "~include:sendgrid.net"):
        body = lookup(anonymous, name)
        assert body["name"] == "sendgrid.net" and body["includes_only"] is True
        assert [v["slug"] for v in body["vendors"]] == ["sendgrid"]


def test_a_dkim_cname_target_matches_the_value_template_and_the_pattern(anonymous, catalog):
    body = lookup(anonymous, "s1.domainkey.u123.wl.sendgrid.net")
    records = body["vendors"][0]["records"]
    assert [(r["record"], r["how"]) for r in records] == [
        ("dkim-s1", "value"),
        ("dkim-s1", "pattern"),
    ]
    assert records[0]["matched"] == "s1.domainkey.u{account_id}.wl.sendgrid.net"


def test_only_the_pattern_matches_a_target_the_template_does_not_describe(anonymous, catalog):
    records = lookup(anonymous, "s1.domainkey.u9.wl2.sendgrid.net")["vendors"][0]["records"]
    assert [r["how"] for r in records] == ["pattern"]


def test_a_host_matches_a_return_path_cname_value(anonymous, catalog):
    records = lookup(anonymous, "u4242.wl.sendgrid.net")["vendors"][0]["records"]
    assert [(r["record"], r["purpose"]) for r in records] == [("bounce", "return-path")]


def test_an_include_written_as_such_only_matches_spf_includes(anonymous, catalog):
    assert vendors(anonymous, "u4242.wl.sendgrid.net") == ["sendgrid"]
    assert vendors(anonymous, "include:u4242.wl.sendgrid.net") == []


def test_names_that_belong_to_no_vendor_find_none(anonymous, catalog):
    for name in ("example.com", "s1.domainkey.wl.sendgrid.net.evil.example"):
        assert vendors(anonymous, name) == [], name


def test_a_name_no_record_gives_is_only_in_the_vendors_domain(anonymous, catalog):
    records = lookup(anonymous, "wl.sendgrid.net")["vendors"][0]["records"]
    assert {record["how"] for record in records} == {"domain"}


def test_several_vendors_sharing_an_include_are_all_found_by_name(anonymous, catalog):
    make_vendor("aardvark-mail", name="Aardvark Mail", methods=[spf_include_method()])
    # SendGrid runs the system, so it comes first; the others follow by name.
    assert vendors(anonymous, "sendgrid.net") == ["sendgrid", "aardvark-mail"]


def test_unpublished_vendors_are_not_found(anonymous, catalog):
    make_vendor("secret", name="Secret", published=False, methods=[spf_include_method()])
    assert vendors(anonymous, "sendgrid.net") == ["sendgrid"]


def test_a_changed_catalog_is_looked_up_at_once(anonymous, catalog):
    assert vendors(anonymous, "mail.newcomer.example") == []
    make_vendor("newcomer", name="Newcomer", methods=[spf_include_method("mail.newcomer.example")])
    assert vendors(anonymous, "mail.newcomer.example") == ["newcomer"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field may not be blank."),
        ("not a domain", "has an invalid label"),
        ("-bad-.example", "has an invalid label"),
        ("a" * 64 + ".example", "has an invalid label"),
        ("a." * 127 + "example", "must be at most 253 characters"),
        ("x" * 10_000, "Ensure this field has no more than 300 characters."),
        ("include:", "must be a DNS name"),
    ],
)
def test_what_is_not_a_dns_name_is_a_400_naming_the_field(anonymous, catalog, name, message):
    response = anonymous.get("/api/v1/lookup", {"name": name})
    assert response.status_code == 400
    assert message in response.json()["fields"]["name"][0]


def test_the_name_is_required(anonymous, catalog):
    response = anonymous.get("/api/v1/lookup")
    assert response.status_code == 400
    assert response.json()["fields"] == {"name": ["This field is required (or give ip)."]}


def test_an_internationalised_name_is_looked_up_in_its_ascii_form(anonymous, catalog):
    assert lookup(anonymous, "Bücher.example")["name"] == "xn--bcher-kva.example"


def test_the_index_tries_only_the_patterns_filed_under_the_names_suffixes():
    def vendor(slug, **record):
        record = {"id": "r", "type": "CNAME", "purpose": "dkim", "check": "equals", **record}
        return {
            "slug": slug,
            "name": slug,
            "methods": [{"kind": "dkim-cname", "records": [record]}],
        }

    index = CatalogKnowledge.build(
        [
            vendor("a", value="s1.u{n}.mail-a.example"),
            vendor("b", pattern=r"^s1\.u\d+\.mail-b\.example$"),
            vendor("c", pattern=r"mail-c"),  # unanchored: tried on every lookup
        ]
    )
    assert set(index.by_suffix) == {"mail-a.example", "mail-b.example"}
    assert len(index.unanchored) == 1
    found = index.lookup(parse_lookup_name("s1.u7.mail-b.example"))
    assert [m.vendor_slug for m in found] == ["b"]
    assert [m.vendor_slug for m in index.lookup(parse_lookup_name("x.mail-c.example"))] == ["c"]
