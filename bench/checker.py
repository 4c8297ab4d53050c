"""Benchmarks of the DNS checker against the performance budgets in DESIGN.md.

A test DNS server (tests/dnsserver.py) runs in a child process with a fixed
latency per query (20 ms by default), serving zones built below:

  (a) a customer domain with a realistic SPF record (five vendor includes,
      one nested three levels deep, nine DNS-querying terms in all) and DMARC;
  (b) a domain whose SPF record is a single include chain eight deep, and DMARC;
  (c) a full vendor check: SPF as in (a), DMARC, two DKIM selectors and a
      return-path, all CNAMEs into the vendor's zone;
  (d) bulk: many domains (1,000 by default) checked with bounded concurrency.

Each scenario is timed with a fresh Resolver per run (no cache carried over)
and compared with its critical-path bound: the longest chain of lookups that
depend on each other, times the latency. (a) and (b) are also run through
checkdmarc 6.0.4 (bench dependency) against the same server.

    .venv/bin/python bench/checker.py [--latency 0.02] [--runs 15] [--bulk 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sources.checker.dns import Resolver  # noqa: E402
from sources.checker.spf import spf_tree  # noqa: E402
from tests.dnsserver_process import ServerProcess, spawn_server  # noqa: E402

try:  # developer B's full check; the bench falls back to the DNS/SPF modules without it
    from sources.checker.check import check_domain, check_many
except ImportError:  # pragma: no cover - depends on what is merged
    check_domain = check_many = None  # type: ignore[assignment]

# A 2048-bit RSA public key (base64 DER), as a vendor's DKIM selector would publish.
DKIM_KEY = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAjpydcKaq0wyGl40IcYN5vL9VtYoBxiHS"
    "keqWRb9r2Ctq21yy/VI5VNYUJeZmrbzinGTpFk6LlH42+cO8NvDa9E1vPhN4ht4t0NWafnIeWtJt"
    "xCgRAKqCxa2X0yEkyb9PeywpkuV3bRpNWfxGvVZVFztOY5eIFJyrlViz5zYY0o3MPkssMAGgq1g3"
    "EH2H98biK5hwmRsLFQ+hCWdGx1FspUPjxjgfYt5R4z10QNzOA7LeLy0Brx6/B0Lpz/z8n4u85fKr"
    "/W5yfxpi1hJPp5gvRzjeLOpUFQ+PlAzDPar8dhFJ70HWHerR//DqaB4RdSwYmeniKBvBH7iGSscV"
    "kJntnwIDAQAB"
)

REALISTIC_SPF = (
    "v=spf1 mx include:_spf.mailhost.bench include:spf.office.bench include:_spf.crm.bench "
    "include:sendgrid.bench include:mail.helpdesk.bench ~all"
)
# Lookups: mx + 5 includes at the top, 2 in _spf.mailhost, 1 in _netblocks = 9.
# Longest dependency chain: acme -> _spf.mailhost -> _netblocks -> _netblocks3 = 4.
REALISTIC_DEPTH = 4
CHAIN_LENGTH = 8
CHAIN_DEPTH = CHAIN_LENGTH + 1  # the record itself, then eight includes one after another
# (c): the SPF tree is the longest chain (4); DKIM needs CNAME then target (2),
# the return-path CNAME 1, DMARC and tree walks 1 (queried together).
VENDOR_DEPTH = REALISTIC_DEPTH


def zone(origin: str, body: str) -> str:
    """Master-file text for one zone with its SOA."""
    return (
        f"$ORIGIN {origin}.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\n"
        f"ns A 127.0.0.1\n{body}\n"
    )


def txt(text: str) -> str:
    """A TXT value split into quoted strings of at most 255 characters."""
    return " ".join(f'"{text[i : i + 255]}"' for i in range(0, len(text), 255))


VENDOR_ZONES = [
    zone(
        "mailhost.bench",
        "_spf TXT "
        + txt("v=spf1 include:_netblocks.mailhost.bench include:_netblocks2.mailhost.bench ~all")
        + "\n_netblocks TXT "
        + txt(
            "v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 include:_netblocks3.mailhost.bench ~all"
        )
        + "\n_netblocks2 TXT "
        + txt("v=spf1 ip6:2001:4860:4000::/36 ip6:2404:6800:4000::/36 ~all")
        + "\n_netblocks3 TXT "
        + txt("v=spf1 ip4:172.217.0.0/19 ip4:172.217.32.0/20 ~all"),
    ),
    zone("office.bench", "spf TXT " + txt("v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 -all")),
    zone("crm.bench", "_spf TXT " + txt("v=spf1 ip4:136.146.208.0/22 ip4:13.110.208.0/21 -all")),
    zone("sendgrid.bench", "@ TXT " + txt("v=spf1 ip4:167.89.0.0/17 ip4:208.117.48.0/20 ~all")),
    zone("helpdesk.bench", "mail TXT " + txt("v=spf1 ip4:192.161.144.0/20 ~all")),
    zone(
        "esp.bench",
        "s1.dkim.u42 TXT "
        + txt(f"v=DKIM1; k=rsa; p={DKIM_KEY}")
        + "\ns2.dkim.u42 TXT "
        + txt(f"v=DKIM1; k=rsa; p={DKIM_KEY}")
        + "\nu42.bounces TXT "
        + txt("v=spf1 include:_spf.esp.bench -all")
        + "\nu42.bounces MX 10 mx.esp.bench.\n_spf TXT "
        + txt("v=spf1 ip4:198.51.100.0/24 -all")
        + "\nmx A 198.51.100.25",
    ),
]


def customer_zone(origin: str, spf: str, extra: str = "") -> str:
    """A customer domain with SPF, MX and a DMARC policy."""
    body = (
        f"@ TXT {txt(spf)}\n@ MX 10 mx1\nmx1 A 192.0.2.25\n"
        f'_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@{origin}"\n{extra}'
    )
    return zone(origin, body)


def chain_zone() -> str:
    lines = [f"@ TXT {txt('v=spf1 include:l1.chain.bench -all')}"]
    for level in range(1, CHAIN_LENGTH):
        lines.append(f"l{level} TXT {txt(f'v=spf1 include:l{level + 1}.chain.bench -all')}")
    lines.append(f"l{CHAIN_LENGTH} TXT {txt('v=spf1 ip4:203.0.113.0/24 -all')}")
    lines.append('_dmarc TXT "v=DMARC1; p=quarantine"')
    return zone("chain.bench", "\n".join(lines))


SHOP_EXTRA = """\
s1._domainkey CNAME s1.dkim.u42.esp.bench.
s2._domainkey CNAME s2.dkim.u42.esp.bench.
bounces CNAME u42.bounces.esp.bench.
"""

ESP_VENDOR: dict[str, Any] = {
    "slug": "bench-esp",
    "name": "Bench ESP",
    "methods": [
        {
            "kind": "cname-delegation",
            "title": "Domain authentication with CNAME records",
            "recommended": True,
            "order": 1,
            "parameters": [{"name": "account_id", "label": "Account", "pattern": "^[0-9]+$"}],
            "records": [
                {
                    "id": f"dkim-{selector}",
                    "type": "CNAME",
                    "host": f"{selector}._domainkey.{{domain}}",
                    "value": f"{selector}.dkim.u{{account_id}}.esp.bench",
                    "check": "dkim-key",
                    "purpose": "dkim",
                    "selector": selector,
                }
                for selector in ("s1", "s2")
            ]
            + [
                {
                    "id": "return-path",
                    "type": "CNAME",
                    "host": "bounces.{domain}",
                    "value": "u{account_id}.bounces.esp.bench",
                    "check": "equals",
                    "purpose": "return-path",
                }
            ],
        }
    ],
}

BULK_VENDORS = ["_spf.crm.bench", "sendgrid.bench", "spf.office.bench", "mail.helpdesk.bench"]


def bulk_zone(count: int) -> str:
    lines = []
    for index in range(count):
        name = f"d{index:05d}"
        include = BULK_VENDORS[index % len(BULK_VENDORS)]
        lines.append(f"{name} TXT {txt(f'v=spf1 mx include:{include} ~all')}")
        lines.append(f"{name} MX 10 mx.{name}")
        lines.append(f"mx.{name} A 192.0.2.{index % 250 + 1}")
        lines.append(f'_dmarc.{name} TXT "v=DMARC1; p=quarantine"')
    return zone("bulk.bench", "\n".join(lines))


# -- measuring -----------------------------------------------------------------------


@dataclass
class Row:
    name: str
    wall_ms: float
    queries: int
    depth: int | None = None
    checkdmarc_ms: float | None = None
    checkdmarc_queries: int | None = None
    note: str = ""


def resolver_for(server: ServerProcess) -> Resolver:
    return Resolver([server.address], timeout=2.0, retries=1)


async def time_ours(
    server: ServerProcess, runs: int, job: Callable[[Resolver], Awaitable[Any]]
) -> tuple[float, int]:
    """Median wall time (ms) and queries per run, each run with a fresh resolver."""
    await job(resolver_for(server))  # warm-up: imports, PSL load, sockets
    walls, queries = [], []
    for _ in range(runs):
        resolver = resolver_for(server)
        started = time.perf_counter()
        await job(resolver)
        walls.append((time.perf_counter() - started) * 1000)
        queries.append(resolver.stats.queries)
    return statistics.median(walls), int(statistics.median(queries))


def time_checkdmarc(server: ServerProcess, runs: int, domain: str) -> tuple[float, int] | None:
    """Median wall time and server-counted queries of checkdmarc's SPF + DMARC checks."""
    try:
        import checkdmarc.dmarc
        import checkdmarc.spf
        import checkdmarc.utils
        import dns.nameserver
        import dns.resolver
    except ImportError:
        return None

    def one() -> None:
        # checkdmarc keeps a module-level answer cache; empty it so every run
        # asks the DNS, as ours does with a fresh Resolver.
        checkdmarc.utils.DNS_CACHE.clear()
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(server.host, server.port)]
        resolver.timeout = resolver.lifetime = 5.0
        spf = checkdmarc.spf.check_spf(domain, resolver=resolver)
        checkdmarc.dmarc.check_dmarc(domain, resolver=resolver)
        if not spf.get("valid"):
            raise RuntimeError(f"checkdmarc could not read the SPF record of {domain}: {spf}")

    one()
    walls, queries = [], []
    for _ in range(runs):
        server.reset_count()
        started = time.perf_counter()
        one()
        walls.append((time.perf_counter() - started) * 1000)
        queries.append(server.query_count)
    return statistics.median(walls), int(statistics.median(queries))


