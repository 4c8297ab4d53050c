"""GET /api/v1/vendors/{slug}: one vendor with its methods, records and derived capability."""

import pytest

from tests.factories import dkim_cname_method, make_vendor

pytestmark = pytest.mark.django_db


def test_it_gives_the_vendor_with_everything_its_page_shows(anonymous, catalog):
    vendor = anonymous.get("/api/v1/vendors/sendgrid").json()
    assert vendor["name"] == "SendGrid"
    assert vendor["aliases"] == ["Twilio SendGrid"]
    assert vendor["description"] == "Sends receipts and password resets."
    assert vendor["documentation"] == [{"title": "Docs", "url": "https://docs.example.net/"}]
    assert [m["kind"] for m in vendor["methods"]] == ["cname-delegation", "spf-include"]


def test_methods_carry_parameters_and_record_templates(anonymous, catalog):
    method = anonymous.get("/api/v1/vendors/sendgrid").json()["methods"][0]
    assert method["kind_label"] == "CNAME delegation"
    assert method["routes"] == ["spf", "dkim"]
    assert method["sources"] == ["https://docs.example.net/auth"]
    assert method["parameters"] == [
        {
            "name": "account_id",
            "label": "Account number",
            "help": "Shown in Settings.",
            "pattern": "^[0-9]+$",
            "example": "1234",
            "required": True,
        }
    ]
    assert method["records"][0] == {
        "id": "dkim-s1",
        "type": "CNAME",
        "host": "s1._domainkey.{domain}",
        "value": "s1.domainkey.u{account_id}.wl.sendgrid.net",
        "check": "equals",
        "pattern": r"^s1\.domainkey\.u[0-9]+\.wl[0-9]*\.sendgrid\.net$",
        "purpose": "dkim",
        "selector": "s1",
        "priority": None,
        "required": True,
        "note": "",
        "known_selectors": [],
        # Cites nothing of its own: the record rests on its method's sources.
        "sources": ["https://docs.example.net/auth"],
        "evidence": "vendor-docs",
    }
    assert (method["evidence"], method["aligns"]) == ("vendor-docs", None)


def test_the_capability_is_derived_from_the_methods(anonymous, catalog):
    capability = anonymous.get("/api/v1/vendors/sendgrid").json()["capability"]
    assert capability["overall"] == "full"
    assert capability["label"] == "Full DMARC alignment (SPF and DKIM)"
    # The include is listed but earns no SPF credit: nothing documents it as aligned.
    assert capability["spf"] == ["Domain authentication"]
    assert capability["dkim"] == ["Domain authentication"]
    assert capability["routes"]["spf"] == {
        "state": "yes",
        "label": "Documented",
        "methods": ["Domain authentication"],
        "evidence": [
            {
                "method": "Domain authentication",
                "evidence": "vendor-docs",
                "sources": ["https://docs.example.net/auth"],
                "note": "",
            }
        ],
    }


def test_each_route_says_documented_no_or_not_documented_with_its_evidence(anonymous, catalog):
    postmark = anonymous.get("/api/v1/vendors/postmark").json()
    assert (postmark["capability"]["overall"], postmark["capability"]["spf"]) == ("dkim-only", [])
    assert postmark["capability"]["routes"]["spf"] == {
        "state": "no",
        "label": "Documented as not possible",
        "methods": [],
        "evidence": [
            {
                "method": "",
                "evidence": "vendor-docs",
                "sources": ["https://docs.example.net/bounces"],
                "note": "Bounces always use the vendor's own domain.",
            }
        ],
    }
    assert postmark["not_aligned"] == [
        {
            "route": "spf",
            "evidence": "vendor-docs",
            "sources": ["https://docs.example.net/bounces"],
            "note": "Bounces always use the vendor's own domain.",
        }
    ]
    helpy = anonymous.get("/api/v1/vendors/helpy").json()["capability"]
    assert helpy["overall"] == "spf-only"
    assert helpy["routes"]["dkim"] == {
        "state": "unknown",
        "label": "Not documented",
        "methods": [],
        "evidence": [],
    }


def test_a_record_citing_its_own_sources_shows_them_and_its_known_selectors(anonymous, catalog):
    guides = ["https://guide-one.example.org/ses", "https://guide-two.example.org/ses"]
    record = {
        "id": "dkim",
        "type": "CNAME",
        "host": "{token}._domainkey.{domain}",
        "value": "{token}.dkim.amazonses.com",
        "pattern": r"^[a-z0-9]{32}\.dkim\.amazonses\.com$",
        "purpose": "dkim",
        "selector": "{token}",
        "known_selectors": ["a", "b"],
        "sources": guides,
        "evidence": "secondary",
    }
    param = {"name": "token", "label": "DKIM token", "pattern": "^[a-z0-9]{32}$"}
    make_vendor(
        "ses",
        name="Amazon SES",
        related=["sendgrid"],
        methods=[dkim_cname_method(parameters=[param], records=[record])],
    )
    vendor = anonymous.get("/api/v1/vendors/ses").json()
    got = vendor["methods"][0]["records"][0]
    assert (got["sources"], got["evidence"], got["known_selectors"]) == (
        guides,
        "secondary",
        ["a", "b"],
    )
    assert vendor["capability"]["routes"]["dkim"]["evidence"][0]["evidence"] == "secondary"
    assert vendor["related"] == ["sendgrid"]


def test_a_vendor_without_an_aligned_option_says_why(anonymous, catalog):
    vendor = anonymous.get("/api/v1/vendors/oldmail").json()
    assert vendor["no_compliant_option"] is True
    assert vendor["no_compliant_explanation"] == "Sends from its own domain only."
    assert vendor["capability"]["overall"] == "none"
    assert vendor["methods"] == []


def test_an_unknown_vendor_is_a_404_in_the_error_shape(anonymous, catalog):
    response = anonymous.get("/api/v1/vendors/nosuch")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "No published vendor 'nosuch'."}


def test_an_unpublished_vendor_is_not_found(anonymous, catalog):
    assert anonymous.get("/api/v1/vendors/hidden").status_code == 404
