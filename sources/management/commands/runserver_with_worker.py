import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Development server plus a background task worker and the scheduler, for `make run`."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        worker = subprocess.Popen([sys.executable, "manage.py", "task_worker", "--queue-name", "*"])  # noqa: S603
        scheduler = subprocess.Popen([sys.executable, "manage.py", "watch_scheduler"])  # noqa: S603
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            for process in (worker, scheduler):
                process.terminate()
            for process in (worker, scheduler):
                process.wait(timeout=10)
