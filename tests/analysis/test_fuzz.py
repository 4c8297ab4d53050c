"""Whatever bytes come in, reading them raises MessageInputError or nothing."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.analysis import MessageInputError, parse_message, read_headers

NAMES = [
    "From",
    "Return-Path",
    "DKIM-Signature",
    "ARC-Seal",
    "ARC-Message-Signature",
    "ARC-Authentication-Results",
    "Authentication-Results",
    "Received-SPF",
    "Received",
    "List-Id",
]
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=200)
FIELDS = st.lists(st.tuples(st.sampled_from(NAMES), TEXT), max_size=12)


def read(data: bytes) -> None:
    with contextlib.suppress(MessageInputError):
        read_headers(parse_message(data))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FIELDS, st.binary(max_size=200))
def test_authentication_fields_of_any_content_are_read_without_error(fields, body):
    head = "".join(f"{name}: {value}\r\n" for name, value in fields)
    read(head.encode("utf-8", "surrogatepass") + b"\r\n" + body)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_are_read_without_error(data):
    read(data)


def test_a_huge_field_of_dotted_garbage_is_read():
    garbage = "a." * 150_000
    report = read_headers(
        parse_message(
            f"Authentication-Results: {garbage}; dkim={garbage}\r\n"
            f"Received: from {garbage} ({garbage}) by {garbage}\r\nFrom: a@b.test\r\n".encode()
        )
    )
    assert report["from"]["domain"] == "b.test"
