"""Asynchronous DNS lookups for the checker.

This is the only module that imports dnspython. Everything else in the checker
sees plain `Answer` values: a status word and the records as text.

A `Resolver` belongs to one check. It caches every answer, lets concurrent
identical lookups share one query on the wire, follows CNAME chains itself
(authoritative servers stop at names outside their zones) and enforces a query
budget, so a hostile zone cannot make one check send unbounded traffic.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import dns.asyncquery
import dns.exception
import dns.flags
import dns.inet
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.rrset

Status = Literal["ok", "nxdomain", "nodata", "servfail", "refused", "timeout", "error"]

# Statuses that say "we could not find out", as opposed to "the record is not there".
RETRYABLE: frozenset[str] = frozenset({"timeout", "servfail", "refused", "error"})

SUPPORTED_TYPES: frozenset[str] = frozenset({"TXT", "A", "AAAA", "MX", "CNAME", "NS", "PTR", "SOA"})

# Large enough for most TXT answers, small enough to avoid IP fragmentation
# (the DNS Flag Day 2020 recommendation). Bigger answers come back truncated
# and are fetched again over TCP.
EDNS_PAYLOAD = 1232


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


class _BudgetExceeded(Exception):
    pass


@dataclass(frozen=True)
class _Step:
    """What one response said about one (name, type): a link of a possible CNAME chain."""

    status: Status
    records: tuple[str, ...] = ()
    chain: tuple[str, ...] = ()  # CNAME targets the server followed for us
    chase: str | None = None  # a CNAME target the server left for us to ask about
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
    return _name_text(_parse_name(name))


def _parse_name(name: str) -> dns.name.Name:
    text = name.strip()
    if text in ("", "."):
        raise ValueError("empty domain name")
    try:
        # Non-ASCII text goes through IDNA 2008 with UTS 46 mapping, so
        # "Bücher.Example" and "xn--bcher-kva.example" are the same name.
        return dns.name.from_text(text).canonicalize()
    except dns.exception.DNSException as exc:
        raise ValueError(f"not a valid domain name: {exc}") from None
    except UnicodeError as exc:
        raise ValueError(f"not a valid IDN: {exc}") from None


def _name_text(name: dns.name.Name) -> str:
    if name == dns.name.root:
        return "."
    return name.to_text(omit_final_dot=True).lower()


def decode_txt(strings: Sequence[bytes]) -> str:
    """Join TXT character-strings and decode them without ever failing.

    UTF-8 when the bytes are valid UTF-8, else Latin-1, which maps every byte
    to one character: garbage stays visible and never produces surrogates
    that would break JSON or HTML output later.
    """
    raw = b"".join(strings)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _render(rdata: dns.rdata.Rdata) -> str:
    rdtype = rdata.rdtype
    if rdtype == dns.rdatatype.TXT:
        return decode_txt(rdata.strings)  # type: ignore[attr-defined]
    if rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
        return str(rdata.address)  # type: ignore[attr-defined]
    if rdtype == dns.rdatatype.MX:
        return f"{rdata.preference} {_name_text(rdata.exchange)}"  # type: ignore[attr-defined]
    if rdtype in (dns.rdatatype.CNAME, dns.rdatatype.NS, dns.rdatatype.PTR):
        return _name_text(rdata.target)  # type: ignore[attr-defined]
    return rdata.to_text().lower()


def _find(section: list[dns.rrset.RRset], name: dns.name.Name, rdtype: int) -> dns.rrset.RRset:
    for rrset in section:
        if rrset.rdtype == rdtype and rrset.name == name:
            return rrset
    return dns.rrset.RRset(name, dns.rdataclass.IN, rdtype)


def _soa_covers(section: list[dns.rrset.RRset], name: dns.name.Name) -> bool:
    return any(
        rrset.rdtype == dns.rdatatype.SOA and name.is_subdomain(rrset.name) for rrset in section
    )


def _interpret(response: dns.message.Message, qname: dns.name.Name, rdtype: int) -> _Step:
    """Read one response into a step of the lookup."""
    rcode = response.rcode()
    if rcode == dns.rcode.SERVFAIL:
        return _Step("servfail", reason="server failure (SERVFAIL)")
    if rcode == dns.rcode.REFUSED:
        return _Step("refused", reason="query refused (REFUSED)")
    if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return _Step("error", reason=f"server answered {dns.rcode.to_text(rcode)}")

    current = qname
    chain: list[str] = []
    seen = {qname}
    while True:
        found = _find(response.answer, current, rdtype)
        if found:
            records = tuple(sorted({_render(rdata) for rdata in found}))
            return _Step("ok", records, tuple(chain))
        if rdtype == dns.rdatatype.CNAME:
            break
        cname = _find(response.answer, current, dns.rdatatype.CNAME)
        if not cname:
            break
        target = cname[0].target  # type: ignore[attr-defined]
        chain.append(_name_text(target))
        if target in seen:  # the caller reports the loop
            return _Step("nodata", chain=tuple(chain))
        seen.add(target)
        current = target

    if rcode == dns.rcode.NXDOMAIN:
        return _Step("nxdomain", chain=tuple(chain), reason="no such domain (NXDOMAIN)")
    # A negative answer carries the SOA of the zone it speaks for. Without one
    # covering the CNAME target, the server simply did not know the target's
    # zone and we must ask about it ourselves.
    if chain and not _soa_covers(response.authority, current):
        return _Step("nodata", chain=tuple(chain), chase=_name_text(current))
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
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self._servers = [parse_nameserver(spec) for spec in nameservers] or None
        self.timeout = timeout
        self.retries = max(0, retries)
        self.max_queries = max_queries
        self.max_cname_depth = max_cname_depth
        self.stats = ResolverStats()
        self._steps: dict[tuple[str, int], asyncio.Task[_Step]] = {}
        self._answers: dict[tuple[str, str], Answer] = {}
        self._started: float | None = None

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
        key = (_name_text(qname), rdtype)
        cached = self._answers.get(key)
        if cached is not None:
            self.stats.cache_hits += 1
            return cached
        answer = await self._resolve(qname, key[0], rdtype)
        self._answers[key] = answer
        return answer

    async def _resolve(self, qname: dns.name.Name, shown: str, rdtype: str) -> Answer:
        rdtype_code = dns.rdatatype.from_text(rdtype)
        chain: list[str] = []
        seen = {shown}
        current = qname
        while True:
            step = await self._step(current, rdtype_code)
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
            current = _parse_name(step.chase)

    async def _step(self, qname: dns.name.Name, rdtype: int) -> _Step:
        key = (_name_text(qname), rdtype)
        task = self._steps.get(key)
        if task is None:
            task = asyncio.ensure_future(self._fetch(qname, rdtype))
            self._steps[key] = task
        else:
            self.stats.cache_hits += 1
        # Shielded so that one cancelled caller does not cancel the query the
        # other callers are waiting on.
        return await asyncio.shield(task)

    async def _fetch(self, qname: dns.name.Name, rdtype: int) -> _Step:
        if self._started is None:
            self._started = time.monotonic()
        try:
            return await self._ask_servers(qname, rdtype)
        finally:
            self.stats.elapsed_ms = (time.monotonic() - self._started) * 1000

    async def _ask_servers(self, qname: dns.name.Name, rdtype: int) -> _Step:
        request = dns.message.make_query(qname, rdtype, use_edns=0, payload=EDNS_PAYLOAD)
        last = _Step("timeout", reason="no answer")
        for _attempt in range(self.retries + 1):
            heard_back = False
            for host, port in self.nameservers:
                try:
                    response = await self._exchange(request, host, port)
                except _BudgetExceeded:
                    return _Step("error", reason=f"query budget of {self.max_queries} exhausted")
                except dns.exception.Timeout:
                    self.stats.timeouts += 1
                    last = _Step("timeout", reason=f"no answer from {host}:{port}")
                    continue
                except (dns.exception.DNSException, OSError, EOFError, ValueError) as exc:
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

    async def _exchange(
        self, request: dns.message.Message, host: str, port: int
    ) -> dns.message.Message:
        if self.stats.queries >= self.max_queries:
            raise _BudgetExceeded
        self.stats.queries += 1
        response = await dns.asyncquery.udp(
            request, host, timeout=self.timeout, port=port, ignore_unexpected=True
        )
        if response.flags & dns.flags.TC:
            if self.stats.queries >= self.max_queries:
                raise _BudgetExceeded
            self.stats.queries += 1
            self.stats.tcp_fallbacks += 1
            response = await dns.asyncquery.tcp(request, host, timeout=self.timeout, port=port)
        return response
