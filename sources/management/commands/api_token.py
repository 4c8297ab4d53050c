from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = (
        "Manage API tokens: 'create USERNAME' prints a new token, 'revoke USERNAME' deletes "
        "it, 'list [USERNAME]' shows who has one (tokens are also in the admin)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "revoke", "list"])
        parser.add_argument("username", nargs="?", help="required for create and revoke")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="create: replace the user's token if they have one (the old one stops working)",
        )

    def handle(self, *args, action, username, replace, **options):
        if action == "list":
            return self.show(username)
        if not username:
            raise CommandError(f"{action} needs a USERNAME", returncode=2)
        user = self.user(username)
        token = Token.objects.filter(user=user).first()
        if action == "revoke":
            if token is None:
                raise CommandError(f"{username} has no API token")
            token.delete()
            self.stdout.write(f"Revoked the API token of {username}.")
            return
        if token is not None and not replace:
            raise CommandError(
                f"{username} already has an API token (created {token.created:%Y-%m-%d}); "
                "add --replace to make a new one"
            )
        if token is not None:
            token.delete()
        self.stdout.write(Token.objects.create(user=user).key)

    def user(self, username):
        users = get_user_model()._default_manager
        try:
            return users.get_by_natural_key(username)
        except users.model.DoesNotExist:
            raise CommandError(f"no user {username!r}") from None

    def show(self, username):
        tokens = Token.objects.select_related("user").order_by("created")
        if username:
            tokens = tokens.filter(user=self.user(username))
        rows = [
            f"{token.user.get_username()}\t{token.created:%Y-%m-%d %H:%M}\t{token.key[:8]}…"
            for token in tokens
        ]
        self.stdout.write("\n".join(rows) if rows else "No API tokens.")
