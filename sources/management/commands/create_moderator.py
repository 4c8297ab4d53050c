"""Create the first moderator (or make an existing user one)."""

from __future__ import annotations

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from sources.permissions import ensure_moderators_group


class Command(BaseCommand):
    help = (
        "Create a moderator: a staff user in the moderators group, who reviews submissions "
        "and reports in /admin/. An existing user is added to the group. The password is "
        "asked for, or read from MODERATOR_PASSWORD with --no-input."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("email")
        parser.add_argument("--no-input", action="store_true", help="read MODERATOR_PASSWORD")

    def handle(self, *args, username, email, no_input, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an e-mail address.") from None
        User = get_user_model()  # noqa: N806
        user = User.objects.filter(username=username).first()
        password = None
        if user is None:
            password = self._password(no_input, User(username=username, email=email))
        with transaction.atomic():
            if user is None:
                user = User.objects.create_user(username=username, email=email, password=password)
                action = "Created"
            else:
                action = "Updated"
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.groups.add(ensure_moderators_group())
        self.stdout.write(f"{action} moderator {username}: sign in at /admin/ to review the queue.")

    def _password(self, no_input: bool, user) -> str:
        if no_input:
            password = os.environ.get("MODERATOR_PASSWORD", "")
            if not password:
                raise CommandError("Set MODERATOR_PASSWORD, or leave out --no-input to type it.")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        return password
