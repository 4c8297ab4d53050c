"""Property-based fuzzing: the record parsers raise nothing but their documented error.

Every parser gets two runs: a quick one with Hypothesis's default profile,
which is part of every test run, and a long one of 10,000 examples per
parser, marked `fuzz`, which runs when selected (`pytest -m fuzz`) or when
CHECKER_FUZZ=1 is set, and is skipped otherwise to keep the suite fast.
"""

import base64
import os
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.checker.dkim import DKIMKey, DKIMSyntaxError, parse_dkim_key
from sources.checker.dmarc import DMARCRecord, DMARCSyntaxError, parse_dmarc
from sources.checker.domains import InvalidDomain, normalise_domain
from sources.checker.spf import SPFSyntaxError, parse_record

LONG = settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))

# Pieces that real records are made of, so the fuzzer reaches deep branches
# instead of failing at the first character.
_NOISE = st.text(alphabet=string.printable + "\u00e9\u200b\x00;=:,!", max_size=30)
_DMARC_TAGS = st.sampled_from(
    ["p", "sp", "np", "psd", "t", "adkim", "aspf", "rua", "ruf", "fo", "pct", "rf", "ri", "v", "x"]
)
_DMARC_VALUES = st.one_of(
    st.sampled_from(
        ["none", "quarantine", "reject", "y", "n", "u", "r", "s", "0:1", "1:d:s", "100"]
    ),
    st.builds(lambda local, host: f"mailto:{local}@{host}", _NOISE, _NOISE),
    st.builds(lambda uri, size: f"{uri}!{size}", _NOISE, _NOISE),
    _NOISE,
)
_DKIM_TAGS = st.sampled_from(["v", "k", "p", "h", "s", "t", "n", "g", "x"])
_BASE64 = st.binary(max_size=600).map(lambda raw: base64.b64encode(raw).decode())
_DKIM_VALUES = st.one_of(
    st.sampled_from(["DKIM1", "rsa", "ed25519", "sha1:sha256", "email", "*", "y:s", ""]),
    _BASE64,
    _NOISE,
)
_SPF_TERMS = st.one_of(
    st.sampled_from(
        [
            "-all",
            "~all",
            "+mx",
            "a:mail.example.com/24",
            "ip4:192.0.2.0/24",
            "ip6:2001:db8::/32",
            "include:_spf.example.net",
            "exists:%{i}.%{l1r+-}.e.example",
            "redirect=_spf.example.org",
            "exp=explain.%{d}",
            "ptr",
        ]
    ),
    _NOISE,
)
_SEPARATORS = st.sampled_from([";", "; ", " ; ", ";;", "\t;", ""])


def _tag_list(tags, values, first):
    pair = st.tuples(tags, st.sampled_from(["=", " = ", "", "=="]), values, _SEPARATORS)
    return st.builds(
        lambda head, pairs: head + "".join(f"{t}{eq}{v}{sep}" for t, eq, v, sep in pairs),
        first,
        st.lists(pair, max_size=12),
    )


DMARC_RECORDS = st.one_of(
    st.text(),
    _tag_list(
        _DMARC_TAGS, _DMARC_VALUES, st.sampled_from(["v=DMARC1; ", "v=DMARC1;", "V=DMARC1 "])
    ),
)
DKIM_RECORDS = st.one_of(
    st.text(),
    _tag_list(_DKIM_TAGS, _DKIM_VALUES, st.sampled_from(["v=DKIM1; ", "", "k=ed25519; "])),
)
SPF_RECORDS = st.one_of(
    st.text(),
    st.builds(lambda terms: "v=spf1 " + " ".join(terms), st.lists(_SPF_TERMS, max_size=15)),
)
DOMAIN_INPUT = st.one_of(
    st.text(),
    st.builds(
        lambda scheme, labels, tail: scheme + ".".join(labels) + tail,
        st.sampled_from(["", "https://", "mailto:x@", "user@", "["]),
        st.lists(
            st.text(alphabet=string.ascii_letters + "-_.üß0123456789", max_size=70), max_size=6
        ),
        st.sampled_from(["", ".", "/path", ":443", "]"]),
    ),
)


@pytest.fixture(autouse=True)
def _long_runs_only_when_asked(request):
    if request.node.get_closest_marker("fuzz") is None:
        return
    selected = "fuzz" in (request.config.getoption("markexpr") or "")
    if not selected and os.environ.get("CHECKER_FUZZ") != "1":
        pytest.skip("long fuzzing run: select it with -m fuzz or CHECKER_FUZZ=1")


def _dmarc_never_raises_anything_else(text: str) -> None:
    try:
        record = parse_dmarc(text)
    except DMARCSyntaxError as exc:
        assert 0 <= exc.position <= len(text)
        assert exc.reason
        return
    assert isinstance(record, DMARCRecord)
    assert record.p in ("none", "quarantine", "reject")
    assert all(isinstance(warning, str) for warning in record.warnings)


def _dkim_never_raises_anything_else(text: str) -> None:
    try:
        key = parse_dkim_key(text)
    except DKIMSyntaxError as exc:
        assert 0 <= exc.position <= len(text)
        assert exc.reason
        return
    assert isinstance(key, DKIMKey)
    assert key.key_type in ("rsa", "ed25519")


def _spf_never_raises_anything_else(text: str) -> None:
    try:
        parse_record(text)
    except SPFSyntaxError as exc:
        assert exc.reason
        assert 0 <= exc.position <= len(text)


def _domain_never_raises_anything_else(text: str) -> None:
    try:
        name = normalise_domain(text)
    except InvalidDomain as exc:
        assert exc.reason
        return
    assert name == name.lower() and name.isascii()
    assert len(name) <= 253 and "." in name
    assert normalise_domain(name) == name  # normalising is idempotent


@given(DMARC_RECORDS)
def test_the_dmarc_parser_only_raises_its_own_error(text):
    _dmarc_never_raises_anything_else(text)


@given(DKIM_RECORDS)
def test_the_dkim_parser_only_raises_its_own_error(text):
    _dkim_never_raises_anything_else(text)


@given(SPF_RECORDS)
def test_the_spf_parser_only_raises_its_own_error(text):
    _spf_never_raises_anything_else(text)


@given(DOMAIN_INPUT)
def test_domain_normalisation_only_raises_its_own_error(text):
    _domain_never_raises_anything_else(text)


@pytest.mark.fuzz
@LONG
@given(DMARC_RECORDS)
def test_fuzz_dmarc_parser_10k(text):
    _dmarc_never_raises_anything_else(text)


@pytest.mark.fuzz
@LONG
@given(DKIM_RECORDS)
def test_fuzz_dkim_parser_10k(text):
    _dkim_never_raises_anything_else(text)


@pytest.mark.fuzz
@LONG
@given(SPF_RECORDS)
def test_fuzz_spf_parser_10k(text):
    _spf_never_raises_anything_else(text)


@pytest.mark.fuzz
@LONG
@given(DOMAIN_INPUT)
def test_fuzz_domain_normalisation_10k(text):
    _domain_never_raises_anything_else(text)
