"""Steady mixed traffic against a Stack, counting what users saw and what was acknowledged.

Visitors (each its own address through X-Forwarded-For) read the home page,
search, vendor pages and the API's vendor list, run API checks of correctly set
up customer domains, and now and then post a small bulk check. Every check
answered 201 and every bulk answered 201/202 is remembered, so a benchmark can
prove afterwards that none was lost and every bulk finished.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from prodstack import Stack, customer

KINDS = ("home", "search", "vendor", "api vendors", "api check", "bulk")
WEIGHTS = (3, 3, 3, 3, 4, 0.2)


@dataclass
class Seen:
    """What the clients saw, by kind of request and status (0: no answer)."""

    statuses: dict[str, Counter] = field(default_factory=lambda: {k: Counter() for k in KINDS})
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    check_ids: list[str] = field(default_factory=list)
    bulk_ids: list[str] = field(default_factory=list)
    errors: list[tuple[float, str, str]] = field(default_factory=list)  # time, kind, error
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, status: int, seconds: float, at: float, error: str = "") -> None:
        with self.lock:
            self.statuses[kind][status] += 1
            self.latencies[kind].append(seconds)
            if error or status == 0 or status >= 500:
                self.errors.append((at, kind, error or str(status)))

    def p95_ms(self, kind: str) -> float:
        values = sorted(self.latencies[kind])
        return values[int(len(values) * 0.95)] * 1000 if values else 0.0


class Traffic:
    """`rate` requests per second in all, spread over `clients` threads, until stopped."""

    def __init__(self, stack: Stack, *, rate: float, clients: int = 8, customers: int = 20) -> None:
        self.stack = stack
        self.rate = rate
        self.clients = clients
        self.customers = customers
        self.seen = Seen()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.started = 0.0
        self._counter = itertools.count()

    def start(self) -> Traffic:
        self.started = time.monotonic()
        for index in range(self.clients):
            thread = threading.Thread(target=self._visitor, args=(index,), daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def stop(self) -> Seen:
        self.stopping.set()
        for thread in self.threads:
            thread.join(60)
        return self.seen

    def _visitor(self, index: int) -> None:
        rng = random.Random(index)
        client = self.stack.client(address=f"198.51.100.{index + 1}")
        interval = self.clients / self.rate
        next_at = time.monotonic() + rng.random() * interval
        while not self.stopping.is_set():
            delay = next_at - time.monotonic()
            if delay > 0 and self.stopping.wait(delay):
                break
            next_at += interval
            kind = rng.choices(KINDS, WEIGHTS)[0]
            self._one(client, kind, rng)

    def _one(self, client, kind: str, rng: random.Random) -> None:
        started = time.monotonic()
        at = started - self.started
        try:
            status, headers, body = self._send(client, kind, rng)
        except Exception as exc:  # noqa: BLE001 - any failure is what the user saw
            self.seen.add(kind, 0, time.monotonic() - started, at, f"{type(exc).__name__}: {exc}")
            return
        self.seen.add(kind, status, time.monotonic() - started, at)
        if kind == "api check" and status == 201:
            with self.seen.lock:
                self.seen.check_ids.append(json.loads(body)["id"])
        if kind == "bulk" and status in (201, 202):
            with self.seen.lock:
                self.seen.bulk_ids.append(json.loads(body)["id"])

    def _send(self, client, kind: str, rng: random.Random):
        if kind == "home":
            return client.request("GET", "/")
        if kind == "search":
            return client.request(
                "GET", "/search/?q=" + rng.choice(["mail", "crm", "billing", "dkim"])
            )
        if kind == "vendor":
            return client.request(
                "GET", "/vendors/" + rng.choice(["mailhawk", "sendgrid", "postmark"]) + "/"
            )
        if kind == "api vendors":
            return client.request("GET", "/api/v1/vendors?q=" + rng.choice(["mail", "support"]))
        account = {"vendor": "mailhawk", "parameters": {"account_id": "7001"}}
        if kind == "api check":
            domain = customer(rng.randrange(self.customers))
            return client.request("POST", "/api/v1/checks", {"domain": domain, **account})
        domains = [customer(rng.randrange(self.customers)) for _ in range(5)]
        return client.request(
            "POST", "/api/v1/bulk-checks", {"domains": sorted(set(domains)), **account}
        )


def verify(stack: Stack, seen: Seen, *, wait: float = 180) -> dict[str, int]:
    """Acknowledged checks stored, acknowledged bulks finished (waiting up to `wait` s)."""
    ids = json.dumps(seen.check_ids)
    count = "from sources.models import CheckResult as C;"
    stored = int(stack.shell(count + f"print(C.objects.filter(pk__in={ids}).count())"))
    bulks = json.dumps(seen.bulk_ids)
    query = (
        "import json; from collections import Counter; from sources.models import BulkCheck;"
        f"rows = BulkCheck.objects.filter(pk__in={bulks}).values_list('status', flat=True);"
        "print(json.dumps(Counter(rows)))"
    )
    deadline = time.monotonic() + wait
    states = json.loads(stack.shell(query))
    while states.get("done", 0) < len(seen.bulk_ids) and time.monotonic() < deadline:
        time.sleep(2)
        states = json.loads(stack.shell(query))
    return {
        "checks acknowledged": len(seen.check_ids),
        "checks stored": stored,
        "bulks acknowledged": len(seen.bulk_ids),
        "bulks done": states.get("done", 0),
        "bulks failed": states.get("failed", 0),
    }


def summary(seen: Seen) -> list[str]:
    head = f"{'kind':<12}{'requests':>9}{'2xx/3xx':>9}{'429':>6}{'other':>7}"
    lines = [head + f"{'no answer':>10}{'p95 ms':>9}"]
    for kind in KINDS:
        counts = seen.statuses[kind]
        good = sum(n for s, n in counts.items() if 200 <= s < 400)
        other = sum(n for s, n in counts.items() if s >= 400 and s != 429)
        lines.append(
            f"{kind:<12}{sum(counts.values()):>9}{good:>9}{counts[429]:>6}{other:>7}{counts[0]:>10}"
            f"{seen.p95_ms(kind):>9.0f}"
        )
    return lines
