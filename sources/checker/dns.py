"""Asynchronous DNS lookups for the checker.

This is the only module that imports dnspython (for names, IDNA and the
system resolver configuration; messages are encoded by `dns_wire`). Everything
else in the checker sees plain `Answer` values: a status word and the records
as text.

A `Resolver` belongs to one check. It caches every answer, lets concurrent
identical lookups share one query on the wire, follows CNAME chains itself
(authoritative servers stop at names outside their zones) and enforces a query
budget and a time budget, so a hostile zone cannot make one check send
unbounded traffic or last longer than `time_budget` seconds, however deep its
chain of slow answers. Lookups cut short by the time budget are "timeout".
"""

from __future__ import annotations

import asyncio
import secrets
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import dns.exception
import dns.inet
import dns.name
import dns.resolver

from .dns_wire import (
    TYPE_CODES,
    Labels,
    MalformedMessage,
    Record,
    Response,
    decode_response,
    encode_query,
    labels_text,
)

Status = Literal["ok", "nxdomain", "nodata", "servfail", "refused", "timeout", "error"]

# Statuses that say "we could not find out", as opposed to "the record is not there".
RETRYABLE: frozenset[str] = frozenset({"timeout", "servfail", "refused", "error"})

SUPPORTED_TYPES: frozenset[str] = frozenset(TYPE_CODES)
TYPE_NAMES: dict[int, str] = {code: name for name, code in TYPE_CODES.items()}
RCODE_SERVFAIL, RCODE_NXDOMAIN, RCODE_REFUSED = 2, 3, 5
RCODE_TEXT = {1: "FORMERR", 4: "NOTIMP"}

# Large enough for most TXT answers, small enough to avoid IP fragmentation
# (the DNS Flag Day 2020 recommendation). Bigger answers come back truncated
# and are fetched again over TCP.
EDNS_PAYLOAD = 1232
DEFAULT_TIME_BUDGET = 30.0  # seconds for all the lookups of one check


@dataclass(frozen=True)
class Answer:
    """The outcome of one lookup, with records rendered as text."""

    name: str
    rdtype: str
    status: Status
    records: tuple[str, ...] = ()
    cname_chain: tuple[str, ...] = ()
    reason: str = ""

    @property
    def ok(self) -> bool:
        """True when the name has records of the asked type."""
        return self.status == "ok"

    @property
    def is_retryable(self) -> bool:
        """True when the lookup failed: the record may well exist."""
        return self.status in RETRYABLE

    @property
    def is_missing(self) -> bool:
        """True when the DNS said authoritatively that there is no such record."""
        return self.status in ("nxdomain", "nodata")


@dataclass
class ResolverStats:
    """Counters for one Resolver (one check)."""

    queries: int = 0  # messages sent on the wire, UDP and TCP
    cache_hits: int = 0  # lookups served by the cache or by a query already in flight
    tcp_fallbacks: int = 0
    timeouts: int = 0
    elapsed_ms: float = 0.0  # wall time from the first lookup to the last answer

    def to_dict(self) -> dict[str, float | int]:
        """The counters as a JSON-ready dict."""
        return {
            "queries": self.queries,
            "cache_hits": self.cache_hits,
            "tcp_fallbacks": self.tcp_fallbacks,
            "timeouts": self.timeouts,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }


@dataclass(frozen=True)
class TraceEntry:
    """One lookup sent: what was asked, when (ms from the first lookup), what came back."""

    name: str
    rdtype: str
    start_ms: float
    end_ms: float
    status: str

    def to_dict(self) -> dict[str, str | float | int]:
        return {
            "name": self.name,
            "type": self.rdtype,
            "start_ms": round(self.start_ms, 1),
            "end_ms": round(self.end_ms, 1),
            "status": self.status,
        }


class _BudgetExceeded(Exception):
    pass


@dataclass(frozen=True)
class _Step:
    """What one response said about one (name, type): a link of a possible CNAME chain."""

    status: Status
    records: tuple[str, ...] = ()
    chain: tuple[str, ...] = ()  # CNAME targets the server followed for us
    chase: Labels | None = None  # a CNAME target the server left for us to ask about
    reason: str = ""


