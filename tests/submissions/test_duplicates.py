"""The same user sending the same thing again gets a clear message, not a second copy."""

import pytest

from sources.models import Submission
from tests.factories import new_vendor_data
from tests.submissions.helpers import form_post

pytestmark = pytest.mark.django_db


def test_resubmitting_the_same_data_does_not_create_a_second_pending_copy(
    submitter_client, categories
):
    submitter_client.post("/submissions/new/", form_post(new_vendor_data()))
    first = Submission.objects.get()
    response = submitter_client.post("/submissions/new/", form_post(new_vendor_data()), follow=True)
    assert Submission.objects.count() == 1
    assert response.redirect_chain[-1][0] == f"/submissions/{first.pk}/"
    html = response.content.decode()
    assert f"You already submitted exactly this (submission #{first.pk}, pending review)" in html


def test_a_second_different_submission_for_the_same_slug_asks_to_revise(
    submitter_client, categories
):
    submitter_client.post("/submissions/new/", form_post(new_vendor_data()))
    first = Submission.objects.get()
    changed = new_vendor_data(summary="A different summary.")
    response = submitter_client.post("/submissions/new/", form_post(changed), follow=True)
    assert Submission.objects.count() == 1
    assert f"You already have submission #{first.pk} open for PostLark" in (
        response.content.decode()
    )


def test_another_user_may_submit_the_same_vendor(client, submitter, other_submitter, categories):
    for user in (submitter, other_submitter):
        client.force_login(user)
        client.post("/submissions/new/", form_post(new_vendor_data()))
    assert Submission.objects.count() == 2


def test_after_a_decision_the_same_data_may_be_sent_again(submitter_client, categories):
    submitter_client.post("/submissions/new/", form_post(new_vendor_data()))
    Submission.objects.update(state=Submission.State.REJECTED)
    submitter_client.post("/submissions/new/", form_post(new_vendor_data()))
    assert Submission.objects.count() == 2
