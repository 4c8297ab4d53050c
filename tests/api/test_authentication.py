"""Reads are public; API tokens identify accounts (for their higher limits) and are managed
in the admin, on the account page and by `manage.py api_token`."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from sources.models import ApiToken
from sources.services.apitokens import token_digest
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["anonymous", "token_user", "staff"])
def test_every_persona_reads_the_same_catalog(request, catalog, persona):
    client = request.getfixturevalue(persona)
    response = client.get("/api/v1/vendors")
    assert response.status_code == 200
    assert [v["slug"] for v in response.json()["results"]] == [
        "helpy",
        "oldmail",
        "postmark",
        "sendgrid",
    ]


def test_a_revoked_token_stops_working(token_user, catalog):
    ApiToken.objects.all().delete()
    assert token_user.get("/api/v1/vendors").status_code == 401


def test_a_signed_in_session_is_an_account_too(catalog):
    client = Client()
    client.force_login(make_user("sam"))
    assert client.get("/api/v1/vendors").status_code == 200


def test_staff_manage_tokens_in_the_admin(staff, catalog, django_user_model):
    admin = Client()
    admin.force_login(django_user_model.objects.get(username="stan"))
    page = admin.get("/admin/sources/apitoken/")
    assert page.status_code == 200
    assert "stan" in page.content.decode()


def command(*args):
    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue().strip()


def test_the_command_creates_a_token_that_works(catalog):
    make_user("carol")
    key = command("create", "carol")
    assert ApiToken.objects.get(user__username="carol").digest == token_digest(key)
    client = Client(headers={"Authorization": f"Token {key}"})
    assert client.get("/api/v1/vendors").status_code == 200


def test_the_command_will_not_silently_replace_a_token():
    make_user("carol")
    first = command("create", "carol")
    with pytest.raises(CommandError, match="already has an API token"):
        command("create", "carol")
    second = command("create", "carol", "--replace")
    assert second != first
    assert list(ApiToken.objects.values_list("digest", flat=True)) == [token_digest(second)]


def test_the_command_lists_and_revokes_tokens():
    make_user("carol")
    make_user("dave")
    assert command("list") == "No API tokens."
    key = command("create", "carol")
    command("create", "dave")
    listing = command("list").splitlines()
    assert [line.split("\t")[0] for line in listing] == ["carol", "dave"]
    assert key not in command("list")  # only a prefix is shown
    assert command("list", "carol").split("\t")[2] == key[:8] + "…"
    assert command("revoke", "carol") == "Revoked the API token of carol."
    assert not ApiToken.objects.filter(user__username="carol").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "nobody"), "no user 'nobody'"),
        (("revoke", "carol"), "carol has no API token"),
        (("create",), "create needs a USERNAME"),
    ],
)
def test_the_command_explains_what_is_wrong(args, message):
    make_user("carol")
    with pytest.raises(CommandError, match=message):
        command(*args)
