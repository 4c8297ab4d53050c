"""The cache-based rate limiter (shared with the checker) and the client key."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from sources.ratelimit import client_key, limit_for, ratelimit_hit

pytestmark = pytest.mark.django_db


def test_hits_are_allowed_up_to_the_limit_then_refused_with_a_retry_time():
    results = [ratelimit_hit(key="k", limit=3, window=60) for _ in range(5)]
    assert [r.allowed for r in results] == [True, True, True, False, False]
    assert all(0 < r.retry_after <= 60 for r in results[3:])
    assert results[0].retry_after == 0


def test_keys_are_counted_separately():
    assert ratelimit_hit(key="a", limit=1, window=60).allowed
    assert ratelimit_hit(key="b", limit=1, window=60).allowed
    assert not ratelimit_hit(key="a", limit=1, window=60).allowed


def test_a_new_window_starts_afresh(monkeypatch):
    import sources.ratelimit as rl

    now = [1_000_000.0]
    monkeypatch.setattr(rl.time, "time", lambda: now[0])
    assert ratelimit_hit(key="w", limit=1, window=60).allowed
    assert not ratelimit_hit(key="w", limit=1, window=60).allowed
    now[0] += 60
    assert ratelimit_hit(key="w", limit=1, window=60).allowed


def test_odd_keys_are_safe_cache_keys():
    assert ratelimit_hit(key="ip:::1 \n/😀" * 100, limit=1, window=10).allowed


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError):
        ratelimit_hit(key="x", limit=1, window=0)


def test_settings_override_named_limits(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": "1/10s"}
    assert limit_for("report") == (1, 10)
    assert limit_for("signup") == (10, 3600)


def request_from(address, forwarded=None, user=None):
    request = RequestFactory().get("/", REMOTE_ADDR=address)
    if forwarded:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    request.user = user or AnonymousUser()
    return request


def test_the_client_key_is_the_user_when_signed_in(submitter):
    assert client_key(request_from("192.0.2.1", user=submitter)) == f"user:{submitter.pk}"


def test_ipv6_clients_are_grouped_by_64():
    a = client_key(request_from("2001:db8:1:2::1"))
    b = client_key(request_from("2001:db8:1:2:ffff::9"))
    assert a == b == "ip:2001:db8:1:2::/64"
    assert client_key(request_from("::ffff:192.0.2.1")) == "ip:192.0.2.1"


def test_forwarded_addresses_are_trusted_only_behind_configured_proxies(settings):
    request = request_from("10.0.0.1", forwarded="203.0.113.9, 198.51.100.2")
    assert client_key(request) == "ip:10.0.0.1"
    settings.NUM_PROXIES = 1
    assert client_key(request) == "ip:198.51.100.2"
    settings.NUM_PROXIES = 2
    assert client_key(request) == "ip:203.0.113.9"


def test_sign_up_and_sign_in_are_rate_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "1/hour", "login": "1/10min"}
    data = {"email": "a@b.example", "password1": "x", "password2": "y"}
    assert client.post("/accounts/signup/", data).status_code == 200
    limited = client.post("/accounts/signup/", data)
    assert limited.status_code == 429 and "Retry-After" in limited
    assert client.post("/accounts/login/", {"username": "a", "password": "b"}).status_code == 200
    assert client.post("/accounts/login/", {"username": "a", "password": "b"}).status_code == 429


def test_submissions_are_rate_limited_per_user(submitter_client, categories, settings):
    from sources.models import Submission
    from tests.factories import new_vendor_data
    from tests.submissions.helpers import form_post

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submission": "1/hour"}
    submitter_client.post("/submissions/new/", form_post(new_vendor_data()))
    response = submitter_client.post("/submissions/new/", form_post(new_vendor_data("other")))
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "other" in response.content.decode()  # the form is still filled in
    assert Submission.objects.count() == 1


def test_previews_are_rate_limited_per_user(submitter_client, categories, settings):
    from tests.factories import new_vendor_data
    from tests.submissions.helpers import form_post

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "preview": "1/hour"}
    post = form_post(new_vendor_data(), action="preview")
    assert submitter_client.post("/submissions/new/", post).status_code == 200
    response = submitter_client.post("/submissions/new/", post)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert 'class="preview"' not in response.content.decode()
