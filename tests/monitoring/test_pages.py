"""The watch pages and the webhooks page: owners only, clear errors, nothing lost."""

import pytest
from django.core import mail
from django.test import Client

from sources.models import Watch, WebhookEndpoint
from sources.services.watches import watch_create


@pytest.fixture
def owner_client(owner):
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def watch(owner, shop):
    return watch_create(owner=owner, domain="shop.test")


def test_anonymous_visitors_are_sent_to_sign_in(db):
    response = Client().get("/watches/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_users_watch_is_not_found(watch, other_user):
    client = Client()
    client.force_login(other_user)
    assert client.get(watch.get_absolute_url()).status_code == 404
    assert client.post(f"/watches/{watch.pk}/check/").status_code == 404
    assert client.post(f"/watches/{watch.pk}/delete/").status_code == 404
    assert Watch.objects.filter(pk=watch.pk).exists()


def test_the_form_names_each_field_at_fault_and_keeps_the_input(owner_client, mailhawk):
    response = owner_client.post(
        "/watches/new/",
        {
            "domain": "localhost",
            "vendor": "mailhawk",
            "parameters": "account_id=abc",
            "interval": "1440",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"domain", "parameters"}
    assert 'value="localhost"' in response.content.decode()
    assert not Watch.objects.exists()


def test_a_line_without_equals_sign_is_refused(owner_client):
    response = owner_client.post(
        "/watches/new/", {"domain": "shop.test", "parameters": "7001", "interval": "60"}
    )
    assert "Line 1: write name=value." in response.context["form"].errors["parameters"]


def test_check_now_moves_the_states_and_mails_the_change(owner_client, watch):
    response = owner_client.post(f"/watches/{watch.pk}/check/", follow=True)
    assert "Checked now: verified" in response.content.decode()
    assert Watch.objects.get(pk=watch.pk).state == "verified"
    (message,) = mail.outbox
    assert "dmarc: pending → verified" in message.body
    assert watch.get_absolute_url() in message.body


def test_pausing_and_interval_limits(owner_client, watch):
    owner_client.post(f"/watches/{watch.pk}/settings/", {"action": "pause"})
    assert Watch.objects.get(pk=watch.pk).active is False
    response = owner_client.post(f"/watches/{watch.pk}/settings/", {"interval": "5"})
    assert response.status_code == 400
    assert Watch.objects.get(pk=watch.pk).interval_minutes == 1440


def test_a_private_webhook_address_is_refused_on_the_page(owner_client):
    response = owner_client.post("/account/webhooks/", {"url": "https://10.0.0.8/hook"})
    assert response.status_code == 400
    assert "private" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_webhook_page_shows_its_delivery_log(owner_client, owner, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    endpoint = WebhookEndpoint.objects.create(
        owner=owner, url="http://127.0.0.1:9/hook", secret="s" * 64
    )
    endpoint.deliveries.create(
        event="watch.state_changed",
        payload={},
        status="failed",
        attempts=[{"at": "2026-12-01T00:00:00+00:00", "status_code": 500, "error": ""}],
    )
    page = owner_client.get(f"/account/webhooks/{endpoint.pk}/").content.decode()
    assert "watch.state_changed" in page and "500" in page


def test_a_record_on_its_way_to_a_new_state_says_so(owner_client, owner, mailhawk, shop):
    shop.publish("dkim-s1", "dkim-s2", "return-path")
    watch = watch_create(
        owner=owner, domain="shop.test", vendor="mailhawk", params={"account_id": "7001"}
    )
    owner_client.post(f"/watches/{watch.pk}/check/")
    shop.publish("dkim-s2", "return-path")
    owner_client.post(f"/watches/{watch.pk}/check/")
    page = owner_client.get(watch.get_absolute_url()).content.decode()
    assert "last check: fail; 1 of the 2 agreeing checks that change it" in page


def test_the_admin_lists_watches_and_deliveries(watch, owner):
    from tests.factories import make_user

    admin_user = make_user("root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    for url in (
        "/admin/sources/watch/",
        f"/admin/sources/watch/{watch.pk}/change/",
        "/admin/sources/webhookdelivery/",
        "/admin/sources/webhookendpoint/",
        "/admin/sources/watchevent/",
    ):
        assert client.get(url).status_code == 200, url
