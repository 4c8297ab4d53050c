"""GET /api/v1/vendors/{slug}: one vendor with its methods, records and derived capability."""

import pytest

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
    }


def test_the_capability_is_derived_from_the_methods(anonymous, catalog):
    assert anonymous.get("/api/v1/vendors/sendgrid").json()["capability"] == {
        "overall": "full",
        "label": "Full DMARC alignment (SPF and DKIM)",
        "spf": ["Domain authentication", "Add our include to your SPF record"],
        "dkim": ["Domain authentication"],
    }
    postmark = anonymous.get("/api/v1/vendors/postmark").json()["capability"]
    assert (postmark["overall"], postmark["spf"]) == ("dkim-only", [])


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
