"""The test DNS server in a child process, for benchmarks and load tests.

Client and server then run on separate interpreters (and CPUs), so the
server's work neither steals time from the code being measured nor queues
behind it for the interpreter lock.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
from typing import Any

from tests.dnsserver import DNSServer


class ServerProcess:
    """A DNSServer running in a child process, driven through a pipe."""

    def __init__(
        self,
        process: multiprocessing.Process,
        conn: multiprocessing.connection.Connection,
        address: str,
    ) -> None:
        self._process = process
        self._conn = conn
        self.address = address
        self.host, _, port = address.rpartition(":")
        self.port = int(port)

    @property
    def pid(self) -> int | None:
        """The child process's id (for memory sampling)."""
        return self._process.pid

    def _call(self, *command: Any) -> Any:
        self._conn.send(command)
        return self._conn.recv()

    @property
    def query_count(self) -> int:
        """Queries the child has received since its last reset."""
        return self._call("count")

    def reset_count(self) -> None:
        """Start counting queries from zero."""
        self._call("reset_count")

    def set_latency(self, seconds: float) -> None:
        """Delay every answer by this much."""
        self._call("latency", seconds)

    def set_delay(self, name: str, seconds: float | None) -> None:
        """Answer queries for `name` and the names under it after `seconds`."""
        self._call("delay", name, seconds)

    def add_zone_text(self, text: str, origin: str | None = None) -> None:
        """Serve one more zone."""
        self._call("zone", text, origin)

    def stop(self) -> None:
        """Stop the child process."""
        with contextlib.suppress(OSError, EOFError):
            self._call("stop")
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(5)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _child(
    conn: multiprocessing.connection.Connection, host: str, port: int, latency: float
) -> None:
    server = DNSServer(host, port).start()
    server.latency = latency
    conn.send(server.address)
    while True:
        try:
            command, *args = conn.recv()
        except EOFError:
            break
        if command == "count":
            conn.send(server.query_count)
        elif command == "reset_count":
            server.reset_counters()
            conn.send(None)
        elif command == "latency":
            server.latency = args[0]
            conn.send(None)
        elif command == "delay":
            server.set_delay(*args)
            conn.send(None)
        elif command == "zone":
            server.add_zone_text(*args)
            conn.send(None)
        elif command == "stop":
            conn.send(None)
            break
    server.stop()


def spawn_server(host: str = "127.0.0.1", port: int = 0, latency: float = 0.0) -> ServerProcess:
    """Start a DNSServer in a child process and return a handle to it."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_child, args=(child, host, port, latency), daemon=True)
    process.start()
    if not parent.poll(30):
        process.kill()
        raise RuntimeError("DNS server process did not start")
    return ServerProcess(process, parent, parent.recv())
