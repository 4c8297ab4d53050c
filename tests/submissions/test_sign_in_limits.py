"""Password guessing is limited on the site's sign-in and the admin's, with one shared budget."""

import pytest
from django.test import Client

from sources.ratelimit import limit_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SITE = "/accounts/login/"
ADMIN = "/admin/login/"


WRONG = "not the password"  # noqa: S105 - a wrong guess, on purpose


def guess(client, url, username, password=WRONG):
    return client.post(url, {"username": username, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url", [ADMIN, SITE])
def test_150_wrong_passwords_are_refused_after_the_limit(client, moderator, url):
    limit, window = limit_for("login")
    statuses = [guess(client, url, moderator.username).status_code for _ in range(150)]
    assert statuses == [200] * limit + [429] * (150 - limit)
    # Once over the limit even the right password is refused until the window ends.
    response = guess(client, url, moderator.username, PASSWORD)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= window
    assert not signed_in(client)


def test_the_admin_answers_with_the_rate_limited_page(client, moderator, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "1/10min"}
    guess(client, ADMIN, moderator.username)
    page = guess(client, ADMIN, moderator.username).content.decode()
    assert "Too many sign-in attempts for now" in page


def test_the_site_and_the_admin_share_one_budget(client, moderator, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "3/10min"}
    assert [guess(client, ADMIN, moderator.username).status_code for _ in range(3)] == [200] * 3
    assert guess(client, SITE, moderator.username, PASSWORD).status_code == 429


def test_other_addresses_keep_their_own_budget(moderator, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "2/10min"}
    attacker, owner = Client(REMOTE_ADDR="198.51.100.66"), Client(REMOTE_ADDR="192.0.2.10")
    assert [guess(attacker, ADMIN, moderator.username).status_code for _ in range(3)][-1] == 429
    response = guess(owner, ADMIN, moderator.username, PASSWORD)
    assert response.status_code == 302 and signed_in(owner)


def test_showing_the_sign_in_forms_costs_nothing(client, moderator, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "1/10min"}
    for _ in range(5):
        assert client.get(ADMIN).status_code == 200
        assert client.get(SITE).status_code == 200
    response = guess(client, ADMIN, moderator.username, PASSWORD)
    assert response.status_code == 302 and signed_in(client)
