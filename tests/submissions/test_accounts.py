"""Sign up with e-mail confirmation, sign in and out, password reset, the API token."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

GOOD = {"email": "New.Person@Vendor.example", "password1": PASSWORD, "password2": PASSWORD}


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_sign_up_creates_an_inactive_account_and_mails_a_link(client):
    response = client.post("/accounts/signup/", GOOD)
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/done/"
    user = get_user_model().objects.get()
    assert user.email == user.username == "new.person@vendor.example"
    assert not user.is_active
    [message] = mail.outbox
    assert message.to == ["new.person@vendor.example"]
    assert message.subject == "Confirm your e-mail address"
    assert "/accounts/confirm/" in link_in(message)
    assert "new.person@vendor.example" in client.get("/accounts/signup/done/").content.decode()


def test_following_the_link_and_confirming_activates_and_signs_in(client):
    client.post("/accounts/signup/", GOOD)
    url = path_of(link_in(mail.outbox[0]))
    page = client.get(url)
    assert page.status_code == 200 and "Confirm my address" in page.content.decode()
    assert not get_user_model().objects.get().is_active  # a GET (a link scanner) changes nothing
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == "/submissions/"
    assert get_user_model().objects.get().is_active
    assert client.get("/submissions/").status_code == 200  # signed in
    again = client.get(url)  # the link is single-use
    assert again.status_code == 302 and again["Location"] == "/accounts/login/"


def test_a_tampered_link_is_refused(client):
    client.post("/accounts/signup/", GOOD)
    url = path_of(link_in(mail.outbox[0]))
    response = client.post(url[:-3] + "xyz/")
    assert response.status_code == 400
    assert not get_user_model().objects.get().is_active
    assert client.get("/accounts/confirm/!!!/abc/").status_code == 400


def test_signing_up_again_with_a_registered_address_reveals_nothing(client, submitter):
    response = client.post(
        "/accounts/signup/",
        {"email": "SAM@submitter.example", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/done/"
    assert get_user_model().objects.count() == 1
    [message] = mail.outbox
    assert message.subject == "You already have an account"
    assert message.to == ["sam@submitter.example"]


def test_passwords_are_checked_by_djangos_validators(client):
    html = client.post(
        "/accounts/signup/", {"email": "a@b.example", "password1": "123", "password2": "123"}
    ).content.decode()
    assert "This password is too short." in html
    assert "This password is entirely numeric." in html
    html = client.post(
        "/accounts/signup/", {**GOOD, "password2": "something else entirely"}
    ).content.decode()
    assert "The two passwords differ." in html
    html = client.post("/accounts/signup/", {**GOOD, "email": "not-an-address"}).content.decode()
    assert "Enter a valid email address." in html
    assert 'value="not-an-address"' in html  # kept
    assert not get_user_model().objects.exists()


def test_the_sign_up_honeypot_creates_nothing(client):
    assert client.post("/accounts/signup/", {**GOOD, "homepage": "x"}).status_code == 302
    assert not get_user_model().objects.exists()
    assert not mail.outbox


def test_an_unconfirmed_account_is_told_to_confirm_at_sign_in(client):
    make_user("new@vendor.example", is_active=False)
    html = client.post(
        "/accounts/login/", {"username": "new@vendor.example", "password": PASSWORD}
    ).content.decode()
    assert "Confirm your e-mail address first" in html
    assert 'href="/accounts/confirm/resend/"' in html
    wrong = client.post(
        "/accounts/login/", {"username": "new@vendor.example", "password": "wrong password"}
    ).content.decode()
    assert "Confirm your e-mail address first" not in wrong  # no hint without the password


def test_the_confirmation_can_be_sent_again(client):
    make_user("new@vendor.example", is_active=False)
    client.post("/accounts/confirm/resend/", {"email": "NEW@vendor.example"})
    assert [m.subject for m in mail.outbox] == ["Confirm your e-mail address"]
    client.post("/accounts/confirm/resend/", {"email": "nobody@vendor.example"})
    assert len(mail.outbox) == 1  # same answer, no mail


def test_sign_in_with_the_address_in_any_case_and_sign_out(client, submitter):
    response = client.post(
        "/accounts/login/", {"username": "Sam@Submitter.example", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/submissions/"
    html = client.get("/submissions/").content.decode()
    assert "Sign out" in html
    assert client.get("/accounts/logout/").status_code == 405  # only POST signs out
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/submissions/").status_code == 302


def test_sign_in_returns_to_the_page_asked_for(client, submitter):
    response = client.post(
        "/accounts/login/?next=/submissions/new/",
        {"username": "sam@submitter.example", "password": PASSWORD, "next": "/submissions/new/"},
    )
    assert response["Location"] == "/submissions/new/"
    client.logout()
    evil = client.post(
        "/accounts/login/",
        {
            "username": "sam@submitter.example",
            "password": PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert evil["Location"] == "/submissions/"


def test_password_reset_by_mail(client, submitter):
    client.post("/accounts/password/reset/", {"email": "sam@submitter.example"})
    [message] = mail.outbox
    assert message.subject == "Reset your password"
    url = path_of(link_in(message))
    form_url = client.get(url, follow=True).redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "another long passphrase", "new_password2": "another long passphrase"},
    )
    assert response.status_code == 302
    submitter.refresh_from_db()
    assert submitter.check_password("another long passphrase")


def test_a_reset_for_an_unknown_address_looks_the_same(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@x.example"})
    assert response.status_code == 302 and not mail.outbox


def test_a_failing_mail_server_never_breaks_sign_up_or_reset(client, submitter, monkeypatch):
    import smtplib

    from django.core.mail.backends.locmem import EmailBackend

    def down(self, messages):
        raise smtplib.SMTPException("connection refused")

    monkeypatch.setattr(EmailBackend, "send_messages", down)
    assert client.post("/accounts/signup/", GOOD).status_code == 302
    assert get_user_model().objects.filter(email="new.person@vendor.example").exists()
    assert (
        client.post("/accounts/password/reset/", {"email": "sam@submitter.example"}).status_code
        == 302
    )


def test_the_account_page_manages_the_api_token(submitter_client, submitter):
    from sources.models import ApiToken

    assert "Create an API token" in submitter_client.get("/account/").content.decode()
    created = submitter_client.post("/account/token/", {"action": "create"})
    key = created.context["new_key"]
    assert key in created.content.decode()
    token = ApiToken.objects.get(user=submitter)
    page = submitter_client.get("/account/").content.decode()
    assert key not in page and token.prefix in page  # the key is shown once
    submitter_client.post("/account/token/", {"action": "regenerate"})
    assert ApiToken.objects.get(user=submitter).digest != token.digest
    submitter_client.post("/account/token/", {"action": "revoke"})
    assert not ApiToken.objects.filter(user=submitter).exists()
