"""The DMARC parser and tree walk against published vectors (tests/conformance/)."""

import asyncio
from pathlib import Path

import pytest
import yaml

from sources.checker.dmarc import (
    DMARCSyntaxError,
    discover_dmarc,
    find_organisational_domain,
    parse_dmarc,
    tree_walk_names,
)
from tests.checker.helpers import serve_everything

CONFORMANCE = Path(__file__).resolve().parents[1] / "conformance"
PARSE_VECTORS = yaml.safe_load((CONFORMANCE / "opendmarc-dmarc-parse-vectors.yml").read_text())[
    "vectors"
]
TREEWALK = yaml.safe_load((CONFORMANCE / "dmarcbis-treewalk-examples.yml").read_text())["examples"]

# Where the vector notes an RFC 9989 difference, RFC 9989 wins: (outcome, warning fragment).
RFC9989_OUTCOMES = {
    1: ("valid", "rf was removed"),
    5: ("ignored", "p=n is not none"),
    10: ("valid", "adkim=bob is not valid"),
    11: ("valid", "aspf=bob is not valid"),
    12: ("valid", "rf was removed"),
    13: ("valid", "ri was removed"),
    14: ("valid", "pct was removed"),
    15: ("ignored", "p tag is missing"),
    18: ("valid", "unknown tag 'foo'"),
    19: ("valid", "rf was removed"),
}


# Reasons checked for vectors where both RFCs agree on the outcome.
REASONS = {6: "empty", 7: "unsupported version", 8: "p=bob", 9: "sp=bob", 18: "unknown tag"}


def _expected(vector: dict) -> tuple[str, str | None]:
    if "rfc9989_note" in vector:
        return RFC9989_OUTCOMES[vector["id"]]
    outcome = "valid" if vector["opendmarc"] == "OKAY" else "ignored"
    return outcome, REASONS.get(vector["id"])


def test_every_noted_vector_has_an_rfc9989_expectation():
    noted = {vector["id"] for vector in PARSE_VECTORS if "rfc9989_note" in vector}
    assert noted == set(RFC9989_OUTCOMES)


@pytest.mark.parametrize("vector", PARSE_VECTORS, ids=lambda v: f"opendmarc-{v['id']}")
def test_it_parses_the_opendmarc_vectors_with_rfc9989_semantics(vector):
    outcome, fragment = _expected(vector)
    if outcome == "ignored":
        with pytest.raises(DMARCSyntaxError) as caught:
            parse_dmarc(vector["record"])
        assert caught.value.position >= 0
        if fragment:
            assert fragment in caught.value.reason
        return
    record = parse_dmarc(vector["record"])
    assert record.p in ("none", "quarantine", "reject")
    assert record.adkim == "r" and record.aspf == "r"
    if fragment:
        assert any(fragment in warning for warning in record.warnings), record.warnings


def _cases(example: dict) -> list[dict]:
    if "cases" in example:
        return example["cases"]
    return [{key: value for key, value in example.items() if key != "records"}]


TREEWALK_CASES = [
    pytest.param(example.get("records", {}), case, id=f"{example['id']}-{case['domain']}")
    for example in TREEWALK
    for case in _cases(example)
]


@pytest.mark.parametrize(("records", "case"), TREEWALK_CASES)
def test_it_walks_the_tree_as_rfc9989_examples_say(dns_server, resolver, records, case):
    serve_everything(dns_server)
    dns_server.add_records({name: [("TXT", text)] for name, text in records.items()}, origin=".")
    domain = case["domain"]
    if "expected_queries" in case:
        assert [f"_dmarc.{name}" for name in tree_walk_names(domain)] == case["expected_queries"]
    result = asyncio.run(discover_dmarc(resolver, domain))
    asked = [name for name, rdtype, _ in dns_server.log if name.startswith("_dmarc.")]
    assert len(asked) <= 8
    if "expected_queries" in case:
        assert sorted(asked) == sorted(case["expected_queries"])
    if "expected_org_domain" in case:
        assert result.organisational_domain == case["expected_org_domain"]
        org = asyncio.run(find_organisational_domain(resolver, domain))
        assert org.domain == case["expected_org_domain"]
    if "expected_policy_domain" in case:
        assert result.policy_domain == case["expected_policy_domain"]
