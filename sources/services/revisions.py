"""The revision history of vendor entries: every change of content, whatever made it.

An import, an approved submission, an admin edit or a restore each records a
revision with its origin, inside the transaction that saved the change; the
vendor's `updated_at` moves with it (and only then), so that `updated_since`
finds exactly the entries whose content changed.
"""

from __future__ import annotations

from django.db import transaction

from sources.catalogdiff import diff_entries
from sources.catalogfile import CatalogError, validate_vendor
from sources.models import Category, Revision, Submission, Vendor
from sources.services.catalog import (
    current_data,
    data_from_json,
    data_to_json,
    same_entry,
    vendor_save_data,
    vendor_touch,
)


class ModerationError(Exception):
    """A moderation step (or a restore) cannot be applied; the message says why, for people."""


def revision_record(
    *,
    vendor: Vendor,
    data: dict,
    origin: str,
    summary: str,
    before: dict | None = None,
    submission: Submission | None = None,
    user=None,
    restored_from: Revision | None = None,
) -> Revision:
    """Append a revision holding `data`; call inside the transaction that saved it.

    `before` is the entry as it was; when the vendor has no history yet (it came
    from the catalog files) it is kept as revision 1 so that it can be restored.
    """
    # Lock the vendor row so that concurrent revisions get distinct numbers.
    Vendor.objects.select_for_update().filter(pk=vendor.pk).first()
    previous = Revision.objects.filter(vendor=vendor).order_by("-number").first()
    if previous is None and before is not None:
        previous = Revision.objects.create(
            vendor=vendor,
            number=1,
            origin=Revision.Origin.IMPORT,
            data=data_to_json(before),
            changes=[],
            summary="The entry before its first recorded change",
        )
    old = data_from_json(previous.data) if previous is not None else None
    changes = diff_entries(old, data)
    revision = Revision.objects.create(
        vendor=vendor,
        number=(previous.number + 1) if previous is not None else 1,
        origin=origin,
        data=data_to_json(data),
        changes=[c.to_dict() for c in changes],
        summary=summary[:300],
        submission=submission,
        restored_from=restored_from,
        created_by=user,
    )
    return revision


def revision_restore(*, revision: Revision, user) -> Revision:
    """Make an earlier revision the current entry again; records a new revision."""
    with transaction.atomic():
        vendor = Vendor.objects.select_for_update().get(pk=revision.vendor_id)
        data = {**data_from_json(revision.data), "slug": vendor.slug}
        data["published"] = vendor.published
        categories = set(Category.objects.values_list("slug", flat=True))
        try:
            data = validate_vendor(
                data, source=f"revision {revision.number}", categories=categories
            )
        except CatalogError as exc:
            raise ModerationError(
                f"Revision {revision.number} cannot be restored: {exc.field}: {exc.message}"
            ) from None
        before = current_data(vendor)
        if same_entry(before, data):
            raise ModerationError(
                f"The entry already matches revision {revision.number}: nothing to restore."
            )
        vendor_save_data(data=data, before=before)
        return revision_record(
            vendor=vendor,
            data=data,
            before=before,
            origin=Revision.Origin.RESTORE,
            user=user,
            summary=f"Restored revision {revision.number}",
            restored_from=revision,
        )


def revision_after_edit(*, vendor: Vendor, before: dict | None, user, summary: str) -> None:
    """Record a revision for an edit made outside the submission flow (the admin);
    an edit that changed nothing records nothing (and leaves `updated_at` alone)."""
    after = current_data(vendor)
    if before is not None and same_entry(before, after):
        return
    vendor_touch(vendor)
    revision_record(
        vendor=vendor,
        data=after,
        before=before,
        origin=Revision.Origin.ADMIN,
        user=user,
        summary=summary,
    )


def vendors_set_published(*, vendors, published: bool, user) -> int:
    """Publish or unpublish entries (the admin's actions), each change a revision."""
    changed = 0
    with transaction.atomic():
        ids = list(vendors.values_list("pk", flat=True))
        chosen = Vendor.objects.select_for_update().filter(pk__in=ids, published=not published)
        for vendor in chosen:
            before = current_data(vendor)
            Vendor.objects.filter(pk=vendor.pk).update(published=published)
            revision_after_edit(
                vendor=vendor,
                before=before,
                user=user,
                summary="Published in the admin" if published else "Unpublished in the admin",
            )
            changed += 1
    return changed
