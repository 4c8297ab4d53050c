from django.core.management.base import BaseCommand

from sources.models import DomainVerification
from sources.services.verification import verifications_recheck, verifications_recheck_all


class Command(BaseCommand):
    help = (
        "Look up the DNS token of verified domains again (run it daily from cron); "
        "domains whose record is gone expire. --enqueue hands the work to the task worker."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--pending",
            action="store_true",
            help="also check verifications still waiting for their record",
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="queue the task instead of running it here"
        )

    def handle(self, *args, pending: bool, enqueue: bool, **options):
        if enqueue:
            result = verifications_recheck.enqueue()
            self.stdout.write(f"Queued task {result.id}")
            return
        statuses = [DomainVerification.Status.VERIFIED]
        if pending:
            statuses.append(DomainVerification.Status.PENDING)
        counts = verifications_recheck_all(statuses=statuses)
        self.stdout.write(
            f"{counts['checked']} checked: {counts['verified']} newly verified, "
            f"{counts['expired']} expired, {counts['unchanged']} unchanged"
        )
