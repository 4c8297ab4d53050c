"""Reports of outdated or wrong information in an entry, and closing them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from sources.models import Report, Vendor
from sources.services import notifications
from sources.services.submissions import comment_validate


def report_create(*, vendor: Vendor, note: str, email: str = "", user=None) -> Report:
    """File an "outdated or wrong information" report for the moderators."""
    reporter = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        report = Report.objects.create(
            vendor=vendor, note=note.strip(), email=email.strip(), reporter=reporter
        )
        transaction.on_commit(notifications.moderators_digest_schedule)
        transaction.on_commit(
            lambda: notifications.maintainers_report_schedule(report_id=report.pk)
        )
    return report


def report_close(*, report: Report, moderator, resolved: bool, comment: str = "") -> None:
    """Mark a report resolved (the entry was fixed) or dismissed."""
    Report.objects.filter(pk=report.pk).update(
        state=Report.State.RESOLVED if resolved else Report.State.DISMISSED,
        resolved_by=moderator,
        resolved_at=timezone.now(),
        moderator_comment=comment_validate(comment, required=False),
    )


def report_clear(*, report_id: int, comment: str) -> bool:
    """Resolve a report the site opened itself once what it reported is gone (if still open).

    A report a moderator already closed is left as they closed it.
    """
    return bool(
        Report.objects.filter(pk=report_id, state=Report.State.OPEN).update(
            state=Report.State.RESOLVED, resolved_at=timezone.now(), moderator_comment=comment
        )
    )
