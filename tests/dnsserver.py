"""An authoritative DNS server on loopback for tests and benchmarks.

It answers real UDP and TCP queries from zones given as RFC 1035 master-file
text or built in code, so the checker is tested through sockets exactly as in
production. Faults can be injected per name (silence, SERVFAIL, REFUSED,
forced truncation, a malformed reply), every answer can be delayed by a
fixed latency without holding up other queries, and some names' answers by
a delay of their own (a slow server for those names only).

    server = DNSServer().start()
    server.add_zone_text(ZONE)
    server.set_fault("slow.example.com", "timeout")
    server.latency = 0.02
    server.set_delay("slow.example.com", 4.5)
    ... Resolver([server.address]) ...
    server.stop()

Run as a script (`python tests/dnsserver.py --latency 0.02 zone...`) it serves
until interrupted; `tests.dnsserver_process.spawn_server()` runs it in a child
process so that a benchmark's client and server do not share one interpreter
lock.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import socket
import threading
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rdtypes.ANY.SPF
import dns.rdtypes.ANY.TXT
import dns.rrset
import dns.zone

Fault = Literal["timeout", "servfail", "refused", "truncate", "malformed"]
FAULTS: frozenset[str] = frozenset({"timeout", "servfail", "refused", "truncate", "malformed"})

ZONES_DIR = Path(__file__).parent / "zones"
DEFAULT_TTL = 300
# Real servers give up on long in-zone CNAME chains; BIND stops at 16.
MAX_CHASE = 16
IN = dns.rdataclass.IN


@dataclass
class _Store:
    """Zone data: rdatasets by owner name, and the zone apexes."""

    rdatasets: dict[dns.name.Name, dict[int, dns.rdataset.Rdataset]] = field(default_factory=dict)
    existing: set[dns.name.Name] = field(default_factory=set)  # owners and empty non-terminals
    origins: set[dns.name.Name] = field(default_factory=set)

    def copy(self) -> _Store:
        return _Store(
            {name: dict(by_type) for name, by_type in self.rdatasets.items()},
            set(self.existing),
            set(self.origins),
        )

    def add(self, origin: dns.name.Name, name: dns.name.Name, rdataset: dns.rdataset.Rdataset):
        self.origins.add(origin)
        by_type = self.rdatasets.setdefault(name, {})
        if rdataset.rdtype in by_type:
            by_type[rdataset.rdtype].union_update(rdataset)
        else:
            by_type[rdataset.rdtype] = rdataset
        # Every name between the owner and the apex exists (RFC 8020): asking
        # for _domainkey.example.com when only sel._domainkey.example.com has
        # records is NODATA, not NXDOMAIN.
        walk = name
        while True:
            self.existing.add(walk)
            if walk == origin or walk == dns.name.root:
                break
            walk = walk.parent()

    def zone_of(self, name: dns.name.Name) -> dns.name.Name | None:
        walk = name
        while True:
            if walk in self.origins:
                return walk
            if walk == dns.name.root:
                return None
            walk = walk.parent()

    def records(self, name: dns.name.Name, rdtype: int) -> dns.rdataset.Rdataset | None:
        return self.rdatasets.get(name, {}).get(rdtype)

    def wildcard_source(self, name: dns.name.Name, origin: dns.name.Name) -> dns.name.Name | None:
        """The wildcard owner that synthesises `name`, if any (RFC 4592, simplified)."""
        walk = name
        while walk != origin and walk != dns.name.root:
            walk = walk.parent()
            if walk in self.existing:
                star = dns.name.Name((b"*", *walk.labels))
                return star if star in self.rdatasets else None
        return None


def _encode(text: str) -> bytes:
    # Text written with \xNN escapes in test data means those very bytes.
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def _txt_rdata(value: str | bytes | Sequence[str | bytes]) -> dns.rdata.Rdata:
    """A TXT rdata from one string (split every 255 bytes) or a list of strings."""
    parts = [value] if isinstance(value, str | bytes) else list(value)
    strings: list[bytes] = []
    for part in parts:
        raw = _encode(part) if isinstance(part, str) else part
        chunks = [raw[i : i + 255] for i in range(0, len(raw), 255)] or [b""]
        strings.extend(chunks)
    # A TXT record with no strings at all cannot be sent; the closest is one
    # empty string.
    return dns.rdtypes.ANY.TXT.TXT(IN, dns.rdatatype.TXT, strings or [b""])


def make_rdata(rdtype: str, value: Any) -> dns.rdata.Rdata:
    """An rdata from a zone-file style value; TXT also takes bytes or a list of strings."""
    kind = rdtype.upper()
    if kind in ("TXT", "SPF"):
        rdata = _txt_rdata(value)
        if kind == "SPF":
            # The obsolete SPF type (99) has TXT's format.
            return dns.rdtypes.ANY.SPF.SPF(IN, dns.rdatatype.SPF, rdata.strings)  # type: ignore[attr-defined]
        return rdata
    if kind == "MX" and not isinstance(value, str):
        preference, host = value
        value = f"{preference} {host}"
    text = str(value)
    if kind in ("CNAME", "MX", "NS", "PTR") and not text.endswith("."):
        text += "."
    return dns.rdata.from_text(
        IN, dns.rdatatype.from_text(kind), text, origin=dns.name.root, relativize=False
    )


class DNSServer:
    """An authoritative server for test zones on 127.0.0.1, UDP and TCP on one port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.latency = 0.0  # seconds added before every answer
        self.log: list[tuple[str, str, str]] = []  # (name, type, "udp" | "tcp") per query
        self._store = _Store()
        self._baseline = _Store()
        self._faults: dict[tuple[dns.name.Name, int | None], str] = {}
        self._delays: dict[dns.name.Name, float] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._count = 0
        self._in_flight = 0  # delayed answers not yet sent
        self.peak_in_flight = 0  # the most queries waiting for an answer at once

    # -- lifecycle ---------------------------------------------------------

    @property
    def address(self) -> str:
        """Where to send queries, as "host:port"."""
        return f"{self.host}:{self.port}"

    def start(self) -> DNSServer:
        """Bind the sockets and serve from a background thread."""
        udp, tcp = self._bind()
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._run, args=(udp, tcp, ready), name=f"dnsserver:{self.port}", daemon=True
        )
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("test DNS server did not start")
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None
            self._thread = None

    def __enter__(self) -> DNSServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _bind(self) -> tuple[socket.socket, socket.socket]:
        # Both transports must share one port, so pick it with TCP and retry
        # if another process happens to hold the UDP side.
        for _ in range(50):
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            tcp.bind((self.host, self.port))
            port = tcp.getsockname()[1]
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            # Bursts of thousands of queries (bulk benchmarks) overflow the
            # default buffer and datagrams are dropped; ask for more (the
            # kernel caps it at net.core.rmem_max).
            udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
            try:
                udp.bind((self.host, port))
            except OSError as exc:
                tcp.close()
                udp.close()
                if exc.errno == errno.EADDRINUSE and self.port == 0:
                    continue
                raise
            tcp.listen(128)
            tcp.setblocking(False)
            udp.setblocking(False)
            self.port = port
            return udp, tcp
        raise RuntimeError("no free port for the test DNS server")

    def _run(self, udp: socket.socket, tcp: socket.socket, ready: threading.Event) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        transport, _ = loop.run_until_complete(
            loop.create_datagram_endpoint(lambda: _UDPProtocol(self), sock=udp)
        )
        server = loop.run_until_complete(asyncio.start_server(self._serve_tcp, sock=tcp))
        ready.set()
        try:
            loop.run_forever()
        finally:
            transport.close()
            server.close()
            for task in asyncio.all_tasks(loop):
                task.cancel()
            with contextlib.suppress(Exception):
                loop.run_until_complete(asyncio.sleep(0))
            loop.close()

    # -- zone data ---------------------------------------------------------

    def add_zone_text(self, text: str, origin: str | None = None) -> None:
        """Serve a zone given as master-file text ($ORIGIN in the text or `origin`)."""
        zone = dns.zone.from_text(text, origin=origin, relativize=False, check_origin=False)
        assert zone.origin is not None
        with self._lock:
            for name, rdataset in zone.iterate_rdatasets():
                self._store.add(zone.origin, name, rdataset)

    def add_zone_file(self, path: str | Path) -> None:
        """Serve a master file; its origin is $ORIGIN or else the file name minus ".zone"."""
        path = Path(path)
        text = path.read_text(encoding="utf-8")
        origin = None if "$ORIGIN" in text else path.name.removesuffix(".zone") + "."
        self.add_zone_text(text, origin)

    def add_zone_dir(self, directory: str | Path = ZONES_DIR) -> None:
        """Serve every *.zone file of a directory."""
        for path in sorted(Path(directory).glob("*.zone")):
            self.add_zone_file(path)

    def add_records(
        self, records: Mapping[str, Iterable[tuple[str, Any]]], origin: str = "."
    ) -> None:
        """Serve records built in code: {name: [(type, value), ...]}.

        With the default origin "." the server is authoritative for every
        name, so names without records get NXDOMAIN.
        """
        apex = dns.name.from_text(origin)
        with self._lock:
            for owner, entries in records.items():
                name = dns.name.from_text(owner)
                for rdtype, value in entries:
                    rdata = make_rdata(rdtype, value)
                    rdataset = dns.rdataset.Rdataset(IN, rdata.rdtype)
                    rdataset.add(rdata, DEFAULT_TTL)
                    self._store.add(apex, name, rdataset)

    def add_name(self, name: str, origin: str = ".") -> None:
        """Make a name exist without records, so it answers NODATA."""
        with self._lock:
            self._store.origins.add(dns.name.from_text(origin))
            self._store.existing.add(dns.name.from_text(name))

    def clear_zones(self) -> None:
        """Forget all zone data, the baseline included."""
        with self._lock:
            self._store = _Store()
            self._baseline = _Store()

    def mark_baseline(self) -> None:
        """Remember the current zones as the state `reset()` returns to."""
        with self._lock:
            self._baseline = self._store.copy()

    # -- faults and measurements ---------------------------------------------

    def set_fault(self, name: str, kind: Fault | None, rdtype: str | None = None) -> None:
        """Misbehave for a name (all types, or only `rdtype`); None removes the fault."""
        if kind is not None and kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {sorted(FAULTS)}")
        key = (dns.name.from_text(name), dns.rdatatype.from_text(rdtype) if rdtype else None)
        with self._lock:
            if kind is None:
                self._faults.pop(key, None)
            else:
                self._faults[key] = kind

    def set_delay(self, name: str, seconds: float | None) -> None:
        """Answer queries for `name` (and names under it) after `seconds`; None removes it."""
        key = dns.name.from_text(name)
        with self._lock:
            if seconds is None:
                self._delays.pop(key, None)
            else:
                self._delays[key] = seconds

    def delay_for(self, wire: bytes) -> float:
        """Seconds to wait before sending the answer to this query."""
        if not self._delays:
            return self.latency
        try:
            qname = dns.message.from_wire(wire).question[0].name
        except (dns.exception.DNSException, IndexError):
            return self.latency
        with self._lock:
            own = max(
                (s for n, s in self._delays.items() if qname.is_subdomain(n)),
                default=0.0,
            )
        return max(self.latency, own)

    @property
    def query_count(self) -> int:
        """Queries received since the last reset, UDP and TCP."""
        return self._count

    def reset_counters(self) -> None:
        """Start counting queries (and logging them) from zero."""
        with self._lock:
            self._count = 0
            self.log = []
            self.peak_in_flight = 0

    def reset(self) -> None:
        """Clear faults, latency, counters, and zones added since the baseline."""
        with self._lock:
            self._faults.clear()
            self._delays.clear()
            self._store = self._baseline.copy()
            self.latency = 0.0
            self._count = 0
            self.log = []
            self.peak_in_flight = 0

    def _delayed(self) -> None:
        """Count one more answer waiting out the latency (event-loop thread only)."""
        self._in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self._in_flight)

    def _sent(self) -> None:
        self._in_flight -= 1

    # -- answering ---------------------------------------------------------

    def answer(self, wire: bytes, transport: str) -> bytes | None:
        """The reply to one query message, or None to stay silent."""
        try:
            return self._answer(wire, transport)
        except Exception:
            # A bug here must show up in the test output, not as a mysterious
            # client timeout.
            traceback.print_exc()
            return wire[:2] + b"\x81\x02" + bytes(8) if len(wire) >= 12 else None

    def _answer(self, wire: bytes, transport: str) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            if len(wire) < 12:
                return None
            # Echo the ID with FORMERR so the sender is not left waiting.
            return wire[:2] + b"\x81\x01" + bytes(8)
        if len(query.question) != 1:
            response = dns.message.make_response(query)
            response.set_rcode(dns.rcode.FORMERR)
            return response.to_wire()
        question = query.question[0]
        qname, qtype = question.name, question.rdtype
        with self._lock:
            self._count += 1
            self.log.append(
                (qname.to_text(omit_final_dot=True), dns.rdatatype.to_text(qtype), transport)
            )
            fault = self._faults.get((qname, qtype)) or self._faults.get((qname, None))
            if fault == "timeout":
                return None
            if fault == "malformed":
                return wire[:2] + b"\x81"  # a header cut short
            response = dns.message.make_response(query)
            response.flags |= dns.flags.AA
            if fault == "servfail":
                response.flags &= ~dns.flags.AA
                response.set_rcode(dns.rcode.SERVFAIL)
            elif fault == "refused":
                response.flags &= ~dns.flags.AA
                response.set_rcode(dns.rcode.REFUSED)
            elif fault == "truncate" and transport == "udp":
                response.flags |= dns.flags.TC
            else:
                self._fill(response, qname, qtype)
        if transport == "tcp":
            return response.to_wire(max_size=65535)
        limit = max(512, query.payload) if query.edns >= 0 else 512
        # Too big for the datagram: send what fits with TC set, so the client
        # retries over TCP (RFC 7766).
        return response.to_wire(max_size=limit, prefer_truncation=True)

    def _fill(self, response: dns.message.Message, qname: dns.name.Name, qtype: int) -> None:
        store = self._store
        origin = store.zone_of(qname)
        if origin is None:
            response.flags &= ~dns.flags.AA
            response.set_rcode(dns.rcode.REFUSED)
            return
        current = qname
        seen: set[dns.name.Name] = set()
        for _ in range(MAX_CHASE):
            seen.add(current)
            owner = current
            if current not in store.existing:
                source = store.wildcard_source(current, origin)
                if source is None:
                    response.set_rcode(dns.rcode.NXDOMAIN)
                    self._add_soa(response, origin)
                    return
                owner = source
            found = store.records(owner, qtype)
            if found is not None:
                response.answer.append(_rrset(current, found))
                return
            cname = store.records(owner, dns.rdatatype.CNAME)
            if cname is None or qtype == dns.rdatatype.CNAME:
                self._add_soa(response, origin)
                return
            response.answer.append(_rrset(current, cname))
            target = cname[0].target  # type: ignore[attr-defined]
            # Like real servers, follow the chain only inside this zone and
            # leave targets elsewhere (or loops) to the resolver.
            if target in seen or store.zone_of(target) != origin:
                return
            current = target

    def _add_soa(self, response: dns.message.Message, origin: dns.name.Name) -> None:
        soa = self._store.records(origin, dns.rdatatype.SOA)
        if soa is None:
            # Relative names, so that the root zone gets "ns." rather than "ns..".
            rdata = dns.rdata.from_text(
                IN,
                dns.rdatatype.SOA,
                "ns hostmaster 1 3600 600 86400 300",
                origin=origin,
                relativize=False,
            )
            soa = dns.rdataset.Rdataset(IN, dns.rdatatype.SOA)
            soa.add(rdata, DEFAULT_TTL)
        response.authority.append(_rrset(origin, soa))

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                header = await reader.readexactly(2)
                wire = await reader.readexactly(int.from_bytes(header, "big"))
                reply = self.answer(wire, "tcp")
                if reply is None:
                    continue
                delay = self.delay_for(wire)
                if delay:
                    self._delayed()
                    try:
                        await asyncio.sleep(delay)
                    finally:
                        self._sent()
                writer.write(len(reply).to_bytes(2, "big") + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def _rrset(name: dns.name.Name, rdataset: dns.rdataset.Rdataset) -> dns.rrset.RRset:
    rrset = dns.rrset.RRset(name, rdataset.rdclass, rdataset.rdtype)
    rrset.update(rdataset)
    rrset.ttl = rdataset.ttl
    return rrset


class _UDPProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: DNSServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        reply = self.server.answer(data, "udp")
        if reply is None or self.transport is None:
            return
        latency = self.server.delay_for(data)
        if latency:
            # A timer rather than a sleep, so thousands of delayed answers
            # overlap instead of queueing.
            self.server._delayed()
            asyncio.get_running_loop().call_later(latency, self._send, reply, addr)
        else:
            self.transport.sendto(reply, addr)

    def _send(self, reply: bytes, addr: tuple[str, int]) -> None:
        self.server._sent()
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(reply, addr)


def main(argv: Sequence[str] | None = None) -> None:
    """Serve zone files until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("zones", nargs="*", type=Path, help="zone files (default: tests/zones)")
    parser.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (port 0 = any free)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each answer")
    args = parser.parse_args(argv)
    host, _, port = args.listen.rpartition(":")
    server = DNSServer(host, int(port))
    if args.zones:
        for path in args.zones:
            server.add_zone_file(path)
    else:
        server.add_zone_dir()
    server.latency = args.latency
    server.start()
    print(f"serving on {server.address}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
    server.stop()


if __name__ == "__main__":
    main()
