from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sources.services.analyses import analyses_prune
from sources.services.checks import checks_prune


class Command(BaseCommand):
    help = (
        "Delete stored checks, bulk checks and kept message analyses older than "
        "CHECK_RETENTION_DAYS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Keep this many days instead (default: {settings.CHECK_RETENTION_DAYS}).",
        )

    def handle(self, *args, days, **options):
        if days is not None and days < 0:
            raise CommandError("--days must not be negative", returncode=2)
        deleted = checks_prune(days=days)
        analyses = analyses_prune(days=days)
        self.stdout.write(
            f"Deleted {deleted['checks']} check(s) and {deleted['bulk_checks']} bulk check(s) "
            f"with {deleted['bulk_results']} result(s), and {analyses} message analysis(es)."
        )
