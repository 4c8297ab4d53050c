"""Personas and fixtures for the submission, moderation and account tests."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from sources.permissions import MODERATORS, ensure_moderators_group
from tests.checker.conftest import dns_server, dns_server_session  # noqa: F401
from tests.factories import make_category, make_vendor


@pytest.fixture(autouse=True)
def _fresh_limits_and_immediate_tasks(settings):
    """Rate-limit counters start at zero; tasks run at once; the digest does not wait."""
    cache.clear()
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MODERATOR_DIGEST_DELAY = 0
    settings.SITE_URL = "https://directory.example.org"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    cache.clear()


PASSWORD = "a long passphrase 4 tests"


def make_user(email: str, *, password: str = PASSWORD, **extra):
    return get_user_model().objects.create_user(
        username=email, email=email, password=password, **extra
    )


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


__all__ = ["MODERATORS", "make_user"]
