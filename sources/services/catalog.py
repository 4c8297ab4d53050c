"""Writes to the catalog: saving an entry, its derived fields, export to catalog files."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.utils import timezone

from sources.capability import derive_capability
from sources.catalogfile import (
    CATEGORIES_FILE,
    CatalogError,
    dump_vendor,
    validate_vendor,
)
from sources.models import (
    Category,
    DocumentationLink,
    MethodParameter,
    RecordRequirement,
    SetupMethod,
    Vendor,
)
from sources.selectors import vendor_to_data
from sources.services.verification import vendor_domain


def search_names_for(name: str, aliases: list[str]) -> str:
    """Names and aliases, lowercased, with space-free forms so 'zen desk' finds Zendesk."""
    names = [name, *aliases]
    forms = [n.casefold() for n in names] + [n.casefold().replace(" ", "") for n in names]
    return " | ".join(dict.fromkeys(forms))


def vendor_refresh_derived(vendor: Vendor) -> None:
    """Recompute the capability and search fields from the vendor's methods.

    The route titles and the overall label are stored; each route's state (documented
    yes / no / not documented) follows from them and the vendor's `not_aligned`.
    """
    methods = list(vendor.methods.prefetch_related("records"))
    cap = derive_capability(
        methods, no_compliant_option=vendor.no_compliant_option, not_aligned=vendor.not_aligned
    )
    vendor.dmarc_capability = cap.overall
    vendor.spf_routes = cap.spf
    vendor.dkim_routes = cap.dkim
    vendor.method_kinds = " ".join(sorted({m.kind for m in methods}))
    vendor.search_names = search_names_for(vendor.name, vendor.aliases)
    # `updated_at` is left alone: it moves only when the content changes (vendor_touch).
    Vendor.objects.filter(pk=vendor.pk).update(
        dmarc_capability=vendor.dmarc_capability,
        spf_routes=vendor.spf_routes,
        dkim_routes=vendor.dkim_routes,
        method_kinds=vendor.method_kinds,
        search_names=vendor.search_names,
    )
    vendors_refresh_search_vector(Vendor.objects.filter(pk=vendor.pk))


def vendors_refresh_search_vector(vendors) -> None:
    """Recompute the stored full-text vector (PostgreSQL only) in one UPDATE.

    Names and summaries only: in an email directory nearly every description says
    "mail", and ranking the whole catalog for such words costs more than it tells.
    """
    if connection.vendor == "postgresql":
        vendors.update(
            search_vector=SearchVector("name", weight="A", config="simple")
            + SearchVector("search_names", weight="A", config="simple")
            + SearchVector("summary", weight="B", config="english")
        )


# -- entries as data -------------------------------------------------------------------


def data_to_json(data: dict) -> dict:
    """Catalog data as JSON-ready values (the date as YYYY-MM-DD)."""
    out = dict(data)
    if isinstance(out.get("last_verified"), dt.date):
        out["last_verified"] = out["last_verified"].isoformat()
    return out


def data_from_json(data: dict, *, source: str = "submission") -> dict:
    """Stored or posted JSON back into catalog data (the validator wants a real date)."""
    out = dict(data)
    value = out.get("last_verified")
    if isinstance(value, str):
        try:
            out["last_verified"] = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise CatalogError(source, "last_verified", "must be a date (YYYY-MM-DD)") from None
    return out


def current_data(vendor: Vendor) -> dict:
    """The vendor as it is in the database, in catalog-file form."""
    return vendor_to_data(Vendor.objects.with_details().get(pk=vendor.pk))


def entry_key(data: dict) -> str:
    """A canonical text of an entry, equal for two entries exactly when their content is:
    categories are a set in the database, dates may be text or dates."""
    return json.dumps(
        {**data_to_json(data), "categories": sorted(data.get("categories", []))},
        sort_keys=True,
        default=str,
    )


def same_entry(a: dict, b: dict) -> bool:
    return entry_key(a) == entry_key(b)


@transaction.atomic
def vendor_save_data(
    *, data: dict, categories: dict[str, Category] | None = None, before: dict | None = ...
) -> Vendor:
    """Create or replace one vendor from validated catalog data.

    `updated_at` moves only when the entry's content differs from what was stored
    (`before`, the stored entry in catalog form or None for a new one, when the caller
    has it already).
    """
    if categories is None:
        categories = {c.slug: c for c in Category.objects.all()}
    if before is ...:
        stored = Vendor.objects.with_details().filter(slug=data["slug"]).first()
        before = vendor_to_data(stored) if stored is not None else None
    changed = before is None or not same_entry(before, data)
    vendor, created = Vendor.objects.update_or_create(
        slug=data["slug"],
        defaults={
            key: data[key]
            for key in (
                "name",
                "aliases",
                "website",
                "summary",
                "description",
                "last_verified",
                "published",
                "undocumented",
                "no_compliant_option",
                "no_compliant_explanation",
                "not_aligned",
                "related",
            )
        },
    )
    if created:
        # The vendor's own domain is recorded once, from the website it is created with;
        # a later change of website (a proposal, say) does not move it.
        vendor.own_domain = vendor_domain(vendor.website) or ""
        Vendor.objects.filter(pk=vendor.pk).update(own_domain=vendor.own_domain)
    vendor.categories.set([categories[slug] for slug in data["categories"]])
    vendor.documentation.all().delete()
    DocumentationLink.objects.bulk_create(
        DocumentationLink(vendor=vendor, position=i, **doc)
        for i, doc in enumerate(data["documentation"])
    )
    vendor.methods.all().delete()
    for m in data["methods"]:
        method = SetupMethod.objects.create(
            vendor=vendor,
            **{
                k: m[k]
                for k in ("kind", "title", "recommended", "order", "sources", "evidence", "aligns")
            },
            steps=m["steps"],
        )
        MethodParameter.objects.bulk_create(
            MethodParameter(method=method, position=i, **p) for i, p in enumerate(m["parameters"])
        )
        RecordRequirement.objects.bulk_create(
            RecordRequirement(
                method=method,
                position=i,
                record_id=r["id"],
                rtype=r["type"],
                check_type=r["check"],
                **{k: v for k, v in r.items() if k not in ("id", "type", "check")},
            )
            for i, r in enumerate(m["records"])
        )
    vendor_refresh_derived(vendor)
    if changed:
        vendor_touch(vendor)
    return vendor


def vendor_touch(vendor: Vendor) -> None:
    """Mark the entry's content as changed now (for `updated_since`, caches and ETags)."""
    vendor.updated_at = timezone.now()
    Vendor.objects.filter(pk=vendor.pk).update(updated_at=vendor.updated_at)


