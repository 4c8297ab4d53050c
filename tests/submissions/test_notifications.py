"""E-mail: submitters hear about decisions, moderators get one digest; mail never blocks."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command

from sources.models import Report, Submission
from sources.services.notifications import moderators_digest_send
from sources.services.reports import report_create
from sources.services.submissions import (
    submission_create,
    submission_reject,
    submission_request_changes,
)
from tests.factories import new_vendor_data
from tests.submissions.helpers import SOURCES, form_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_down(monkeypatch):
    def down(self, messages):
        raise smtplib.SMTPException("451 try again later")

    monkeypatch.setattr(EmailBackend, "send_messages", down)


def test_new_submissions_and_reports_reach_moderators_in_one_digest(
    submitter, other_submitter, moderator, vendor
):
    submission_create(user=submitter, data=new_vendor_data("one", name="One"), provenance=SOURCES)
    submission_create(
        user=other_submitter, data=new_vendor_data("two", name="Two"), provenance=SOURCES
    )
    report_create(vendor=vendor, note="The selector is now s2.")
    assert moderators_digest_send() == 3
    [digest] = mail.outbox
    assert digest.to == ["mod@directory.example"]
    assert digest.subject == "To review: 2 submissions and 1 report"
    assert "New vendor: One (one), from sam@submitter.example" in digest.body
    assert "New vendor: Two (two), from olivia@other.example" in digest.body
    assert "ExampleMail: The selector is now s2." in digest.body
    assert "https://directory.example.org/admin/sources/submission/?state__exact=pending" in (
        digest.body
    )
    assert moderators_digest_send() == 0  # nothing is announced twice
    assert len(mail.outbox) == 1


def test_submitting_queues_the_digest_after_the_commit(
    submitter_client, moderator, categories, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitter_client.post("/submissions/new/", form_post(new_vendor_data()))
    assert [m.subject for m in mail.outbox] == ["To review: 1 submission"]
    assert Submission.objects.get().moderators_notified_at is not None


def test_a_failing_mail_server_loses_no_submission(
    submitter_client, moderator, categories, mail_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = submitter_client.post("/submissions/new/", form_post(new_vendor_data()))
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.state == Submission.State.PENDING
    assert submission.moderators_notified_at is None  # left for the next digest


def test_a_failed_digest_is_sent_by_the_next_run(submitter, moderator, categories, monkeypatch):
    submission_create(user=submitter, data=new_vendor_data(), provenance=SOURCES)
    original = EmailBackend.send_messages

    def down(self, messages):
        raise smtplib.SMTPException("down")

    monkeypatch.setattr(EmailBackend, "send_messages", down)
    assert moderators_digest_send() == 0
    monkeypatch.setattr(EmailBackend, "send_messages", original)
    call_command("send_moderator_digest", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert [m.subject for m in mail.outbox] == ["To review: 1 submission"]


def test_the_submitter_hears_about_requested_changes_and_rejections(
    submitter, moderator, categories, django_capture_on_commit_callbacks
):
    submission = submission_create(user=submitter, data=new_vendor_data(), provenance=SOURCES)
    with django_capture_on_commit_callbacks(execute=True):
        submission_request_changes(
            submission=submission, moderator=moderator, comment="Add the SPF include."
        )
    [message] = mail.outbox
    assert message.to == ["sam@submitter.example"]
    assert message.subject == "Changes requested: PostLark"
    assert "Add the SPF include." in message.body
    assert f"https://directory.example.org/submissions/{submission.pk}/" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        submission_reject(submission=submission, moderator=moderator, comment="Out of scope.")
    assert mail.outbox[-1].subject == "Not accepted: PostLark"


def test_a_decision_stands_when_its_mail_fails(
    submitter, moderator, categories, mail_down, django_capture_on_commit_callbacks
):
    submission = submission_create(user=submitter, data=new_vendor_data(), provenance=SOURCES)
    with django_capture_on_commit_callbacks(execute=True):
        submission_reject(submission=submission, moderator=moderator, comment="No.")
    submission.refresh_from_db()
    assert submission.state == Submission.State.REJECTED


def test_the_digest_waits_so_that_a_burst_shares_one_mail(
    submitter, moderator, categories, settings, django_capture_on_commit_callbacks
):
    """With the database task backend the digest is deferred; tasks queued meanwhile find
    nothing new to send."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MODERATOR_DIGEST_DELAY = 600
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        submission_create(
            user=submitter, data=new_vendor_data("one", name="One"), provenance=SOURCES
        )
        submission_create(
            user=submitter, data=new_vendor_data("two", name="Two"), provenance=SOURCES
        )
    path = "sources.services.notifications.moderators_digest"
    queued = DBTaskResult.objects.filter(task_path=path)
    assert queued.count() == 2
    assert all(t.run_after is not None for t in queued)
    assert not mail.outbox
    assert moderators_digest_send() == 2 and moderators_digest_send() == 0


def test_reports_are_saved_even_when_queueing_fails(
    client, vendor, monkeypatch, django_capture_on_commit_callbacks
):
    from sources.services import notifications

    class Broken:
        def enqueue(self, *args, **kwargs):
            raise RuntimeError("task backend down")

    monkeypatch.setattr(notifications, "moderators_digest", Broken())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/vendors/examplemail/report/", {"note": "Outdated."})
    assert response.status_code == 302
    assert Report.objects.count() == 1
