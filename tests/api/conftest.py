"""Personas and a small catalog for the API tests.

Personas: `anonymous` (no credentials), `token_user` (an account's API token) and
`staff` (a staff account's token). Each is a Django test client.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.browser.conftest import browser, page  # noqa: F401 - the browser tests' fixtures
from tests.factories import dkim_cname_method, make_category, make_vendor

SPF_INCLUDE_METHOD = {
    "kind": "spf-include",
    "title": "Add our include to your SPF record",
    "recommended": False,
    "order": 2,
    "sources": ["https://docs.example.net/spf"],
    "steps": "Add the include.",
    "parameters": [],
    "records": [
        {
            "id": "spf",
            "type": "TXT",
            "host": "{domain}",
            "value": "include:sendgrid.net",
            "check": "spf-include",
            "purpose": "spf",
        }
    ],
}

DKIM_TXT_METHOD = {
    "kind": "dkim-txt",
    "title": "Paste a DKIM key",
    "recommended": True,
    "order": 1,
    "sources": ["https://docs.example.net/dkim"],
    "steps": "Paste the key shown in Settings.",
    "parameters": [],
    "records": [
        {
            "id": "dkim",
            "type": "TXT",
            "host": "pm._domainkey.{domain}",
            "check": "dkim-key",
            "purpose": "dkim",
            "selector": "pm",
        }
    ],
}

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


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Rate-limit counters start at zero in every test."""
    cache.clear()
    yield
    cache.clear()


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
            methods=[sendgrid_method(), SPF_INCLUDE_METHOD],
        ),
        "postmark": make_vendor(
            "postmark",
            name="Postmark",
            summary="Transactional email with fast delivery.",
            methods=[DKIM_TXT_METHOD],
            not_aligned=[POSTMARK_NO_SPF],
        ),
        "helpy": make_vendor(
            "helpy",
            name="Helpy",
            categories=["helpdesk"],
            summary="A helpdesk that answers customers by email.",
            # Documented to use the customer's domain as envelope sender; DKIM not documented.
            methods=[{**SPF_INCLUDE_METHOD, "records": [], "aligns": ["spf"]}],
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


def _user(username: str, **extra):
    return get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password="not used here", **extra
    )


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def token_user(db):
    """A client sending an ordinary account's API token."""
    token = Token.objects.create(user=_user("tara"))
    return Client(headers={"Authorization": f"Token {token.key}"})


@pytest.fixture
def staff(db):
    """A client sending a staff account's API token."""
    token = Token.objects.create(user=_user("stan", is_staff=True, is_superuser=True))
    return Client(headers={"Authorization": f"Token {token.key}"})