def vendor_validate_stored(*, vendor: Vendor) -> dict:
    """The vendor as stored, in catalog-file form, validated as `catalog_export` writes it.

    Raises CatalogError (naming the field) when the stored entry could not be exported:
    edits that bypass the catalog forms (the admin) call it before they are committed.
    """
    return _validated(Vendor.objects.with_details().get(pk=vendor.pk))


def _validated(vendor: Vendor) -> dict:
    return validate_vendor(vendor_to_data(vendor), source=f"{vendor.slug} (database)")


@dataclass
class ExportReport:
    vendors: int = 0
    written: list[str] = field(default_factory=list)  # file names
    unchanged: int = 0

    def __str__(self) -> str:
        return (
            f"{self.vendors} vendors: {len(self.written)} files written, {self.unchanged} unchanged"
        )


def _write_if_changed(path: Path, text: str, report: ExportReport) -> None:
    """Write only files whose bytes differ: an unchanged entry keeps its file (and mtime)."""
    data = text.encode()
    try:
        if path.read_bytes() == data:
            report.unchanged += 1
            return
    except FileNotFoundError:
        pass
    path.write_bytes(data)
    report.written.append(path.name)


def catalog_export(*, path: Path) -> ExportReport:
    """Write every vendor (and the categories) as catalog files, touching only the files
    whose content differs from what the database now holds."""
    path.mkdir(parents=True, exist_ok=True)
    import tomli_w

    report = ExportReport()
    categories = [
        {"slug": c.slug, "name": c.name, "description": c.description}
        for c in Category.objects.all()
    ]
    _write_if_changed(path / CATEGORIES_FILE, tomli_w.dumps({"category": categories}), report)
    for vendor in Vendor.objects.with_details().order_by("slug"):
        data = _validated(vendor)
        _write_if_changed(path / f"{vendor.slug}.toml", dump_vendor(data), report)
        report.vendors += 1
    return report
