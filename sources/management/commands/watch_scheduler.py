"""Queue due watches, webhook retries and periodic tasks, every SCHEDULER_INTERVAL seconds."""

from __future__ import annotations

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections

from sources.services.watchscheduler import schedule_run

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Queue due watched-domain checks, webhook retries and periodic tasks (claimed in the "
        "database, so several schedulers never queue the same work twice)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run once and exit")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="seconds between runs (default: SCHEDULER_INTERVAL)",
        )

    def handle(self, *args, once: bool, interval: float | None, **options) -> None:
        interval = settings.SCHEDULER_INTERVAL if interval is None else interval
        self.running = True
        if not once:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
        while self.running:
            try:
                outcome = schedule_run()
            except DatabaseError as exc:
                logger.warning("Database unavailable (%s); trying again", exc)
                connections.close_all()
                outcome = None
            if outcome and (once or any(outcome.values())):
                self.stdout.write(" ".join(f"{name}={count}" for name, count in outcome.items()))
            if once:
                return
            slept = 0.0
            while self.running and slept < interval:
                time.sleep(min(0.5, interval - slept))
                slept += 0.5

    def _stop(self, *_args) -> None:
        self.running = False
