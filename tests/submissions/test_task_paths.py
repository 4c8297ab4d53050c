"""Each task lives beside its service; rows queued under the old sources.tasks paths still run."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.tasks import Task

from sources import tasks
from sources.models import Submission
from sources.services import bulkchecks, notifications, verification
from sources.services.submissions import submission_create
from tests.factories import new_vendor_data
from tests.submissions.helpers import SOURCES


def test_every_task_is_defined_beside_its_service():
    assert tasks.moderators_digest.module_path == (
        "sources.services.notifications.moderators_digest"
    )
    assert tasks.submission_event_email is notifications.submission_event_email
    assert tasks.verifications_recheck is verification.verifications_recheck
    assert tasks.bulk_check_run is bulkchecks.bulk_check_run
    assert all(isinstance(getattr(tasks, name), Task) for name in tasks.__all__)


@pytest.mark.django_db(transaction=True)
def test_a_row_queued_under_the_old_path_still_runs(submitter, moderator, categories, settings):
    """A digest queued before the move stores sources.tasks.moderators_digest; the worker
    must still find and run it."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "bulk"]}
    }
    settings.MODERATOR_DIGEST_DELAY = 0
    from django_tasks_db.models import DBTaskResult

    submission_create(user=submitter, data=new_vendor_data("one", name="One"), provenance=SOURCES)
    queued = DBTaskResult.objects.filter(task_path=tasks.moderators_digest.module_path)
    assert queued.count() == 1
    queued.update(task_path="sources.tasks.moderators_digest")
    mail.outbox.clear()

    call_command("db_worker", "--batch", "--no-startup-delay")

    row = DBTaskResult.objects.get()
    assert row.status == "SUCCESSFUL", row.exception_class_path
    assert row.return_value == 1
    assert Submission.objects.get().moderators_notified_at is not None
    assert [m.subject for m in mail.outbox] == ["To review: 1 submission"]
