"""Vendor entries as plain data for templates: one rendering for the public page,
the submission preview and the revision history."""

from __future__ import annotations

from django import template

from sources.capability import CAPABILITY_LABELS, derive_capability
from sources.catalogfile import METHOD_KINDS
from sources.checker import best_first
from sources.models import Category, Vendor
from sources.services.catalog import vendor_to_data

register = template.Library()


def entry_from_vendor(vendor: Vendor, *, maintained: bool = False) -> dict:
    """A published vendor (loaded with_details) as display data."""
    categories = [{"name": c.name, "url": c.get_absolute_url()} for c in vendor.categories.all()]
    capability = {
        "overall": vendor.dmarc_capability,
        "label": vendor.capability_label,
        "spf": list(vendor.spf_routes),
        "dkim": list(vendor.dkim_routes),
    }
    return _entry(vendor_to_data(vendor), categories, capability, maintained=maintained)


def entry_from_data(data: dict, *, maintained: bool = False) -> dict:
    """Catalog data (a submission, a revision) as the public page would show it."""
    by_slug = {c.slug: c for c in Category.objects.filter(slug__in=data.get("categories", []))}
    categories = [
        {"name": by_slug[s].name, "url": by_slug[s].get_absolute_url()}
        for s in data.get("categories", [])
        if s in by_slug
    ]
    cap = derive_capability(
        [
            {
                "kind": m["kind"],
                "title": m["title"],
                "purposes": [r["purpose"] for r in m.get("records", [])],
            }
            for m in data.get("methods", [])
        ],
        no_compliant_option=data.get("no_compliant_option", False),
    )
    capability = {
        "overall": cap.overall,
        "label": CAPABILITY_LABELS[cap.overall],
        "spf": cap.spf,
        "dkim": cap.dkim,
    }
    return _entry(data, categories, capability, maintained=maintained)


def _entry(data: dict, categories: list[dict], capability: dict, *, maintained: bool) -> dict:
    methods = [
        {**m, "kind_label": METHOD_KINDS.get(m["kind"], m["kind"])}
        for m in best_first(data.get("methods", []))
    ]
    return {
        **data,
        "categories": categories,
        "capability": capability,
        "methods": methods,
        "maintained": maintained,
    }


@register.inclusion_tag("sources/_vendor_entry.html")
def vendor_entry(entry: dict):
    """Render an entry made by entry_from_vendor() or entry_from_data()."""
    return {"entry": entry}


@register.simple_tag
def public_entry(vendor: Vendor) -> dict:
    """The entry for the public vendor page, with its "maintained by the vendor" badge."""
    from sources.services.verification import vendor_maintained_by_vendor

    return entry_from_vendor(vendor, maintained=vendor_maintained_by_vendor(vendor))