def parse_nameserver(spec: str) -> tuple[str, int]:
    """Split "host", "host:port", "[v6]:port" or a bare IPv6 address into (host, port)."""
    text = spec.strip()
    if not text:
        raise ValueError("empty nameserver")
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep:
            raise ValueError(f"unclosed bracket in nameserver {spec!r}")
        port_text = rest.removeprefix(":") if rest else "53"
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, "53"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"bad port in nameserver {spec!r}")
    if not dns.inet.is_address(host):
        raise ValueError(f"nameserver must be an IP address, not {host!r}")
    return host, int(port_text)


def normalise_name(name: str) -> str:
    """The A-label, lowercase form of a domain name without the trailing dot.

    Raises ValueError with a readable reason when the text is not a domain name.
    """
    return labels_text(_parse_name(name))


def _parse_name(name: str) -> Labels:
    text = name.strip()
    if text in ("", "."):
        raise ValueError("empty domain name")
    try:
        # Non-ASCII text goes through IDNA 2008 with UTS 46 mapping, so
        # "Bücher.Example" and "xn--bcher-kva.example" are the same name.
        parsed = dns.name.from_text(text)
    except dns.exception.DNSException as exc:
        raise ValueError(f"not a valid domain name: {exc}") from None
    except (UnicodeError, OverflowError) as exc:  # punycode overflows on long digit runs
        raise ValueError(f"not a valid IDN: {exc}") from None
    return tuple(label.lower() for label in parsed.labels[:-1])


def _find(section: tuple[Record, ...], owner: Labels, rdtype: int) -> list[Record]:
    return [record for record in section if record.rdtype == rdtype and record.owner == owner]


def _soa_covers(section: tuple[Record, ...], name: Labels) -> bool:
    for record in section:
        if record.rdtype == TYPE_CODES["SOA"]:
            depth = len(record.owner)
            if depth == 0 or name[-depth:] == record.owner:
                return True
    return False


def _interpret(response: Response, qname: Labels, rdtype: int) -> _Step:
    """Read one response into a step of the lookup."""
    rcode = response.rcode
    if rcode == RCODE_SERVFAIL:
        return _Step("servfail", reason="server failure (SERVFAIL)")
    if rcode == RCODE_REFUSED:
        return _Step("refused", reason="query refused (REFUSED)")
    if rcode not in (0, RCODE_NXDOMAIN):
        return _Step("error", reason=f"server answered {RCODE_TEXT.get(rcode, f'rcode {rcode}')}")

    current = qname
    chain: list[str] = []
    seen = {qname}
    while True:
        found = _find(response.answer, current, rdtype)
        if found:
            records = tuple(sorted({record.text for record in found}))
            return _Step("ok", records, tuple(chain))
        if rdtype == TYPE_CODES["CNAME"]:
            break
        cnames = _find(response.answer, current, TYPE_CODES["CNAME"])
        if not cnames or cnames[0].target is None:
            break
        target = cnames[0].target
        chain.append(labels_text(target))
        if target in seen:  # the caller reports the loop
            return _Step("nodata", chain=tuple(chain))
        seen.add(target)
        current = target

    if rcode == RCODE_NXDOMAIN:
        return _Step("nxdomain", chain=tuple(chain), reason="no such domain (NXDOMAIN)")
    # A negative answer carries the SOA of the zone it speaks for. Without one
    # covering the CNAME target, the server simply did not know the target's
    # zone and we must ask about it ourselves.
    if chain and not _soa_covers(response.authority, current):
        return _Step("nodata", chain=tuple(chain), chase=current)
    return _Step("nodata", chain=tuple(chain), reason="no record of this type (NODATA)")


def _system_nameservers() -> list[tuple[str, int]]:
    try:
        configured = dns.resolver.Resolver(configure=True).nameservers
    except (dns.exception.DNSException, OSError):
        configured = []
    servers = []
    for entry in configured:
        address = str(entry)
        if dns.inet.is_address(address):
            servers.append((address, 53))
    return servers or [("127.0.0.1", 53)]


