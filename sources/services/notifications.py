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

from sources.demandselectors import maintainers_of
from sources.models import Report, Submission, SubmissionEvent, Vendor
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


def maintainers_report_schedule(*, report_id: int) -> None:
    """Queue the e-mail telling an entry's maintainers about a report on it."""
    _enqueue(maintainer_report_email, report_id)


def maintainers_proposal_schedule(*, submission_id: int) -> None:
    """Queue the e-mail telling an entry's maintainers about proposed changes to it."""
    _enqueue(maintainer_proposal_email, submission_id)


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


def maintainer_addresses(vendor: Vendor, *, except_user_id: int | None = None) -> list[str]:
    """Addresses of the entry's maintainers, leaving out whoever caused the message."""
    users = maintainers_of(vendor).exclude(email="")
    if except_user_id is not None:
        users = users.exclude(pk=except_user_id)
    return sorted(set(users.values_list("email", flat=True)))


def _to_maintainers(vendor: Vendor, *, except_user_id, subject: str, template: str, context) -> int:
    """One message per maintainer (no one sees the others' addresses); how many were sent."""
    context = {
        **context,
        "vendor": vendor,
        "vendor_url": absolute_url(vendor.get_absolute_url()),
        "dashboard_url": absolute_url(reverse("maintainer-dashboard")),
    }
    sent = 0
    for address in maintainer_addresses(vendor, except_user_id=except_user_id):
        sent += send_safely(subject=subject, template=template, context=context, to=[address])
    return sent


def maintainer_report_email_send(*, report_id: int) -> int:
    """E-mail the maintainers of the reported entry; returns how many messages were sent."""
    report = Report.objects.select_related("vendor").filter(pk=report_id).first()
    if report is None:
        return 0
    return _to_maintainers(
        report.vendor,
        except_user_id=report.reporter_id,
        subject=f"Report on {report.vendor.name}: outdated or wrong information",
        template="sources/email/maintainer_report.txt",
        context={"report": report},
    )


def maintainer_proposal_email_send(*, submission_id: int) -> int:
    """E-mail the maintainers of an entry someone proposed changes to."""
    submission = Submission.objects.select_related("vendor").filter(pk=submission_id).first()
    if submission is None or submission.vendor is None:
        return 0
    return _to_maintainers(
        submission.vendor,
        except_user_id=submission.submitter_id,
        subject=f"Changes proposed to {submission.vendor.name}",
        template="sources/email/maintainer_proposal.txt",
        context={"submission": submission},
    )


# -- the background tasks (Django's Tasks framework) -------------------------------------


@task
def moderators_digest() -> int:
    """E-mail the moderators one digest of what arrived since the last one."""
    return moderators_digest_send()


@task
def submission_event_email(event_id: int) -> bool:
    """Tell a submitter that their submission was approved, rejected or sent back."""
    return submission_event_email_send(event_id=event_id)


@task
def maintainer_report_email(report_id: int) -> int:
    """Tell an entry's maintainers that someone reported it outdated or wrong."""
    return maintainer_report_email_send(report_id=report_id)


@task
def maintainer_proposal_email(submission_id: int) -> int:
    """Tell an entry's maintainers that someone proposed changes to it."""
    return maintainer_proposal_email_send(submission_id=submission_id)
