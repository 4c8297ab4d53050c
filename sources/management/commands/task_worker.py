"""The background worker: django-tasks-db's db_worker, made to outlast its database.

db_worker stops when a query fails for any reason but a locked SQLite file,
so a PostgreSQL restart left bulk checks waiting for a worker that was gone.
This one closes its connections, waits and goes on; before its first task
and then between tasks it recovers bulk checks whose worker died (see
sources/services/bulkchecks.py). A heartbeat thread records that it is alive
for /readyz (sources/ops/heartbeat.py). Its supervisor restarts it anyway
(Restart=always in the README's unit).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import DatabaseError, connections
from django_tasks_db.management.commands import db_worker

from sources.ops.heartbeat import Heartbeat
from sources.services.bulkchecks import bulk_checks_recover

logger = logging.getLogger("django_tasks_db")

RECOVER_EVERY_SECONDS = 60
MAX_RECONNECT_WAIT = 30.0


class ResilientWorker(db_worker.Worker):
    """db_worker's loop, resumed after a lost database connection."""

    reconnect_wait = 1.0
    _recovered_at = 0.0

    def run(self) -> None:
        wait = self.reconnect_wait
        while self.running:
            try:
                self.recover()
                super().run()
                return
            except DatabaseError as exc:
                logger.warning("Database unavailable (%s); trying again in %g s", exc, wait)
                connections.close_all()
                time.sleep(wait)
                wait = min(wait * 2, MAX_RECONNECT_WAIT)

    def run_task(self, db_task_result) -> None:
        super().run_task(db_task_result)
        if time.monotonic() - self._recovered_at > RECOVER_EVERY_SECONDS:
            self.recover()

    def recover(self) -> None:
        outcome = bulk_checks_recover()
        self._recovered_at = time.monotonic()
        if any(outcome.values()):
            logger.warning("Recovered bulk checks: %s", outcome)


class Command(db_worker.Command):
    help = (
        "Run background tasks (django-tasks-db's db_worker, with the same options), "
        "surviving database restarts and recovering bulk checks whose worker died."
    )

    def handle(self, *, verbosity, queue_name, exclude_queues, reload, **options) -> None:
        self.configure_logging(verbosity)
        worker = ResilientWorker(
            queue_names=queue_name.split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        worker.configure_signals()
        heartbeat = Heartbeat(worker.worker_id, settings.WORKER_HEARTBEAT_SECONDS)
        heartbeat.start()
        try:
            worker.run()
        finally:
            heartbeat.stop()
