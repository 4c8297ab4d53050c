"""Import of the catalog files, without losing what was edited on the site.

The database is the runtime source of truth. Each vendor keeps the data its file
last imported (`Vendor.imported_data`), so that an import can tell three cases
apart: the file changed and the entry did not (the file is taken), the entry was
edited on the site and the file did not change (the entry is kept), or both
changed (a conflict: the entry is kept and the conflict reported field by field,
until `keep_db` or `take_files` settles it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from sources.catalogdiff import FieldChange, diff_entries
from sources.catalogfile import CATALOG_DIR, load_catalog
from sources.models import Category, Revision, Vendor
from sources.selectors import vendor_to_data
from sources.services.catalog import (
    data_from_json,
    data_to_json,
    same_entry,
    vendor_save_data,
)
from sources.services.revisions import revision_record


class Resolution:
    """What to do with an entry changed both in its file and on the site."""

    REPORT = "report"  # keep the database, report the conflict (the default)
    KEEP_DB = "keep-db"  # keep the database and take the file as seen
    TAKE_FILES = "take-files"  # replace the entry with its file


@dataclass
class Conflict:
    slug: str
    fields: list[FieldChange]  # old: the database's value, new: the file's

    def lines(self, width: int = 70) -> list[str]:
        out = [f"{self.slug} ({self.slug}.toml): changed on the site and in its file"]
        for change in self.fields:
            out.append(
                f"  {change.label}: site {_short(change.old, width)}, "
                f"file {_short(change.new, width)}"
            )
        return out


def _short(text: str | None, width: int) -> str:
    if text is None:
        return "(none)"
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[: width - 1] + "…")


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # from their changed files
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited on the site, file unchanged
    conflicts: list[Conflict] = field(default_factory=list)  # kept, reported
    resolved_keep_db: list[str] = field(default_factory=list)
    resolved_take_files: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [
            f"{len(self.created)} created",
            f"{len(self.updated)} updated",
            f"{len(self.unchanged)} unchanged",
        ]
        if self.kept:
            parts.append(f"{len(self.kept)} kept as edited on the site")
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} in conflict (kept as on the site)")
        if self.resolved_keep_db:
            parts.append(f"{len(self.resolved_keep_db)} conflicts settled for the site")
        if self.resolved_take_files:
            parts.append(f"{len(self.resolved_take_files)} conflicts settled for the files")
        return ", ".join(parts)


def catalog_import(
    *, path: Path = CATALOG_DIR, resolution: str = Resolution.REPORT
) -> ImportReport:
    """Load every catalog file, all or nothing. Raises CatalogError naming file and field.

    Creates new entries; updates an entry only when the database still holds what its
    file last imported; never overwrites an edit made on the site unless `resolution`
    is TAKE_FILES.
    """
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
        edited = set(
            Revision.objects.exclude(origin=Revision.Origin.IMPORT).values_list(
                "vendor__slug", flat=True
            )
        )
        for data in vendors:
            current = existing.get(data["slug"])
            if current is None:
                _take_file(
                    data, categories, before=None, summary=f"Imported from {data['slug']}.toml"
                )
                report.created.append(data["slug"])
            else:
                _import_one(
                    current,
                    data,
                    categories=categories,
                    edited_on_site=data["slug"] in edited,
                    resolution=resolution,
                    report=report,
                )
    return report


def _import_one(
    current: Vendor,
    file: dict,
    *,
    categories: dict,
    edited_on_site: bool,
    resolution: str,
    report: ImportReport,
) -> None:
    slug = file["slug"]
    db = vendor_to_data(current)
    if current.imported_data is not None:
        base = data_from_json(current.imported_data, source=f"{slug} (last import)")
    elif not edited_on_site:
        # Imported before imports were remembered, and never edited since: the
        # database still holds what the file imported then.
        base = db
    else:
        base = None
    if same_entry(db, file):
        if base is None or not same_entry(base, file):
            _remember(current, file)
        report.unchanged.append(slug)
    elif base is not None and same_entry(base, file):
        report.kept.append(slug)  # edited on the site; the file has nothing newer
    elif base is not None and same_entry(base, db):
        _take_file(file, categories, before=db, summary=f"Updated from {slug}.toml")
        report.updated.append(slug)
    elif resolution == Resolution.TAKE_FILES:
        _take_file(
            file,
            categories,
            before=db,
            summary=f"Replaced by {slug}.toml (--take-files: edits on the site dropped)",
        )
        report.resolved_take_files.append(slug)
    elif resolution == Resolution.KEEP_DB:
        _remember(current, file)
        report.resolved_keep_db.append(slug)
    else:
        report.conflicts.append(Conflict(slug, diff_entries(db, file)))


def _remember(vendor: Vendor, file: dict) -> None:
    Vendor.objects.filter(pk=vendor.pk).update(imported_data=data_to_json(file))


def _take_file(file: dict, categories: dict, *, before: dict | None, summary: str) -> None:
    vendor = vendor_save_data(data=file, categories=categories, before=before)
    _remember(vendor, file)
    revision_record(
        vendor=vendor, data=file, before=before, origin=Revision.Origin.IMPORT, summary=summary
    )