async def spf_and_dmarc(resolver: Resolver, domain: str, lookups: int) -> Any:
    """The SPF and DMARC sections of a check; checks the zone is what the scenario says."""
    if check_domain is not None:
        report = await check_domain(
            domain,
            vendor=None,
            method_kind=None,
            params={},
            resolver=resolver,
            only={"spf", "dmarc"},
        )
        if report.spf is None or (report.spf.status, report.spf.lookups) != ("ok", lookups):
            raise RuntimeError(f"unexpected SPF result for {domain}: {report.spf}")
        return report
    tree, _ = await asyncio.gather(
        spf_tree(resolver, domain), resolver.query(f"_dmarc.{domain}", "TXT")
    )
    if (tree.result, tree.lookups) != ("ok", lookups):
        raise RuntimeError(f"unexpected SPF result for {domain}: {tree.to_dict()}")
    return tree


async def vendor_check(resolver: Resolver) -> Any:
    if check_domain is not None:
        report = await check_domain(
            "shop.bench",
            vendor=ESP_VENDOR,
            method_kind=None,
            params={"account_id": "42"},
            resolver=resolver,
        )
        if report.verdict != "pass":
            raise RuntimeError(
                f"the vendor check should pass, got {report.verdict}: {report.summary}"
            )
        return report
    return await asyncio.gather(
        spf_tree(resolver, "shop.bench"),
        resolver.query("_dmarc.shop.bench", "TXT"),
        resolver.query("s1._domainkey.shop.bench", "TXT"),
        resolver.query("s2._domainkey.shop.bench", "TXT"),
        resolver.query("bounces.shop.bench", "CNAME"),
    )


