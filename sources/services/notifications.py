"""E-mail to submitters and moderators.

Mail never decides anything: callers save first and call these afterwards
(after the transaction commits). A failure to queue or send is logged and
swallowed, so it cannot lose or block a submission.
"""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import Q
from django.tasks import Task, task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sources.models import Report, Submission, SubmissionEvent
from sources.permissions import MODERATORS

logger = logging.getLogger(__name__)

DIGEST_LIMIT = 200  # items listed in one digest; the rest go in the next one


def absolute_url(path: str) -> str:
    return urljoin(settings.SITE_URL.rstrip("/") + "/", path.lstrip("/"))


def send_safely(*, subject: str, template: str, context: dict, to: list[str]) -> bool:
    """Send one plain-text message; log and return False on any failure."""
    if not to:
        return False
    try:
        body = render_to_string(template, {"site_url": settings.SITE_URL, **context})
        # Header injection is impossible by construction, but keep subjects on one line.
        subject = " ".join(subject.split())[:200]
        EmailMessage(subject=subject, body=body, to=to).send()
    except Exception:
        logger.exception("could not send %r to %d recipient(s)", subject, len(to))
        return False
    return True


# -- queueing -----------------------------------------------------------------------


def _enqueue(job: Task, *args, delay: int = 0) -> None:
    try:
        if delay > 0 and job.get_backend().supports_defer:
            job = job.using(run_after=timezone.now() + dt.timedelta(seconds=delay))
        job.enqueue(*args)
    except Exception:
        logger.exception("could not queue %s", getattr(job, "name", job))


def moderators_digest_schedule() -> None:
    """Queue a digest for the moderators; items arriving meanwhile share it."""
    _enqueue(moderators_digest, delay=getattr(settings, "MODERATOR_DIGEST_DELAY", 0))


def submission_state_changed(*, event_id: int) -> None:
    """Queue the e-mail telling a submitter what happened to their submission."""
    _enqueue(submission_event_email, event_id)


# -- the messages ---------------------------------------------------------------------


def submission_event_email_send(*, event_id: int) -> bool:
    """E-mail the submitter about one approval, rejection or request for changes."""
    event = (
        SubmissionEvent.objects.select_related("submission__submitter", "submission__vendor")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return False
    submission = event.submission
    user = submission.submitter
    if user is None or not user.email or not user.is_active:
        return False
    subjects = {
        "approved": f"Published: {submission.name}",
        "rejected": f"Not accepted: {submission.name}",
        "changes_requested": f"Changes requested: {submission.name}",
    }
    if event.action not in subjects:
        return False
    return send_safely(
        subject=subjects[event.action],
        template="submissions/email/state_changed.txt",
        context={
            "event": event,
            "submission": submission,
            "submission_url": absolute_url(submission.get_absolute_url()),
            "vendor_url": (
                absolute_url(submission.vendor.get_absolute_url())
                if event.action == "approved" and submission.vendor
                else ""
            ),
        },
        to=[user.email],
    )


def moderator_emails() -> list[str]:
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name=MODERATORS) | Q(is_superuser=True))
    )
    return sorted({e for e in users.exclude(email="").values_list("email", flat=True)})


def moderators_digest_send() -> int:
    """Send one digest of new submissions and reports; returns how many it listed.

    Items are claimed before sending and released again if sending fails, so
    two workers never announce the same item and a failure loses nothing.
    """
    recipients = moderator_emails()
    if not recipients:
        logger.warning("no moderator has an e-mail address: digest not sent")
        return 0
    stamp = timezone.now()
    sub_ids = list(
        Submission.objects.pending()
        .filter(moderators_notified_at=None)
        .order_by("submitted_at")
        .values_list("pk", flat=True)[:DIGEST_LIMIT]
    )
    rep_ids = list(
        Report.objects.filter(state=Report.State.OPEN, moderators_notified_at=None)
        .order_by("created_at")
        .values_list("pk", flat=True)[:DIGEST_LIMIT]
    )
    Submission.objects.filter(pk__in=sub_ids, moderators_notified_at=None).update(
        moderators_notified_at=stamp
    )
    Report.objects.filter(pk__in=rep_ids, moderators_notified_at=None).update(
        moderators_notified_at=stamp
    )
    submissions = list(
        Submission.objects.filter(moderators_notified_at=stamp).select_related("submitter")
    )
    reports = list(Report.objects.filter(moderators_notified_at=stamp).select_related("vendor"))
    if not submissions and not reports:
        return 0
    parts = []
    if submissions:
        parts.append(f"{len(submissions)} submission{'s' if len(submissions) != 1 else ''}")
    if reports:
        parts.append(f"{len(reports)} report{'s' if len(reports) != 1 else ''}")
    sent = send_safely(
        subject=f"To review: {' and '.join(parts)}",
        template="submissions/email/moderators_digest.txt",
        context={
            "submissions": submissions,
            "reports": reports,
            "queue_url": absolute_url(
                reverse("admin:sources_submission_changelist") + "?state__exact=pending"
            ),
            "reports_url": absolute_url(
                reverse("admin:sources_report_changelist") + "?state__exact=open"
            ),
            "admin_url": absolute_url(reverse("admin:index")),
        },
        to=recipients,
    )
    if not sent:
        Submission.objects.filter(moderators_notified_at=stamp).update(moderators_notified_at=None)
        Report.objects.filter(moderators_notified_at=stamp).update(moderators_notified_at=None)
        return 0
    return len(submissions) + len(reports)


# -- the background tasks (Django's Tasks framework) -------------------------------------


@task
def moderators_digest() -> int:
    """E-mail the moderators one digest of what arrived since the last one."""
    return moderators_digest_send()


@task
def submission_event_email(event_id: int) -> bool:
    """Tell a submitter that their submission was approved, rejected or sent back."""
    return submission_event_email_send(event_id=event_id)
