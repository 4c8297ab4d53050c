"""The Celery application, for TASK_BACKEND=celery (multi-machine workers).

Run workers with `celery -A directory worker -Q default,bulk,monitor` (one
queue each where the queues must not wait on one another). Django's Tasks API
dispatches to them through django-tasks-celery; the task code is the same as
under the database backend.
"""

import importlib
import os
import pkgutil
import sys

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")

app = Celery("directory")
app.config_from_object("django.conf:settings", namespace="CELERY")


def import_task_modules() -> list[str]:
    """Import every service module, so that each django.tasks task is registered with Celery.

    Tasks live beside their services (sources/services/*.py); importing them runs
    @task, which registers the task with this app.
    """
    import sources.services

    names = [
        f"sources.services.{info.name}" for info in pkgutil.iter_modules(sources.services.__path__)
    ]
    for name in names:
        importlib.import_module(name)
    return names


def register_tasks() -> int:
    """Register every task with the configured Celery backend (those imported before it
    was configured too); how many tasks there are."""
    from django.tasks import Task, task_backends

    count = 0
    for name in import_task_modules():
        for value in vars(sys.modules[name]).values():
            if isinstance(value, Task):
                task_backends[value.backend].validate_task(value)
                count += 1
    return count


@signals.worker_init.connect
def _register_tasks(**_kwargs) -> None:
    import django

    django.setup()
    register_tasks()


_heartbeats: list = []


@signals.worker_ready.connect
def _start_heartbeat(sender=None, **_kwargs) -> None:
    """Record the worker's heartbeat like `task_worker` does, so /readyz sees Celery workers."""
    from django.conf import settings

    from sources.ops.heartbeat import Heartbeat

    heartbeat = Heartbeat(
        f"celery:{getattr(sender, 'hostname', '') or os.getpid()}",
        settings.WORKER_HEARTBEAT_SECONDS,
    )
    heartbeat.start()
    _heartbeats.append(heartbeat)


@signals.worker_shutdown.connect
def _stop_heartbeat(**_kwargs) -> None:
    while _heartbeats:
        _heartbeats.pop().stop()
