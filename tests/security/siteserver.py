"""The site as production runs it: gunicorn with uvicorn's ASGI worker, in a child process.

`site_server(...)` migrates a fresh database (a SQLite file unless `env` names
another DATABASE_URL), runs `seed` Python in it through `manage.py shell`,
and serves the site on a free port of 127.0.0.1 until the block ends.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def site_server(
    tmp_path: Path, *, env: Mapping[str, str], seed: str = "", workers: int = 1
) -> Iterator[str]:
    """The base URL of a gunicorn + uvicorn-worker server for the duration of the block."""
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "DEBUG": "false",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SECURE_SSL_REDIRECT": "false",
        "TESTING": "true",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONPATH": str(ROOT),
        **env,
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=environment, check=True)
    if seed:
        subprocess.run([*manage, "shell", "-c", seed], env=environment, check=True)
    port = free_port()
    command = [str(GUNICORN), "directory.asgi:application", "-k", "uvicorn_worker.UvicornWorker"]
    command += [
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        "30",
        "--no-control-socket",
    ]
    server = subprocess.Popen(command, env=environment, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(base: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(base + "/", timeout=2):  # noqa: S310 - loopback
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError("the server did not start")
