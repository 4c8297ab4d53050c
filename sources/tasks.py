"""Background tasks (Django's Tasks framework; the database backend by default)."""

from django.tasks import task

from sources.services import notifications
from sources.services.bulkchecks import bulk_check_run  # noqa: F401 - the path of queued rows


@task
def moderators_digest() -> int:
    """E-mail the moderators one digest of what arrived since the last one."""
    return notifications.moderators_digest_send()


@task
def submission_event_email(event_id: int) -> bool:
    """Tell a submitter that their submission was approved, rejected or sent back."""
    return notifications.submission_event_email_send(event_id=event_id)


@task
def verifications_recheck() -> dict:
    """Re-check every verified domain; verifications whose token is gone expire."""
    from sources.services.verification import verifications_recheck_all

    return verifications_recheck_all()
