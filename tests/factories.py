"""Plain factory functions for tests (no factory_boy)."""

from __future__ import annotations

import datetime as dt

from sources.catalogfile import validate_vendor
from sources.models import Category, Vendor
from sources.services.catalog import search_names_for, vendor_save_data


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


def make_vendor(slug: str = "examplemail", **overrides) -> Vendor:
    """Create a vendor through the same path as the catalog import."""
    data = validate_vendor(vendor_data(slug, **overrides), source="test")
    categories = {c: make_category(c) for c in data["categories"]}
    return vendor_save_data(data=data, categories=categories)


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
