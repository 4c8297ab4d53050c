"""Who may see a submission: one rule (sources.permissions) on the site and in the API.

The submitter sees their own; moderators see every one. Staff without the
moderators group, and an account holding only the admin's read-only
`view_submission` permission, see none but their own.
"""

import pytest
from django.contrib.auth.models import Permission

from sources.permissions import can_moderate, can_view_submission
from sources.services.submissions import submission_create
from tests.factories import make_user, new_vendor_data
from tests.submissions.helpers import SOURCES

pytestmark = pytest.mark.django_db

SEES = {
    "anonymous": False,
    "submitter": True,
    "other_submitter": False,
    "moderator": True,
    "staff": False,
    "viewer": False,
    "superuser": True,
}


@pytest.fixture
def viewer(db):
    """Staff holding only the admin's read-only permission on submissions."""
    user = make_user("viewer@directory.example", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_submission"))
    return user


@pytest.fixture
def superuser(db):
    return make_user("root@directory.example", is_staff=True, is_superuser=True)


@pytest.fixture
def submission(submitter, categories):
    return submission_create(user=submitter, data=new_vendor_data(), provenance=SOURCES)


@pytest.fixture
def persona(request):
    def get(name):
        return None if name == "anonymous" else request.getfixturevalue(name)

    return get


@pytest.mark.parametrize("name", SEES)
def test_the_site_shows_a_submission_to_its_submitter_and_moderators(
    client, persona, submission, name
):
    user = persona(name)
    if user is not None:
        client.force_login(user)
    response = client.get(f"/submissions/{submission.pk}/")
    if user is None:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == (200 if SEES[name] else 404)


@pytest.mark.parametrize("name", SEES)
def test_the_api_shows_a_submission_to_its_submitter_and_moderators(
    client, persona, submission, name
):
    user = persona(name)
    if user is not None:
        client.force_login(user)
    response = client.get(f"/api/v1/submissions/{submission.pk}", HTTP_ACCEPT="application/json")
    if user is None:
        assert response.status_code == 401
    else:
        assert response.status_code == (200 if SEES[name] else 404)
        if SEES[name]:
            assert response.json()["id"] == submission.pk


@pytest.mark.parametrize("name", SEES)
def test_the_rule_itself_agrees_with_both_faces(persona, submission, name):
    from django.contrib.auth.models import AnonymousUser

    user = persona(name) or AnonymousUser()
    assert can_view_submission(user, submission) is SEES[name]


def test_a_deactivated_moderator_moderates_nothing(moderator):
    moderator.is_active = False
    moderator.save()
    assert not can_moderate(moderator)
