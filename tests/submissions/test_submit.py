"""Submitting a new vendor, and what the submitter then sees at /submissions/."""

import pytest

from sources.models import Submission, SubmissionEvent, Vendor
from tests.factories import new_vendor_data
from tests.submissions.helpers import form_post

pytestmark = pytest.mark.django_db


def test_a_submission_is_saved_pending_with_its_provenance(submitter_client, submitter, categories):
    response = submitter_client.post(
        "/submissions/new/", form_post(new_vendor_data(), note="I read the docs today.")
    )
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/submissions/{submission.pk}/"
    assert submission.state == Submission.State.PENDING
    assert submission.kind == Submission.Kind.NEW
    assert submission.submitter == submitter
    assert submission.slug == "postlark"
    assert submission.provenance == ["https://docs.example.net/auth"]
    assert submission.note == "I read the docs today."
    assert submission.data["last_verified"] == "2026-11-01"
    assert submission.data["published"] is True
    assert [e.action for e in submission.events.all()] == [SubmissionEvent.Action.SUBMITTED]
    assert not Vendor.objects.filter(slug="postlark").exists()  # nothing public yet


def test_the_submitter_sees_the_state_at_submissions(submitter_client, categories):
    submitter_client.post("/submissions/new/", form_post(new_vendor_data()))
    html = submitter_client.get("/submissions/").content.decode()
    assert "PostLark" in html and "Pending review" in html


def test_the_detail_page_shows_state_timeline_and_preview(submitter_client, categories):
    submitter_client.post("/submissions/new/", form_post(new_vendor_data()))
    submission = Submission.objects.get()
    html = submitter_client.get(f"/submissions/{submission.pk}/").content.decode()
    assert "Pending review" in html
    assert "Submitted" in html
    assert "<h1>PostLark</h1>" in html  # the preview of the entry
    assert "https://docs.example.net/auth" in html
    assert f'href="/submissions/{submission.pk}/edit/"' in html


def test_a_published_flag_cannot_be_smuggled_in(submitter_client, categories):
    post_data = form_post(new_vendor_data())
    post_data["published"] = "false"
    submitter_client.post("/submissions/new/", post_data)
    assert Submission.objects.get().data["published"] is True


def test_the_honeypot_silently_drops_bot_submissions(submitter_client, categories):
    post_data = form_post(new_vendor_data())
    post_data["homepage"] = "https://spam.example/"
    response = submitter_client.post("/submissions/new/", post_data)
    assert response.status_code == 302
    assert not Submission.objects.exists()
