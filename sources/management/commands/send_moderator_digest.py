from django.core.management.base import BaseCommand

from sources.services.notifications import moderators_digest_send


class Command(BaseCommand):
    help = (
        "E-mail the moderators one digest of the submissions and reports not yet announced "
        "(the task worker does this by itself; this is for cron or a manual nudge)."
    )

    def handle(self, *args, **options):
        count = moderators_digest_send()
        self.stdout.write(f"Digest listed {count} item(s)" if count else "Nothing to announce")
