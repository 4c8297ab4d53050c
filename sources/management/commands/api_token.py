from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sources.models import ApiToken
from sources.services.apitokens import api_token_create, api_token_current, api_tokens_revoke


class Command(BaseCommand):
    help = (
        "Manage API tokens: 'create USERNAME' prints a new token (the only time it is shown), "
        "'revoke USERNAME' deletes it, 'list [USERNAME]' shows who has one."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "revoke", "list"])
        parser.add_argument("username", nargs="?", help="required for create and revoke")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="create: replace the user's token if they have one (the old one stops working)",
        )
        parser.add_argument(
            "--days", type=int, default=None, help="create: days until it expires (API_TOKEN_DAYS)"
        )

    def handle(self, *args, action, username, replace, days, **options):
        if action == "list":
            return self.show(username)
        if not username:
            raise CommandError(f"{action} needs a USERNAME", returncode=2)
        user = self.user(username)
        token = api_token_current(user=user)
        if action == "revoke":
            if not api_tokens_revoke(user=user):
                raise CommandError(f"{username} has no API token")
            self.stdout.write(f"Revoked the API token of {username}.")
            return
        if token is not None and not replace:
            raise CommandError(
                f"{username} already has an API token (created {token.created_at:%Y-%m-%d}); "
                "add --replace to make a new one"
            )
        if days is not None and days <= 0:
            raise CommandError("--days must be at least 1", returncode=2)
        _, key = api_token_create(user=user, days=days)
        self.stdout.write(key)

    def user(self, username):
        users = get_user_model()._default_manager
        try:
            return users.get_by_natural_key(username)
        except users.model.DoesNotExist:
            raise CommandError(f"no user {username!r}") from None

    def show(self, username):
        tokens = ApiToken.objects.select_related("user").order_by("created_at")
        if username:
            tokens = tokens.filter(user=self.user(username))
        rows = [
            f"{token.user.get_username()}\t{token.created_at:%Y-%m-%d %H:%M}\t{token.prefix}…"
            f"\texpires {token.expires_at:%Y-%m-%d}"
            for token in tokens
        ]
        self.stdout.write("\n".join(rows) if rows else "No API tokens.")
