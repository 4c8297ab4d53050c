"""'I need this' votes: one per account or confirmed address, per vendor and point;
idempotent, rate-limited, and only on points the vendor does not meet."""

import re

import pytest
from django.core import mail

from sources.models import CapabilityVote
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/vendors/mailhawk/scorecard/vote/"


def confirm_link(message) -> str:
    return re.search(r"https://directory\.example\.org(/votes/confirm/\S+/)", message.body)[1]


def counted(point: str = "delegation") -> int:
    return CapabilityVote.objects.filter(point=point, confirmed_at__isnull=False).count()


def test_a_signed_in_vote_counts_at_once_and_only_once(client, mailhawk, customer):
    client.force_login(customer)
    first = client.post(URL, {"point": "delegation"})
    assert first.status_code == 302
    again = client.post(URL, {"point": "delegation"}, follow=True)
    assert "You had already voted for this." in again.content.decode()
    assert counted() == 1
    page = client.get("/vendors/mailhawk/scorecard/").content.decode()
    assert re.search(r'data-vote-point="delegation">[^<]*: <strong>1</strong>', page)


def test_an_anonymous_vote_counts_once_its_address_is_confirmed(client, mailhawk):
    response = client.post(URL, {"point": "delegation", "email": "Owner@Acme.example"})
    assert response.status_code == 302
    assert counted() == 0
    [message] = mail.outbox
    assert message.to == ["Owner@Acme.example"]
    link = confirm_link(message)
    # Opening the link (as a mail scanner would) counts nothing; the button does.
    assert client.get(link).status_code == 200
    assert counted() == 0
    assert client.post(link).status_code == 302
    assert counted() == 1
    # The address is kept only as a digest.
    vote = CapabilityVote.objects.get()
    assert "acme" not in vote.voter.lower() and vote.voter.startswith("email:")


def test_the_same_address_twice_is_one_vote_whatever_its_case(client, mailhawk):
    client.post(URL, {"point": "delegation", "email": "owner@acme.example"})
    client.post(confirm_link(mail.outbox[0]))
    client.post(URL, {"point": "delegation", "email": "OWNER@acme.example"})
    assert len(mail.outbox) == 1  # already counted: no second link
    assert CapabilityVote.objects.count() == 1 and counted() == 1


def test_an_account_cannot_vote_again_as_its_address(client, mailhawk):
    user = make_user("owner@acme.example")
    client.force_login(user)
    client.post(URL, {"point": "delegation"})
    client.logout()
    client.post(URL, {"point": "delegation", "email": "owner@acme.example"})
    assert counted() == 1 and mail.outbox == []


def test_an_anonymous_vote_needs_an_address(client, mailhawk):
    response = client.post(URL, {"point": "delegation", "email": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert CapabilityVote.objects.count() == 0


def test_points_the_vendor_meets_cannot_be_voted_for(client, mailhawk, customer):
    client.force_login(customer)
    response = client.post(URL, {"point": "hosted-dkim"})
    assert response.status_code == 400
    assert CapabilityVote.objects.count() == 0
    response = client.post(URL, {"point": "no-such-point"})
    assert response.status_code == 400


def test_votes_are_rate_limited_per_client(client, mailhawk, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote": "2/hour"}
    for n in range(2):
        client.post(URL, {"point": "delegation", "email": f"owner{n}@acme.example"})
    response = client.post(URL, {"point": "delegation", "email": "owner9@acme.example"})
    assert response.status_code == 429 and response["Retry-After"]
    assert "owner9@acme.example" in response.content.decode()  # the form keeps what was typed
    assert CapabilityVote.objects.count() == 2


def test_confirmation_mail_to_one_address_is_rate_limited_too(client, mailhawk, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote": "2/hour"}
    # Three clients, each within its own limit, ask for links to one address.
    for n, point in enumerate(("delegation", "key-2048", "no-spf-only")):
        response = client.post(
            URL, {"point": point, "email": "victim@acme.example"}, REMOTE_ADDR=f"192.0.2.{n}"
        )
        assert response.status_code == 302
    assert len(mail.outbox) == 2


def test_a_tampered_confirmation_link_is_refused(client, mailhawk):
    client.post(URL, {"point": "delegation", "email": "owner@acme.example"})
    link = confirm_link(mail.outbox[0])
    response = client.post(link.replace("/votes/confirm/", "/votes/confirm/x"))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert counted() == 0


def test_the_honeypot_counts_nothing(client, mailhawk):
    client.post(URL, {"point": "delegation", "email": "bot@spam.example", "homepage": "x"})
    assert CapabilityVote.objects.count() == 0 and mail.outbox == []
