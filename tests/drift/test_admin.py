"""Moderators see every vendor's last DNS check in the admin, the ones with problems first."""

from __future__ import annotations

import pytest

from sources.permissions import ensure_moderators_group
from sources.services.drift import vendors_dns_check
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client(client):
    user = make_user("mod@directory.example", is_staff=True)
    user.groups.add(ensure_moderators_group())
    client.force_login(user)
    return client


def test_the_list_puts_vendors_with_findings_first(
    moderator_client, dns_server, steadymail, brokenpost
):
    vendors_dns_check()
    page = moderator_client.get("/admin/sources/vendordnscheck/").content.decode()
    assert page.index("Brokenpost") < page.index("Steadymail")


def test_a_check_lists_its_findings_and_cannot_be_edited(moderator_client, dns_server, brokenpost):
    vendors_dns_check()
    check = brokenpost.dns_check
    response = moderator_client.get(f"/admin/sources/vendordnscheck/{check.pk}/change/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<strong>error</strong> target-nxdomain <code>dkim.brokenpost.test</code>" in page
    assert 'name="_save"' not in page
