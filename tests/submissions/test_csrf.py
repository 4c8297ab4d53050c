"""Every state-changing form is protected against cross-site request forgery."""

import pytest
from django.test import Client

from sources.models import Report, Submission
from sources.services.submissions import submission_create
from tests.factories import PASSWORD, new_vendor_data
from tests.submissions.helpers import SOURCES, form_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_posts_without_a_token_are_refused(csrf_client, submitter, moderator, vendor):
    csrf_client.force_login(submitter)
    submission = submission_create(user=submitter, data=new_vendor_data(), provenance=SOURCES)
    forged = [
        ("/submissions/new/", form_post(new_vendor_data("forged"))),
        (f"/submissions/{submission.pk}/edit/", form_post(new_vendor_data(summary="Forged."))),
        ("/vendors/examplemail/report/", {"note": "Forged."}),
        ("/account/token/", {"action": "create"}),
        ("/account/verifications/", {"domain": "forged.example"}),
        ("/accounts/logout/", {}),
        ("/vendors/examplemail/history/1/restore/", {}),
    ]
    for url, data in forged:
        assert csrf_client.post(url, data).status_code == 403, url
    assert Submission.objects.count() == 1 and not Report.objects.exists()


def test_sign_up_and_sign_in_need_the_token(csrf_client, submitter):
    assert (
        csrf_client.post(
            "/accounts/login/", {"username": "sam@submitter.example", "password": PASSWORD}
        ).status_code
        == 403
    )
    assert (
        csrf_client.post(
            "/accounts/signup/",
            {"email": "x@y.example", "password1": PASSWORD, "password2": PASSWORD},
        ).status_code
        == 403
    )


def test_the_real_form_with_its_token_works(csrf_client, submitter, categories):
    csrf_client.force_login(submitter)
    csrf_client.get("/submissions/new/")
    token = csrf_client.cookies["csrftoken"].value
    data = {**form_post(new_vendor_data()), "csrfmiddlewaretoken": token}
    assert csrf_client.post("/submissions/new/", data).status_code == 302
    assert Submission.objects.count() == 1


def test_admin_decisions_need_the_token(csrf_client, moderator, submitter, categories):
    submission = submission_create(user=submitter, data=new_vendor_data(), provenance=SOURCES)
    csrf_client.force_login(moderator)
    response = csrf_client.post(
        f"/admin/sources/submission/{submission.pk}/decide/approve/", {"apply": "yes"}
    )
    assert response.status_code == 403
    submission.refresh_from_db()
    assert submission.state == Submission.State.PENDING
