"""Accounts (findings 9 and the low ones): sign-up that reveals nobody, API tokens stored
hashed, shown once, expiring and revocable, and no moderator approving their own work."""

import datetime as dt
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import hashers
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from sources.models import ApiToken, Submission
from sources.services.apitokens import api_token_create, token_digest
from sources.services.submissions import ModerationError, submission_approve, submission_create
from tests.factories import PASSWORD, make_user
from tests.submissions.helpers import SOURCES, new_vendor_data

pytestmark = pytest.mark.django_db

VENDORS = "/api/v1/vendors"


def signup(client: Client, email: str):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post("/accounts/signup/", data)


def page_after(client: Client, response) -> str:
    return client.get(response["Location"]).content.decode().replace("@", " ")


# -- sign-up reveals nobody (finding 9) ------------------------------------------------------


@pytest.mark.parametrize("active", [True, False], ids=["confirmed", "unconfirmed"])
def test_sign_up_answers_and_works_the_same_for_a_registered_address(monkeypatch, active):
    make_user("taken@vendor.example", is_active=active)
    hashed = []
    real = hashers.MD5PasswordHasher.encode  # the tests' hasher (a fast one)

    def counting(self, *args, **kwargs):
        hashed.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(hashers.MD5PasswordHasher, "encode", counting)
    outcomes = []
    for email in ("taken@vendor.example", "fresh@vendor.example"):
        client = Client()
        hashed.clear()
        mail.outbox.clear()
        response = signup(client, email)
        page = page_after(client, response).replace(email.replace("@", " "), "ADDRESS")
        outcomes.append((response.status_code, response["Location"], page))
        outcomes.append(("work", len(hashed), len(mail.outbox)))
    taken_answer, taken_work, fresh_answer, fresh_work = outcomes
    assert taken_answer == fresh_answer
    # One password hashed and one e-mail sent, whether or not the address is registered.
    assert taken_work == fresh_work == ("work", 1, 1)


# -- API tokens -------------------------------------------------------------------------------


def client_with(key: str) -> Client:
    return Client(headers={"Authorization": f"Token {key}"})


def test_a_token_is_stored_only_as_its_sha256(submitter):
    token, key = api_token_create(user=submitter)
    assert token.digest == token_digest(key) and len(token.digest) == 64
    stored = ApiToken.objects.filter(user=submitter).values()[0]
    assert key not in {str(v) for v in stored.values()}
    assert client_with(key).get(VENDORS).status_code == 200


def test_the_key_is_shown_once_on_the_account_page(submitter_client, submitter):
    created = submitter_client.post("/account/token/", {"action": "create"})
    assert created.status_code == 201 and created["Cache-Control"] == "no-store"
    key = created.context["new_key"]
    assert key in created.content.decode() and "not shown again" in created.content.decode()
    later = submitter_client.get("/account/").content.decode()
    assert key not in later and key[:8] in later
    assert client_with(key).get(VENDORS).status_code == 200


def test_a_token_expires_after_the_configured_days(submitter, settings):
    settings.API_TOKEN_DAYS = 30
    token, key = api_token_create(user=submitter)
    assert token.expires_at - timezone.now() > dt.timedelta(days=29, hours=23)
    assert token.expires_at - timezone.now() <= dt.timedelta(days=30)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client_with(key).get(VENDORS)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_token_is_revoked_from_the_account_page(submitter_client, submitter):
    key = submitter_client.post("/account/token/", {"action": "create"}).context["new_key"]
    submitter_client.post("/account/token/", {"action": "revoke"})
    assert client_with(key).get(VENDORS).status_code == 401
    assert "Create an API token" in submitter_client.get("/account/").content.decode()


def test_a_password_change_revokes_the_token(submitter_client, submitter):
    key = submitter_client.post("/account/token/", {"action": "create"}).context["new_key"]
    assert client_with(key).get(VENDORS).status_code == 200
    changed = submitter_client.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another long passphrase 9",
            "new_password2": "another long passphrase 9",
        },
    )
    assert changed.status_code == 302
    assert client_with(key).get(VENDORS).status_code == 401
    assert "Create an API token" in submitter_client.get("/account/").content.decode()


def test_a_password_reset_or_an_admin_change_revokes_it_too(submitter):
    _, key = api_token_create(user=submitter)
    submitter.set_password("set by an administrator 7")
    submitter.save()
    assert client_with(key).get(VENDORS).status_code == 401


def test_the_command_prints_the_key_once_and_lists_only_prefixes(submitter):
    out = StringIO()
    call_command("api_token", "create", submitter.username, "--days", "7", stdout=out)
    key = out.getvalue().strip()
    assert client_with(key).get(VENDORS).status_code == 200
    listing = StringIO()
    call_command("api_token", "list", stdout=listing)
    assert key not in listing.getvalue() and key[:8] in listing.getvalue()
    token = ApiToken.objects.get(user=submitter)
    assert token.expires_at - timezone.now() <= dt.timedelta(days=7)


def test_the_migration_hashes_existing_plain_tokens(submitter):
    """Plain keys from rest_framework.authtoken keep working, stored only as digests."""
    import importlib

    from django.apps import apps as global_apps
    from django.db import connection

    migration = importlib.import_module("sources.migrations.0006_api_tokens")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint, "
            "created timestamp)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            ["0123456789abcdef0123456789abcdef01234567", submitter.pk, "2026-01-01 00:00:00"],
        )
    try:
        migration.hash_plain_tokens(global_apps, SimpleNamespace(connection=connection))
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM authtoken_token")
            assert cursor.fetchone()[0] == 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE authtoken_token")
    key = "0123456789abcdef0123456789abcdef01234567"
    assert client_with(key).get(VENDORS).status_code == 200


# -- moderators and their own submissions ------------------------------------------------------


@pytest.fixture
def own_submission(moderator, categories):
    return submission_create(user=moderator, data=new_vendor_data(), provenance=SOURCES)


def test_a_moderator_cannot_approve_their_own_submission(moderator, own_submission):
    with pytest.raises(ModerationError, match="your own submission"):
        submission_approve(submission=own_submission, moderator=moderator)
    own_submission.refresh_from_db()
    assert own_submission.state == Submission.State.PENDING


def test_the_admin_refuses_it_with_a_message(moderator_client, own_submission):
    response = moderator_client.post(
        "/admin/sources/submission/",
        {"action": "approve_selected", "_selected_action": [own_submission.pk], "apply": "yes"},
        follow=True,
    )
    assert "You cannot approve your own submission" in response.content.decode()
    own_submission.refresh_from_db()
    assert own_submission.state == Submission.State.PENDING


def test_another_moderator_may_approve_it(own_submission):
    from sources.permissions import ensure_moderators_group

    other = make_user("second@directory.example", is_staff=True)
    other.groups.add(ensure_moderators_group())
    submission_approve(submission=own_submission, moderator=other)
    own_submission.refresh_from_db()
    assert own_submission.state == Submission.State.APPROVED
