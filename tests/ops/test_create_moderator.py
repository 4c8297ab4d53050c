"""`manage.py create_moderator`: the first moderator without the admin."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from sources.permissions import can_moderate

pytestmark = pytest.mark.django_db


def test_creates_a_staff_moderator(monkeypatch, capsys):
    monkeypatch.setenv("MODERATOR_PASSWORD", "a long enough passphrase 42")
    call_command("create_moderator", "mia", "mia@example.org", "--no-input")
    user = get_user_model().objects.get(username="mia")
    assert user.is_staff and can_moderate(user)
    assert user.check_password("a long enough passphrase 42")
    assert "Created moderator mia" in capsys.readouterr().out


def test_an_existing_user_becomes_one_and_keeps_their_password(monkeypatch):
    user = get_user_model().objects.create_user("ola", "ola@example.org", "their own pass 123")
    monkeypatch.delenv("MODERATOR_PASSWORD", raising=False)
    call_command("create_moderator", "ola", "ola@example.org", "--no-input")
    user.refresh_from_db()
    assert can_moderate(user) and user.check_password("their own pass 123")


def test_weak_or_missing_passwords_and_bad_addresses_are_refused(monkeypatch):
    monkeypatch.delenv("MODERATOR_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="MODERATOR_PASSWORD"):
        call_command("create_moderator", "kim", "kim@example.org", "--no-input")
    monkeypatch.setenv("MODERATOR_PASSWORD", "kim")
    with pytest.raises(CommandError):
        call_command("create_moderator", "kim", "kim@example.org", "--no-input")
    with pytest.raises(CommandError, match="not an e-mail address"):
        call_command("create_moderator", "kim", "kim-at-example", "--no-input")
    assert not get_user_model().objects.filter(username="kim").exists()
