"""Revising a submission sends it back to pending review."""

import pytest

from sources.models import Submission, SubmissionEvent
from sources.services.submissions import data_from_json, submission_request_changes
from tests.factories import new_vendor_data
from tests.submissions.helpers import form_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_back(submitter_client, moderator, categories):
    submitter_client.post("/submissions/new/", form_post(new_vendor_data()))
    submission = Submission.objects.get()
    submission_request_changes(
        submission=submission, moderator=moderator, comment="Cite the DKIM page, please."
    )
    submission.refresh_from_db()
    return submission


def test_the_edit_form_is_prefilled_with_the_submission(submitter_client, sent_back):
    html = submitter_client.get(f"/submissions/{sent_back.pk}/edit/").content.decode()
    assert 'value="PostLark"' in html
    assert "Cite the DKIM page, please." in html  # the moderator's request is shown
    assert "https://docs.example.net/auth" in html


def test_a_revision_goes_back_to_pending(submitter_client, sent_back):
    data = data_from_json(sent_back.data)
    data["summary"] = "Revised summary."
    response = submitter_client.post(
        f"/submissions/{sent_back.pk}/edit/",
        form_post(
            data, provenance=["https://docs.example.net/auth", "https://docs.example.net/dkim"]
        ),
    )
    assert response.status_code == 302
    sent_back.refresh_from_db()
    assert sent_back.state == Submission.State.PENDING
    assert sent_back.data["summary"] == "Revised summary."
    assert len(sent_back.provenance) == 2
    assert sent_back.moderators_notified_at is None  # announced again
    assert [e.action for e in sent_back.events.all()] == [
        SubmissionEvent.Action.SUBMITTED,
        SubmissionEvent.Action.CHANGES_REQUESTED,
        SubmissionEvent.Action.REVISED,
    ]
    assert Submission.objects.count() == 1


def test_revising_a_pending_submission_with_nothing_changed_says_so(submitter_client, categories):
    submitter_client.post("/submissions/new/", form_post(new_vendor_data()))
    submission = Submission.objects.get()
    response = submitter_client.post(
        f"/submissions/{submission.pk}/edit/", form_post(new_vendor_data()), follow=True
    )
    assert "Nothing changed: this is exactly what is already waiting for review." in (
        response.content.decode()
    )


def test_a_decided_submission_cannot_be_revised(submitter_client, sent_back):
    Submission.objects.filter(pk=sent_back.pk).update(state=Submission.State.REJECTED)
    response = submitter_client.get(f"/submissions/{sent_back.pk}/edit/", follow=True)
    assert "it can no longer be revised" in response.content.decode()


def test_a_proposal_whose_entry_was_deleted_offers_no_revision(
    submitter_client, submitter, moderator, vendor
):
    from sources.services.submissions import submission_create

    data = current_data_with(vendor, summary="A better summary.")
    submission = submission_create(
        user=submitter, data=data, provenance=["https://docs.example.net/auth"], vendor=vendor
    )
    submission_request_changes(submission=submission, moderator=moderator, comment="Cite it.")
    vendor.delete()
    page = submitter_client.get(f"/submissions/{submission.pk}/").content.decode()
    assert "Cite it." in page  # the moderator's comment is still shown
    assert f"/submissions/{submission.pk}/edit/" not in page
    response = submitter_client.get(f"/submissions/{submission.pk}/edit/", follow=True)
    assert "The entry this proposal changes no longer exists." in response.content.decode()


def test_only_the_submitter_may_revise_and_the_page_says_who_may(
    submitter_client, sent_back, client, other_submitter, moderator
):
    page = submitter_client.get(f"/submissions/{sent_back.pk}/").content.decode()
    assert f'href="/submissions/{sent_back.pk}/edit/"' in page
    client.force_login(moderator)
    assert f"/submissions/{sent_back.pk}/edit/" not in (
        client.get(f"/submissions/{sent_back.pk}/").content.decode()
    )
    assert client.get(f"/submissions/{sent_back.pk}/edit/").status_code == 403


def current_data_with(vendor, **changes) -> dict:
    from sources.services.submissions import current_data

    data = current_data(vendor)
    data.pop("published", None)
    return {**data, **changes}