class Resolver:
    """A caching, concurrent stub resolver for one check."""

    def __init__(
        self,
        nameservers: Sequence[str] = (),
        *,
        timeout: float = 3.0,
        retries: int = 1,
        max_queries: int = 500,
        max_cname_depth: int = 10,
        time_budget: float = DEFAULT_TIME_BUDGET,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if time_budget <= 0:
            raise ValueError("time_budget must be positive")
        self._servers = [parse_nameserver(spec) for spec in nameservers] or None
        self.timeout = timeout
        self.time_budget = time_budget  # counted from the first lookup
        self.retries = max(0, retries)
        self.max_queries = max_queries
        self.max_cname_depth = max_cname_depth
        self.stats = ResolverStats()
        self._steps: dict[tuple[Labels, int], asyncio.Task[_Step]] = {}
        self._answers: dict[tuple[Labels, str], Answer] = {}
        self._started: float | None = None
        self.trace: list[TraceEntry] = []  # every lookup sent, in the order it finished

    @property
    def nameservers(self) -> list[tuple[str, int]]:
        """The (host, port) pairs asked, in order; the system's when none were given."""
        if self._servers is None:
            self._servers = _system_nameservers()
        return self._servers

    async def query(self, name: str, rdtype: str) -> Answer:
        """Look up one name and type; never raises for DNS trouble, see Answer.status."""
        rdtype = rdtype.upper()
        if rdtype not in SUPPORTED_TYPES:
            raise ValueError(f"unsupported record type {rdtype!r}")
        try:
            qname = _parse_name(name)
        except ValueError as exc:
            shown = name.strip().lower().rstrip(".")
            return Answer(shown, rdtype, "error", reason=str(exc))
        key = (qname, rdtype)
        cached = self._answers.get(key)
        if cached is not None:
            self.stats.cache_hits += 1
            return cached
        answer = await self._resolve(qname, rdtype)
        self._answers[key] = answer
        return answer

    async def _resolve(self, qname: Labels, rdtype: str) -> Answer:
        shown = labels_text(qname)
        code = TYPE_CODES[rdtype]
        chain: list[str] = []
        seen = {shown}
        current = qname
        while True:
            step = await self._step(current, code)
            for target in step.chain:
                if target in seen:
                    return Answer(
                        shown, rdtype, "error", (), (*chain, target), f"CNAME loop at {target}"
                    )
                seen.add(target)
                chain.append(target)
            if len(chain) > self.max_cname_depth:
                reason = f"CNAME chain longer than {self.max_cname_depth}"
                return Answer(shown, rdtype, "error", (), tuple(chain), reason)
            if step.chase is None:
                return Answer(shown, rdtype, step.status, step.records, tuple(chain), step.reason)
            # Labels as read from the wire: turning them back into text and
            # parsing that again fails for names such as the root (CNAME to ".").
            current = step.chase

    async def _step(self, qname: Labels, rdtype: int) -> _Step:
        key = (qname, rdtype)
        task = self._steps.get(key)
        if task is None:
            task = asyncio.ensure_future(self._fetch(qname, rdtype))
            self._steps[key] = task
        else:
            self.stats.cache_hits += 1
        # Shielded so that one cancelled caller does not cancel the query the
        # other callers are waiting on.
        return await asyncio.shield(task)

    async def _fetch(self, qname: Labels, rdtype: int) -> _Step:
        if self._started is None:
            self._started = time.monotonic()
        start = time.monotonic()
        status = "error"
        try:
            step = await self._ask_servers(qname, rdtype)
            status = step.status
            return step
        finally:
            end = time.monotonic()
            self.stats.elapsed_ms = (end - self._started) * 1000
            self.trace.append(
                TraceEntry(
                    labels_text(qname),
                    TYPE_NAMES.get(rdtype, str(rdtype)),
                    (start - self._started) * 1000,
                    (end - self._started) * 1000,
                    status,
                )
            )

    async def _ask_servers(self, qname: Labels, rdtype: int) -> _Step:
        last = _Step("timeout", reason="no answer")
        for _attempt in range(self.retries + 1):
            heard_back = False
            for host, port in self.nameservers:
                # A fresh ID (and, below, a fresh socket and source port) for
                # every message makes forged answers harder to slip in.
                query_id = secrets.randbits(16)
                wire = encode_query(query_id, qname, rdtype, payload=EDNS_PAYLOAD)
                remaining = self._time_left()
                if remaining <= 0:
                    return _Step("timeout", reason=self._spent)
                try:
                    response = await self._exchange(
                        wire, qname, rdtype, host, port, min(self.timeout, remaining)
                    )
                except _BudgetExceeded:
                    return _Step("error", reason=f"query budget of {self.max_queries} exhausted")
                except TimeoutError:
                    self.stats.timeouts += 1
                    if self._time_left() <= 0:
                        return _Step("timeout", reason=self._spent)
                    last = _Step("timeout", reason=f"no answer from {host}:{port}")
                    continue
                except (MalformedMessage, OSError, EOFError) as exc:
                    heard_back = True
                    detail = str(exc) or type(exc).__name__
                    last = _Step("error", reason=f"bad response from {host}:{port}: {detail}")
                    continue
                step = _interpret(response, qname, rdtype)
                if step.status in ("servfail", "refused", "error"):
                    # Another server may do better, but asking the same one
                    # again only helps when it stayed silent.
                    heard_back = True
                    last = step
                    continue
                return step
            if heard_back:
                break
        return last

    def _time_left(self) -> float:
        assert self._started is not None
        return self._started + self.time_budget - time.monotonic()

    @property
    def _spent(self) -> str:
        return f"the check's time budget of {self.time_budget:g} s is spent"

    async def _exchange(
        self, wire: bytes, qname: Labels, rdtype: int, host: str, port: int, timeout: float
    ) -> Response:
        if self.stats.queries >= self.max_queries:
            raise _BudgetExceeded
        self.stats.queries += 1
        response = await _udp_exchange(wire, (qname, rdtype), host, port, timeout)
        if response.truncated:
            if self.stats.queries >= self.max_queries:
                raise _BudgetExceeded
            self.stats.queries += 1
            self.stats.tcp_fallbacks += 1
            timeout = min(self.timeout, self._time_left())
            if timeout <= 0:
                raise TimeoutError
            response = await _tcp_exchange(wire, (qname, rdtype), host, port, timeout)
        return response


def _matches(response: Response, wire: bytes, question: tuple[Labels, int]) -> bool:
    # Servers may echo the question in another letter case; labels are
    # already lowercased by the decoder.
    return response.id == int.from_bytes(wire[:2], "big") and (
        response.question is None or response.question == question
    )


async def _udp_exchange(
    wire: bytes, question: tuple[Labels, int], host: str, port: int, timeout: float
) -> Response:
    """Send one datagram and wait for the matching reply; raises TimeoutError."""
    loop = asyncio.get_running_loop()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)
        # Connected, so the kernel drops datagrams from elsewhere and an ICMP
        # "port unreachable" surfaces at once as ConnectionRefusedError.
        sock.connect((host, port))
        async with asyncio.timeout(timeout):
            await loop.sock_sendall(sock, wire)
            while True:
                data = await loop.sock_recv(sock, 65535)
                if data[:2] != wire[:2]:
                    continue  # a late answer to someone else's question
                response = decode_response(data)
                if _matches(response, wire, question):
                    return response


async def _tcp_exchange(
    wire: bytes, question: tuple[Labels, int], host: str, port: int, timeout: float
) -> Response:
    """Ask over TCP (RFC 7766), for answers too big for a datagram."""
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(len(wire).to_bytes(2, "big") + wire)
            await writer.drain()
            while True:
                size = int.from_bytes(await reader.readexactly(2), "big")
                response = decode_response(await reader.readexactly(size))
                if _matches(response, wire, question):
                    return response
        finally:
            writer.close()