async def bulk(server: ServerProcess, count: int, concurrency: int) -> tuple[float, int, int]:
    """Domains per second, domains checked, and how many were not as expected."""
    domains = [f"d{index:05d}.bulk.bench" for index in range(count)]
    unexpected = 0
    started = time.perf_counter()
    if check_many is not None:
        async for report in check_many(
            domains,
            resolver_factory=lambda: resolver_for(server),
            concurrency=concurrency,
            only={"spf", "dmarc", "mx"},
        ):
            unexpected += report.spf is None or report.spf.status != "ok"
    else:
        semaphore = asyncio.Semaphore(concurrency)

        async def one(domain: str) -> None:
            nonlocal unexpected
            async with semaphore:
                tree = await spf_tree(resolver_for(server), domain)
                unexpected += tree.result != "ok"

        await asyncio.gather(*(one(domain) for domain in domains))
    elapsed = time.perf_counter() - started
    return count / elapsed, count, unexpected


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- main ------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per query (0.02)")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per scenario (15)")
    parser.add_argument("--checkdmarc-runs", type=int, default=5)
    parser.add_argument("--bulk", type=int, default=1000, help="domains in the bulk run (1000)")
    parser.add_argument("--concurrency", type=int, default=100, help="bulk concurrency (100)")
    parser.add_argument("--no-checkdmarc", action="store_true", help="skip the comparison")
    args = parser.parse_args()

    server = spawn_server(latency=args.latency)
    try:
        for text in [
            *VENDOR_ZONES,
            customer_zone("acme.bench", REALISTIC_SPF),
            chain_zone(),
            customer_zone("shop.bench", REALISTIC_SPF, SHOP_EXTRA),
            bulk_zone(args.bulk),
        ]:
            server.add_zone_text(text)
        return run(server, args)
    finally:
        server.stop()


