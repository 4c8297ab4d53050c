"""Personas and entries for the scorecard, demand, vote and maintainer tests."""

import pytest

from tests.factories import make_domain_verification, make_mailhawk, make_user


@pytest.fixture(autouse=True)
def _site_settings(settings):
    """Links in mail name the site; the moderators' digest does not wait."""
    settings.SITE_URL = "https://directory.example.org"
    settings.MODERATOR_DIGEST_DELAY = 0


@pytest.fixture
def mailhawk(db):
    """Mailhawk's entry, its own domain recorded as mailhawk.test."""
    vendor = make_mailhawk(website="https://www.mailhawk.test/")
    assert vendor.own_domain == "mailhawk.test"
    return vendor


@pytest.fixture
def maintainer(mailhawk):
    """Mia works for Mailhawk: she verified mailhawk.test."""
    user = make_user("mia@mailhawk.test")
    make_domain_verification(user, "mailhawk.test")
    return user


@pytest.fixture
def customer(db):
    return make_user("carl@customer.example")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the transaction's commit (the mail) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
