"""Who may see and do what, persona by persona.

anonymous · submitter (owns the submission) · another submitter · moderator
(staff in the moderators group) · staff (admin access, no moderation rights).
"""

import pytest

from sources.models import Submission
from sources.services.submissions import current_data, submission_approve, submission_create
from tests.factories import new_vendor_data
from tests.submissions.helpers import SOURCES, form_post

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "submitter", "other_submitter", "moderator", "staff"]


@pytest.fixture
def as_persona(client, request):
    def login(name):
        if name != "anonymous":
            client.force_login(request.getfixturevalue(name))
        return client

    return login


@pytest.fixture
def submission(submitter, categories):
    return submission_create(user=submitter, data=new_vendor_data(), provenance=SOURCES)


@pytest.fixture
def history(vendor, moderator, submitter):
    data = current_data(vendor)
    data["summary"] = "Changed."
    change = submission_create(user=submitter, data=data, provenance=SOURCES, vendor=vendor)
    submission_approve(submission=change, moderator=moderator)
    return vendor


def status(response):
    """The status, with a redirect to the sign-in page spelled 'login'."""
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    if response.status_code == 302 and "/admin/login/" in response["Location"]:
        return "admin-login"
    return response.status_code


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", "login"),
        ("submitter", 200),
        ("other_submitter", 404),
        ("moderator", 200),
        ("staff", 404),
    ],
)
def test_viewing_a_submission(as_persona, submission, persona, expected):
    assert status(as_persona(persona).get(f"/submissions/{submission.pk}/")) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", "login"),
        ("submitter", 200),
        ("other_submitter", 404),
        ("moderator", 403),  # moderators decide; they do not rewrite the submitter's words
        ("staff", 404),
    ],
)
def test_editing_a_submission(as_persona, submission, persona, expected):
    assert status(as_persona(persona).get(f"/submissions/{submission.pk}/edit/")) == expected


@pytest.mark.parametrize("persona", ["other_submitter", "moderator", "staff"])
def test_nobody_but_the_submitter_can_post_a_revision(as_persona, submission, persona):
    data = new_vendor_data(summary="Hijacked.")
    response = as_persona(persona).post(f"/submissions/{submission.pk}/edit/", form_post(data))
    assert response.status_code in (403, 404)
    submission.refresh_from_db()
    assert submission.data["summary"] != "Hijacked."


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", "login"),
        ("submitter", 200),
        ("other_submitter", 200),
        ("moderator", 200),
        ("staff", 200),
    ],
)
def test_submitting_needs_an_account(as_persona, categories, persona, expected):
    assert status(as_persona(persona).get("/submissions/new/")) == expected


def test_the_list_shows_only_ones_own_submissions(client, submission, other_submitter):
    client.force_login(other_submitter)
    assert "PostLark" not in client.get("/submissions/").content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", "admin-login"),
        ("submitter", "admin-login"),
        ("other_submitter", "admin-login"),
        ("moderator", 200),
        ("staff", 403),
    ],
)
def test_the_moderation_queue_in_the_admin(as_persona, submission, persona, expected):
    assert status(as_persona(persona).get("/admin/sources/submission/")) == expected


@pytest.mark.parametrize("persona", ["anonymous", "submitter", "other_submitter", "staff"])
def test_only_moderators_can_approve(as_persona, submission, persona):
    as_persona(persona).post(
        "/admin/sources/submission/",
        {"action": "approve_selected", "_selected_action": [submission.pk], "apply": "yes"},
    )
    as_persona(persona).post(
        f"/admin/sources/submission/{submission.pk}/decide/approve/", {"apply": "yes"}
    )
    submission.refresh_from_db()
    assert submission.state == Submission.State.PENDING


@pytest.mark.parametrize("persona", PERSONAS)
def test_history_is_public(as_persona, history, persona):
    assert status(as_persona(persona).get("/vendors/examplemail/history/")) == 200
    assert status(as_persona(persona).get("/vendors/examplemail/history/1/")) == 200


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", "login"),
        ("submitter", 403),
        ("other_submitter", 403),
        ("moderator", 302),
        ("staff", 403),
    ],
)
def test_only_moderators_can_restore_a_revision(as_persona, history, persona, expected):
    response = as_persona(persona).post("/vendors/examplemail/history/1/restore/")
    assert status(response) == expected
    assert history.revisions.count() == (3 if persona == "moderator" else 2)


@pytest.mark.parametrize("persona", PERSONAS)
def test_anyone_can_report_a_problem(as_persona, vendor, persona):
    response = as_persona(persona).post(
        "/vendors/examplemail/report/", {"note": "The DKIM selector changed to s2."}
    )
    assert status(response) == 302


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", "login"),
        ("submitter", 200),
        ("moderator", 200),
    ],
)
def test_the_account_pages_need_an_account(as_persona, persona, expected):
    assert status(as_persona(persona).get("/account/")) == expected
    assert status(as_persona(persona).get("/account/verifications/")) == expected


def test_verifications_are_private(client, submitter, other_submitter):
    from sources.services.verification import verification_start

    v = verification_start(user=submitter, domain="postlark.example")
    client.force_login(other_submitter)
    assert client.get(f"/account/verifications/{v.pk}/").status_code == 404
    assert client.post(f"/account/verifications/{v.pk}/check/").status_code == 404
    assert client.post(f"/account/verifications/{v.pk}/delete/").status_code == 404
