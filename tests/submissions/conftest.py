"""Personas and fixtures for the submission, moderation and account tests."""

import pytest

from sources.permissions import ensure_moderators_group
from tests.factories import make_category, make_user, make_vendor


@pytest.fixture(autouse=True)
def _site_settings(settings):
    """The moderators' digest does not wait; links in mail name the site."""
    settings.MODERATOR_DIGEST_DELAY = 0
    settings.SITE_URL = "https://directory.example.org"


@pytest.fixture
def categories(db):
    for slug in ("transactional-email", "helpdesk", "crm"):
        make_category(slug)


@pytest.fixture
def submitter(db):
    return make_user("sam@submitter.example")


@pytest.fixture
def other_submitter(db):
    return make_user("olivia@other.example")


@pytest.fixture
def moderator(db):
    user = make_user("mod@directory.example", is_staff=True)
    user.groups.add(ensure_moderators_group())
    return user


@pytest.fixture
def staff(db):
    """Staff without the moderators group: may sign in to the admin, may not moderate."""
    return make_user("staff@directory.example", is_staff=True)


@pytest.fixture
def submitter_client(client, submitter):
    client.force_login(submitter)
    return client


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def vendor(categories):
    return make_vendor("examplemail", name="ExampleMail")
