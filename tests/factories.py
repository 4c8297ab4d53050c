"""Plain factory functions for tests (no factory_boy): every test builds its accounts,
catalog entries, submissions' data and stored checks with these."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth import get_user_model
from django.utils import timezone

from sources.catalogfile import validate_vendor
from sources.models import ApiToken, BulkCheck, Category, CheckResult, DomainVerification, Vendor
from sources.services.apitokens import password_marker, token_digest
from sources.services.catalog import search_names_for, vendor_save_data

PASSWORD = "a long passphrase 4 tests"


def make_user(username: str, *, password: str | None = PASSWORD, **extra):
    """An account. A username that is an e-mail address is its e-mail too."""
    extra.setdefault("email", username if "@" in username else f"{username}@example.org")
    return get_user_model().objects.create_user(username=username, password=password, **extra)


def make_category(slug: str = "transactional-email", **overrides) -> Category:
    defaults = {"name": slug.replace("-", " ").capitalize(), "description": f"About {slug}."}
    return Category.objects.get_or_create(slug=slug, defaults={**defaults, **overrides})[0]


def dkim_cname_method(**overrides) -> dict:
    method = {
        "kind": "cname-delegation",
        "title": "Domain authentication",
        "recommended": True,
        "order": 1,
        "sources": ["https://docs.example.net/auth"],
        "steps": "1. Add the records.\n2. Click **Verify**.",
        "parameters": [
            {
                "name": "account_id",
                "label": "Account number",
                "help": "Shown in Settings.",
                "pattern": "^[0-9]+$",
                "example": "1234",
            }
        ],
        "records": [
            {
                "id": "dkim-s1",
                "type": "CNAME",
                "host": "s1._domainkey.{domain}",
                "value": "s1.dkim.u{account_id}.example.net",
                "purpose": "dkim",
                "selector": "s1",
            },
            {
                "id": "bounce",
                "type": "CNAME",
                "host": "bounce.{domain}",
                "value": "u{account_id}.bounces.example.net",
                "purpose": "return-path",
            },
        ],
    }
    return {**method, **overrides}


def vendor_data(slug: str = "examplemail", **overrides) -> dict:
    data = {
        "slug": slug,
        "name": overrides.pop("name", slug.replace("-", " ").title()),
        "aliases": [],
        "website": f"https://www.{slug}.example/",
        "categories": ["transactional-email"],
        "summary": f"{slug} sends transactional email.",
        "description": "Sends receipts and password resets.",
        "last_verified": dt.date(2026, 11, 1),
        "published": True,
        "documentation": [{"title": "Docs", "url": "https://docs.example.net/"}],
        "methods": [dkim_cname_method()],
    }
    data.update(overrides)
    return data


def spf_include_method(include: str = "sendgrid.net", **overrides) -> dict:
    """A method whose one record is an SPF include."""
    method = {
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
                "value": f"include:{include}",
                "check": "spf-include",
                "purpose": "spf",
            }
        ],
    }
    return {**method, **overrides}


def dkim_txt_method(selector: str = "pm", **overrides) -> dict:
    """A method where the customer pastes a DKIM key as TXT."""
    method = {
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
                "host": f"{selector}._domainkey.{{domain}}",
                "check": "dkim-key",
                "purpose": "dkim",
                "selector": selector,
            }
        ],
    }
    return {**method, **overrides}


def new_vendor_data(slug: str = "postlark", **overrides) -> dict:
    """A new vendor as a submission sends it (publication is the moderators' decision)."""
    data = vendor_data(slug, name=overrides.pop("name", "PostLark"), **overrides)
    data.pop("published", None)
    return data


def make_vendor(slug: str = "examplemail", **overrides) -> Vendor:
    """Create a vendor through the same path as the catalog import."""
    data = validate_vendor(vendor_data(slug, **overrides), source="test")
    categories = {c: make_category(c) for c in data["categories"]}
    return vendor_save_data(data=data, categories=categories)


# The vendor whose DNS is tests/zones/customer-mailhawk.zone (its customers' set-ups are
# tests/zones/customer-domains.zone, one scenario per name).
MAILHAWK_METHODS = [
    dkim_cname_method(
        kind="cname-delegation",
        title="Authenticate your domain with CNAME records",
        parameters=[
            {
                "name": "account_id",
                "label": "Account number",
                "help": "Shown under Settings → Sending domains.",
                "pattern": "^[0-9]{3,8}$",
                "example": "7001",
            }
        ],
        records=[
            {
                "id": "dkim-s1",
                "type": "CNAME",
                "host": "s1._domainkey.{domain}",
                "value": "s1.dkim.u{account_id}.mailhawk.test",
                "check": "dkim-key",
                "purpose": "dkim",
                "selector": "s1",
            },
            {
                "id": "dkim-s2",
                "type": "CNAME",
                "host": "s2._domainkey.{domain}",
                "value": "s2.dkim.u{account_id}.mailhawk.test",
                "check": "dkim-key",
                "purpose": "dkim",
                "selector": "s2",
            },
            {
                "id": "return-path",
                "type": "CNAME",
                "host": "bounces.{domain}",
                "value": "u{account_id}.bounce.mailhawk.test",
                "purpose": "return-path",
            },
        ],
    ),
    dkim_cname_method(
        kind="spf-include",
        title="Add Mailhawk to your SPF record",
        recommended=False,
        order=2,
        parameters=[],
        records=[
            {
                "id": "spf",
                "type": "TXT",
                "host": "{domain}",
                "value": "include:_spf.mailhawk.test",
                "check": "spf-include",
                "purpose": "spf",
            }
        ],
    ),
]


def make_mailhawk(**overrides) -> Vendor:
    """Mailhawk: CNAME delegation with an account number, and an SPF include."""
    return make_vendor("mailhawk", **{"name": "Mailhawk", "methods": MAILHAWK_METHODS, **overrides})


def make_vendors_bulk(count: int, *, category: Category | None = None) -> None:
    """Many plain vendors quickly (no methods), for size-independence tests."""
    category = category or make_category()
    vendors = Vendor.objects.bulk_create(
        Vendor(
            slug=f"bulk-{i}",
            name=f"Bulk Vendor {i}",
            website="https://bulk.example/",
            summary="A synthetic vendor.",
            last_verified=dt.date(2026, 1, 1),
            search_names=search_names_for(f"Bulk Vendor {i}", []),
        )
        for i in range(count)
    )
    through = Vendor.categories.through
    through.objects.bulk_create(through(vendor=v, category=category) for v in vendors)


def _created_days_ago(obj, days_old: float):
    if days_old:
        type(obj).objects.filter(pk=obj.pk).update(
            created_at=timezone.now() - dt.timedelta(days=days_old)
        )
        obj.refresh_from_db()
    return obj


def make_check_result(*, days_old: float = 0, **fields) -> CheckResult:
    """A stored check (a passing one unless told), created `days_old` days ago."""
    defaults = {"domain": "brightfield.example", "verdict": "pass", "result": {"verdict": "pass"}}
    return _created_days_ago(CheckResult.objects.create(**{**defaults, **fields}), days_old)


def make_bulk_check(*, days_old: float = 0, **fields) -> BulkCheck:
    """A bulk check row (one domain, not started, unless told), created `days_old` days ago."""
    return _created_days_ago(BulkCheck.objects.create(**{"total": 1, **fields}), days_old)


_tokens = itertools.count(1)


def make_domain_verification(user, domain: str, *, verified: bool = True, **fields):
    """A user's claim on a domain, verified unless told."""
    status = DomainVerification.Status.VERIFIED if verified else DomainVerification.Status.PENDING
    defaults = {"token": f"token-{next(_tokens)}", "status": status}
    return DomainVerification.objects.create(user=user, domain=domain, **{**defaults, **fields})


def api_key_for(user) -> str:
    """A working API key for `user` (the same one each call, so earlier clients keep working)."""
    key = f"test-token-{user.pk}"
    ApiToken.objects.filter(user=user).exclude(digest=token_digest(key)).delete()
    ApiToken.objects.update_or_create(
        digest=token_digest(key),
        defaults={
            "user": user,
            "prefix": key[:8],
            "password_marker": password_marker(user),
            "expires_at": timezone.now() + dt.timedelta(days=90),
        },
    )
    return key
