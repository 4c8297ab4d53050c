"""Writes to the catalog: import and export of catalog files, derived fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.utils import timezone

from sources.capability import derive_capability
from sources.catalogfile import (
    CATALOG_DIR,
    CATEGORIES_FILE,
    dump_vendor,
    load_catalog,
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


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged"
        )


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
    # Methods and records may have changed without the vendor row (the admin's method
    # form): the vendor changed all the same, for caches and ETags keyed on updated_at.
    vendor.updated_at = timezone.now()
    Vendor.objects.filter(pk=vendor.pk).update(
        updated_at=vendor.updated_at,
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


def _normalised(data: dict) -> dict:
    # Categories are a set in the database: compare them in file order-insensitively.
    return {**data, "categories": sorted(data["categories"])}


@transaction.atomic
def vendor_save_data(*, data: dict, categories: dict[str, Category] | None = None) -> Vendor:
    """Create or replace one vendor from validated catalog data."""
    if categories is None:
        categories = {c.slug: c for c in Category.objects.all()}
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
    return vendor


def catalog_import(*, path: Path = CATALOG_DIR) -> ImportReport:
    """Load every catalog file, all or nothing. Raises CatalogError naming file and field."""
    category_data, vendors = load_catalog(path)
    report = ImportReport()
    with transaction.atomic():
        categories = {}
        for position, cat in enumerate(category_data):
            categories[cat["slug"]], _ = Category.objects.update_or_create(
                slug=cat["slug"],
                defaults={
                    "name": cat["name"],
                    "description": cat["description"],
                    "position": position,
                },
            )
        existing = {v.slug: v for v in Vendor.objects.with_details()}
        for data in vendors:
            current = existing.get(data["slug"])
            if current is None:
                report.created.append(data["slug"])
            elif _normalised(vendor_to_data(current)) == _normalised(data):
                report.unchanged.append(data["slug"])
                continue
            else:
                report.updated.append(data["slug"])
            vendor_save_data(data=data, categories=categories)
    return report


def vendor_validate_stored(*, vendor: Vendor) -> dict:
    """The vendor as stored, in catalog-file form, validated as `catalog_export` writes it.

    Raises CatalogError (naming the field) when the stored entry could not be exported:
    edits that bypass the catalog forms (the admin) call it before they are committed.
    """
    return _validated(Vendor.objects.with_details().get(pk=vendor.pk))


def _validated(vendor: Vendor) -> dict:
    return validate_vendor(vendor_to_data(vendor), source=f"{vendor.slug} (database)")


def catalog_export(*, path: Path) -> int:
    """Write every vendor (and the categories) as catalog files; returns the vendor count."""
    path.mkdir(parents=True, exist_ok=True)
    import tomli_w

    categories = [
        {"slug": c.slug, "name": c.name, "description": c.description}
        for c in Category.objects.all()
    ]
    (path / CATEGORIES_FILE).write_text(tomli_w.dumps({"category": categories}))
    count = 0
    for vendor in Vendor.objects.with_details().order_by("slug"):
        data = _validated(vendor)
        (path / f"{vendor.slug}.toml").write_text(dump_vendor(data))
        count += 1
    return count
