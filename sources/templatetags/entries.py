"""Vendor entries as plain data for templates: one rendering for the public page,
the submission preview and the revision history."""

from __future__ import annotations

from django import template

from sources.capability import Capability, vendor_capability
from sources.catalogfile import METHOD_KINDS
from sources.checker import best_first
from sources.models import Category, Vendor
from sources.selectors import vendor_to_data

register = template.Library()


def entry_from_vendor(vendor: Vendor, *, maintained: bool = False) -> dict:
    """A published vendor (loaded with_details) as display data."""
    categories = [{"name": c.name, "url": c.get_absolute_url()} for c in vendor.categories.all()]
    capability = _capability(vendor_capability(vendor))
    return _entry(vendor_to_data(vendor), categories, capability, maintained=maintained)


def entry_from_data(data: dict, *, maintained: bool = False) -> dict:
    """Catalog data (a submission, a revision) as the public page would show it."""
    by_slug = {c.slug: c for c in Category.objects.filter(slug__in=data.get("categories", []))}
    categories = [
        {"name": by_slug[s].name, "url": by_slug[s].get_absolute_url()}
        for s in data.get("categories", [])
        if s in by_slug
    ]
    return _entry(data, categories, _capability(vendor_capability(data)), maintained=maintained)


def _capability(cap: Capability) -> dict:
    routes = {
        name: {
            "state": route.state,
            "label": route.label,
            "methods": route.methods,
            "evidence": route.evidence,
        }
        for name, route in (("spf", cap.spf_route), ("dkim", cap.dkim_route))
    }
    return {
        "overall": cap.overall,
        "label": cap.label,
        "spf": cap.spf,
        "dkim": cap.dkim,
        "routes": routes,
    }


def _entry(data: dict, categories: list[dict], capability: dict, *, maintained: bool) -> dict:
    methods = [
        {
            **m,
            "kind_label": METHOD_KINDS.get(m["kind"], m["kind"]),
            "evidence": m.get("evidence") or "vendor-docs",
            "records": [_record_evidence(m, r) for r in m.get("records", [])],
        }
        for m in best_first(data.get("methods", []))
    ]
    return {
        **data,
        "categories": categories,
        "capability": capability,
        "methods": methods,
        "maintained": maintained,
    }


def _record_evidence(method: dict, record: dict) -> dict:
    """A record with the evidence it rests on: its own sources, else its method's."""
    if record.get("sources"):
        cited = {"tier": record.get("evidence") or "vendor-docs", "sources": record["sources"]}
    else:
        tier = method.get("evidence") or "vendor-docs"
        cited = {"tier": tier, "sources": method.get("sources", []), "inherited": True}
    return {**record, "cited": cited}


@register.inclusion_tag("sources/_vendor_entry.html")
def vendor_entry(entry: dict):
    """Render an entry made by entry_from_vendor() or entry_from_data()."""
    return {"entry": entry}


@register.simple_tag
def public_entry(vendor: Vendor, maintained: bool | None = None) -> dict:
    """The entry for the public vendor page, with its "maintained by the vendor" badge
    (looked up unless the page already knows)."""
    if maintained is None:
        from sources.services.verification import vendor_maintained_by_vendor

        maintained = vendor_maintained_by_vendor(vendor)
    return entry_from_vendor(vendor, maintained=maintained)
