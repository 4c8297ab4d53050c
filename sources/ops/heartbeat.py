"""Task workers' heartbeats, so /readyz knows whether anyone works the queue."""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.db import DatabaseError, connection
from django.utils import timezone

logger = logging.getLogger(__name__)


def beat(worker_id: str, *, started_at) -> None:
    """Record that this worker is alive now."""
    from sources.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id[:64],
        defaults={
            "hostname": socket.gethostname()[:200],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


def forget(worker_id: str) -> None:
    from sources.models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(worker_id=worker_id[:64]).delete()


class Heartbeat(threading.Thread):
    """Beats every `every` seconds until stopped; a database outage is logged, not fatal."""

    def __init__(self, worker_id: str, every: float) -> None:
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.every = every
        self.started_at = timezone.now()
        self.stopped = threading.Event()
        self.beaten = threading.Event()  # set once a beat is recorded

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                beat(self.worker_id, started_at=self.started_at)
                self.beaten.set()
            except DatabaseError as exc:
                logger.warning("Heartbeat not recorded (%s)", exc)
            finally:
                connection.close()
            self.stopped.wait(self.every)

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)
        try:
            forget(self.worker_id)
        except DatabaseError:
            pass
        finally:
            connection.close()
