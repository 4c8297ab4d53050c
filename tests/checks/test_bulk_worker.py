"""A bulk check finishes under the real database-backed task worker (`manage.py db_worker`)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from sources.models import BulkCheck
from sources.services.bulkchecks import bulk_create, bulk_rows_parse
from sources.services.checks import check_input_clean

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = "brightfield.example\nlumenfold.example\nharbourline.example\n"
CREATE = f"""
from sources.services.bulkchecks import bulk_create, bulk_rows_parse
from sources.services.checks import check_input_clean
bulk = bulk_create(check=check_input_clean(domain=None), rows=bulk_rows_parse({DOMAINS!r}))
print(bulk.pk)
"""
STATUS = """
import json
from sources.models import BulkCheck
from sources.services.bulkchecks import bulk_status
print(json.dumps(bulk_status(BulkCheck.objects.get(pk="{bulk_id}"))))
"""


def manage(*args, env):
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def worker(env):
    manage("task_worker", "--batch", "--queue-name", "*", "--no-startup-delay", env=env)


@pytest.mark.django_db(transaction=True)
def test_the_db_worker_runs_a_small_bulk_to_the_end(dns_server, settings, tmp_path):
    env = {
        **os.environ,
        "CHECKER_NAMESERVERS": dns_server.address,
        "CHECKER_TIMEOUT": "1",
        "DJANGO_SETTINGS_MODULE": "directory.settings",
    }
    if connection.vendor == "postgresql":
        # The test database itself, committed rows and all.
        db = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}"
            f":{db['PORT'] or 5432}/{db['NAME']}"
        )
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "bulk"]}
        }
        bulk = bulk_create(check=check_input_clean(domain=None), rows=bulk_rows_parse(DOMAINS))
        worker(env)
        bulk.refresh_from_db()
        status = {"status": bulk.status, "done": bulk.done, "counts": bulk.counts}
    else:
        # SQLite's test database lives in this process's memory: use a file of its own.
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
        manage("migrate", "--noinput", env=env)
        bulk_id = manage("shell", "-c", CREATE, env=env).strip().splitlines()[-1]
        worker(env)
        output = manage("shell", "-c", STATUS.format(bulk_id=bulk_id), env=env)
        status = json.loads(output.strip().splitlines()[-1])
    assert status["status"] == BulkCheck.Status.DONE
    assert status["done"] == 3
    assert sum(status["counts"].values()) == 3


def test_rows_queued_under_the_old_task_path_still_find_the_bulk_task():
    from django.utils.module_loading import import_string

    from sources.services.bulkchecks import bulk_check_run

    assert import_string("sources.tasks.bulk_check_run") is bulk_check_run
