"""The openspf RFC 7208 test suite (203 tests), run over real DNS on loopback.

See tests/conformance/rfc7208-README.md for the source, the licence and how
the suite's zone data is served.
"""

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from sources.checker.dns import Resolver
from sources.checker.spf import check_host
from tests.dnsserver import DNSServer

SUITE = Path(__file__).parents[1] / "conformance" / "rfc7208-tests.yml"
TYPES_THAT_CAN_TIME_OUT = ("TXT", "SPF", "A", "AAAA", "MX", "PTR", "CNAME")


def load_suite() -> list[dict[str, Any]]:
    with SUITE.open(encoding="utf-8") as stream:
        return list(yaml.safe_load_all(stream))


SCENARIOS = load_suite()
CASES = [
    pytest.param(index, name, id=f"{scenario['description']}: {name}")
    for index, scenario in enumerate(SCENARIOS)
    for name in scenario["tests"]
]


def load_zonedata(server: DNSServer, zonedata: dict[str, list[Any]]) -> None:
    """Serve one scenario's zonedata the way the suite's drivers do."""
    server.clear_zones()
    server.reset()
    for name, entries in zonedata.items():
        explicit_txt = any(isinstance(entry, dict) and "TXT" in entry for entry in entries)
        records: list[tuple[str, Any]] = []
        for entry in entries:
            if entry == "TIMEOUT":
                continue
            ((rdtype, value),) = entry.items()
            if value == "NONE":
                continue
            records.append((rdtype, value))
            if rdtype == "SPF" and not explicit_txt:
                records.append(("TXT", value))
        server.add_records({name: records})
        server.add_name(name)
        if "TIMEOUT" in entries:
            present = {rdtype for rdtype, _ in records}
            for rdtype in TYPES_THAT_CAN_TIME_OUT:
                if rdtype not in present:
                    server.set_fault(name, "timeout", rdtype)


@pytest.fixture(scope="module")
def suite_server() -> Iterator[DNSServer]:
    server = DNSServer()
    server.loaded = None  # type: ignore[attr-defined]
    with server:
        yield server


@pytest.mark.parametrize(("scenario_index", "test_name"), CASES)
def test_rfc7208_suite(suite_server, scenario_index, test_name):
    scenario = SCENARIOS[scenario_index]
    if suite_server.loaded != scenario_index:
        load_zonedata(suite_server, scenario["zonedata"])
        suite_server.loaded = scenario_index
    case = scenario["tests"][test_name]
    resolver = Resolver([suite_server.address], timeout=1.5, retries=0)
    outcome = asyncio.run(check_host(resolver, case["host"], None, case["mailfrom"], case["helo"]))
    expected = case["result"]
    accepted = expected if isinstance(expected, list) else [expected]
    assert outcome.result in accepted, outcome.reason
    if "explanation" in case:
        wanted = "" if case["explanation"] == "DEFAULT" else case["explanation"]
        assert outcome.explanation == wanted


def test_the_suite_has_all_its_tests():
    assert len(SCENARIOS) == 16
    assert len(CASES) == 203