def run(server: ServerProcess, args: argparse.Namespace) -> int:
    latency_ms = args.latency * 1000
    rows: list[Row] = []
    for name, domain, depth, lookups in [
        ("(a) realistic SPF + DMARC", "acme.bench", REALISTIC_DEPTH, 9),
        ("(b) 8-deep include chain + DMARC", "chain.bench", CHAIN_DEPTH, CHAIN_LENGTH),
    ]:
        wall, queries = asyncio.run(
            time_ours(server, args.runs, lambda r, d=domain, n=lookups: spf_and_dmarc(r, d, n))
        )
        row = Row(name, wall, queries, depth)
        if not args.no_checkdmarc:
            measured = time_checkdmarc(server, args.checkdmarc_runs, domain)
            if measured is None:
                row.note = "checkdmarc not installed"
            else:
                row.checkdmarc_ms, row.checkdmarc_queries = measured
        rows.append(row)
    wall, queries = asyncio.run(time_ours(server, args.runs, vendor_check))
    note = "" if check_domain is not None else "check.py missing: lookups done with dns/spf modules"
    rows.append(Row("(c) full vendor check", wall, queries, VENDOR_DEPTH, note=note))

    rss_before = peak_rss_mb()
    per_second, checked, unexpected = asyncio.run(bulk(server, args.bulk, args.concurrency))
    rss_after = peak_rss_mb()

    print(f"\nChecker benchmark: {latency_ms:g} ms per DNS query, median of {args.runs} runs")
    print(
        f"{'scenario':<34} {'wall ms':>8} {'queries':>7} {'bound ms':>8} {'x bound':>7} "
        f"{'checkdmarc ms':>13} {'cd queries':>10} {'speed-up':>8}"
    )
    ok = True
    for row in rows:
        bound = row.depth * latency_ms if row.depth else None
        ratio = row.wall_ms / bound if bound else None
        speedup = row.checkdmarc_ms / row.wall_ms if row.checkdmarc_ms else None
        print(
            f"{row.name:<34} {row.wall_ms:8.1f} {row.queries:7d} "
            f"{bound if bound is not None else float('nan'):8.1f} "
            f"{ratio if ratio is not None else float('nan'):7.2f} "
            f"{row.checkdmarc_ms if row.checkdmarc_ms is not None else float('nan'):13.1f} "
            f"{row.checkdmarc_queries if row.checkdmarc_queries is not None else 0:10d} "
            f"{(f'{speedup:.1f}x' if speedup else '-'):>8}"
            + (f"  [{row.note}]" if row.note else "")
        )
        if ratio is not None and ratio > 1.3:
            ok = False
    print(
        f"(d) bulk: {checked} domains at concurrency {args.concurrency}: "
        f"{per_second:.0f} domains/s; peak RSS {rss_before:.0f} MB before, {rss_after:.0f} MB after"
        + (f"; {unexpected} unexpected results" if unexpected else "")
    )

    print("\nTargets:")
    targets = [
        ("(a),(b),(c) within 1.3x of the critical-path bound", ok),
        ("(d) at least 200 domains/s", per_second >= 200 and unexpected == 0),
    ]
    speedup_a = rows[0].checkdmarc_ms / rows[0].wall_ms if rows[0].checkdmarc_ms else None
    if speedup_a is not None:
        targets.append(("(a) at least 5x faster than checkdmarc", speedup_a >= 5))
    for label, met in targets:
        print(f"  {'met ' if met else 'MISSED'}  {label}")
    return 0 if all(met for _, met in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
