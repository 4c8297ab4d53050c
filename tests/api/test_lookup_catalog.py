"""GET /api/v1/lookup with the real catalog entries: the names the README promises, PTR
names, and IP addresses inside a vendor's SPF (served by the loopback DNS server)."""

import pytest

from sources.services.catalogimport import catalog_import
from tests.checks.detection_zones import copy_entries, serve_detection_zones

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(tmp_path):
    catalog_import(path=copy_entries(tmp_path))


def lookup(client, **params):
    response = client.get("/api/v1/lookup", params)
    assert response.status_code == 200, response.content
    return response.json()


def credited(body):
    return [vendor["slug"] for vendor in body["vendors"] if vendor["credited"]]


@pytest.mark.parametrize(
    ("name", "slugs"),
    [
        ("sendgrid.net", ["sendgrid"]),
        ("_spf.google.com", ["google-workspace"]),
        ("servers.mcsv.net", ["mailchimp"]),
        ("amazonses.com", ["amazon-ses"]),
        ("s1.domainkey.u1234567.wl123.sendgrid.net", ["sendgrid"]),
    ],
)
def test_the_readmes_names_find_their_vendors(client, entries, name, slugs):
    assert credited(lookup(client, name=name)) == slugs


def test_sendgrid_is_credited_and_the_entries_using_it_are_named(client, entries):
    body = lookup(client, name="s1.domainkey.u1234567.wl123.sendgrid.net")
    by_slug = {vendor["slug"]: vendor for vendor in body["vendors"]}
    assert by_slug["jobvite"]["credited"] is False
    users = [user["slug"] for user in by_slug["sendgrid"]["also_used_by"]]
    assert users == ["jobvite", "okta", "stytch"]


def test_amazon_ses_runs_the_include_resend_publishes_too(client, entries):
    body = lookup(client, name="amazonses.com")
    by_slug = {vendor["slug"]: vendor for vendor in body["vendors"]}
    assert by_slug["resend"]["credited"] is False
    assert by_slug["resend"]["records"][0]["matched"] == "include:amazonses.com"
    assert [user["slug"] for user in by_slug["amazon-ses"]["also_used_by"]] == ["resend"]


def test_a_ptr_name_finds_the_vendor_whose_domain_it_is_in(client, entries):
    body = lookup(client, name="o1.ptr1234.sendgrid.net")
    assert credited(body) == ["sendgrid"]
    assert {record["how"] for record in body["vendors"][0]["records"]} <= {"domain"}
    assert credited(lookup(client, name="mail-sor-f41.google.com")) == ["google-workspace"]


def test_an_ip_inside_a_vendors_spf_finds_the_vendor(client, entries, dns_server):
    serve_detection_zones(dns_server)
    body = lookup(client, ip="167.89.10.20")
    assert body["ip"] == "167.89.10.20" and body["name"] is None
    (vendor,) = body["vendors"]
    assert vendor["slug"] == "sendgrid"
    assert vendor["records"][0]["matched"] == "167.89.0.0/17 in include:sendgrid.net"
    assert vendor["records"][0]["how"] == "ip"


def test_an_ip_reached_through_nested_includes_is_found(client, entries, dns_server):
    serve_detection_zones(dns_server)
    # servers.mcsv.net includes _netblocks.mcsv.net, which lists the networks.
    assert credited(lookup(client, ip="203.0.113.200")) == ["mailchimp"]
    assert credited(lookup(client, ip="2001:db8:4861::1")) == ["mailchimp"]
    assert credited(lookup(client, ip="2001:db8:4860::1")) == ["google-workspace"]


def test_an_ip_no_include_authorises_finds_none(client, entries, dns_server):
    serve_detection_zones(dns_server)
    body = lookup(client, ip="192.0.2.1")
    assert body["vendors"] == []
    # Includes the test server does not serve are reported, not silently dropped.
    assert "amazonses.com" in body["incomplete"]


def test_the_includes_are_walked_once_per_catalog_version(client, entries, dns_server):
    serve_detection_zones(dns_server)
    lookup(client, ip="167.89.10.20")
    dns_server.reset_counters()
    lookup(client, ip="203.0.113.200")
    assert dns_server.query_count == 0


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"ip": "300.1.2.3"}, "ip", "must be an IPv4 or IPv6 address"),
        ({"ip": "sendgrid.net"}, "ip", "must be an IPv4 or IPv6 address"),
        ({"ip": "192.0.2.1", "name": "sendgrid.net"}, "ip", "Give name or ip, not both."),
    ],
)
def test_a_bad_ip_is_a_400_naming_the_field(client, entries, params, field, message):
    response = client.get("/api/v1/lookup", params)
    assert response.status_code == 400
    assert message in response.json()["fields"][field][0]
