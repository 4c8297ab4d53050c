"""Personas and a small catalog for the API tests.

Personas: `anonymous` (no credentials), `token_user` (an account's API token) and
`staff` (a staff account's token). Each is a Django test client.
"""

import pytest
from django.test import Client

from tests.factories import (
    api_key_for,
    dkim_cname_method,
    dkim_txt_method,
    make_category,
    make_user,
    make_vendor,
    spf_include_method,
)

POSTMARK_NO_SPF = {
    "route": "spf",
    "sources": ["https://docs.example.net/bounces"],
    "note": "Bounces always use the vendor's own domain.",
}


def sendgrid_method():
    """CNAMEs with a parameter, and a pattern for the DKIM target."""
    return dkim_cname_method(
        records=[
            {
                "id": "dkim-s1",
                "type": "CNAME",
                "host": "s1._domainkey.{domain}",
                "value": "s1.domainkey.u{account_id}.wl.sendgrid.net",
                "pattern": r"^s1\.domainkey\.u[0-9]+\.wl[0-9]*\.sendgrid\.net$",
                "purpose": "dkim",
                "selector": "s1",
            },
            {
                "id": "bounce",
                "type": "CNAME",
                "host": "em.{domain}",
                "value": "u{account_id}.wl.sendgrid.net",
                "purpose": "return-path",
            },
        ]
    )


@pytest.fixture
def catalog(db):
    """Four published vendors in three categories, and one unpublished."""
    for slug in ("transactional-email", "helpdesk", "marketing"):
        make_category(slug)
    return {
        "sendgrid": make_vendor(
            "sendgrid",
            name="SendGrid",
            aliases=["Twilio SendGrid"],
            summary="Transactional and marketing email.",
            categories=["transactional-email", "marketing"],
            methods=[sendgrid_method(), spf_include_method()],
        ),
        "postmark": make_vendor(
            "postmark",
            name="Postmark",
            summary="Transactional email with fast delivery.",
            methods=[dkim_txt_method()],
            not_aligned=[POSTMARK_NO_SPF],
        ),
        "helpy": make_vendor(
            "helpy",
            name="Helpy",
            categories=["helpdesk"],
            summary="A helpdesk that answers customers by email.",
            # Documented to use the customer's domain as envelope sender; DKIM not documented.
            methods=[spf_include_method(records=[], aligns=["spf"])],
        ),
        "oldmail": make_vendor(
            "oldmail",
            name="OldMail",
            categories=["marketing"],
            summary="Newsletters from a shared domain.",
            methods=[],
            no_compliant_option=True,
            no_compliant_explanation="Sends from its own domain only.",
        ),
        "hidden": make_vendor("hidden", name="Hidden", published=False),
    }


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def token_user(db):
    """A client sending an ordinary account's API token."""
    user = make_user("tara", password=None)
    return Client(headers={"Authorization": f"Token {api_key_for(user)}"})


@pytest.fixture
def staff(db):
    """A client sending a staff account's API token."""
    user = make_user("stan", password=None, is_staff=True, is_superuser=True)
    return Client(headers={"Authorization": f"Token {api_key_for(user)}"})
