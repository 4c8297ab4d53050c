"""Anonymous clients are limited per address; token users get a higher limit of their own."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_limits(settings):
    # Per day: the fixed window will not roll over in the middle of a test.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api-anon": "3/day", "api-user": "6/day"}


def statuses(client, count, url="/api/v1/method-kinds", **extra):
    return [client.get(url, **extra).status_code for _ in range(count)]


def test_anonymous_clients_are_throttled_with_a_clear_429(anonymous, catalog):
    assert statuses(anonymous, 3) == [200, 200, 200]
    response = anonymous.get("/api/v1/vendors")
    assert response.status_code == 429
    assert response.json() == {
        "error": "throttled",
        "detail": f"Too many requests: try again in {response['Retry-After']} seconds. "
        "Clients with an API token get a higher limit.",
    }
    assert 1 <= int(response["Retry-After"]) <= 86400


def test_each_anonymous_address_has_its_own_allowance(catalog):
    first, second = Client(REMOTE_ADDR="192.0.2.1"), Client(REMOTE_ADDR="192.0.2.2")
    assert statuses(first, 4)[-1] == 429
    assert statuses(second, 3) == [200, 200, 200]


def test_a_token_user_gets_the_higher_limit(token_user, catalog):
    assert statuses(token_user, 7) == [200] * 6 + [429]
    assert "API token" not in token_user.get("/api/v1/vendors").json()["detail"]


def test_a_token_counts_for_its_user_not_its_address(token_user, staff, anonymous, catalog):
    assert statuses(token_user, 6) == [200] * 6
    assert statuses(staff, 6) == [200] * 6  # same address, another account
    assert statuses(anonymous, 3) == [200] * 3


def test_conditional_requests_count_too(anonymous, catalog):
    etag = anonymous.get("/api/v1/method-kinds")["ETag"]
    assert statuses(anonymous, 3, headers={"If-None-Match": etag}) == [304, 304, 429]


def test_the_rates_come_from_the_settings(anonymous, catalog, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api-anon": "5/day"}
    assert statuses(anonymous, 6) == [200] * 5 + [429]
