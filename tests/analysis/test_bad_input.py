"""Input that is not a clean message: a clear error, or a partial analysis that says what it
skipped; never an exception of another kind."""

from __future__ import annotations

import pytest

from sources.analysis import MAX_MESSAGE_BYTES, MessageInputError, parse_message, read_headers
from tests.analysis import scenarios


def error_code(data) -> str:
    with pytest.raises(MessageInputError) as caught:
        parse_message(data)
    return caught.value.code


def test_it_refuses_empty_input():
    assert error_code(b"  \r\n\t ") == "empty"


def test_it_refuses_text_without_a_single_header_field():
    assert error_code(b"Hello, this is just a sentence.\nAnd another one.") == "no-headers"


def test_it_refuses_binary_files():
    assert error_code(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") == "binary"
    assert error_code(b"From: a@b.test\r\nSubject: x\x00y\r\n") == "binary"


def test_it_refuses_more_than_two_megabytes_with_the_limit():
    big = b"From: a@b.test\r\n\r\n" + b"x" * MAX_MESSAGE_BYTES
    with pytest.raises(MessageInputError) as caught:
        parse_message(big)
    assert caught.value.code == "too-large"
    assert caught.value.params["limit"] == MAX_MESSAGE_BYTES


def test_text_that_is_not_utf8_is_read_and_flagged():
    parsed = parse_message(b"From: Ren\xe9 <rene@caf\xe9.test>\r\nSubject: caf\xe9\r\n")
    assert [p["code"] for p in parsed.problems] == ["not-utf8"]
    assert parsed.first("Subject").value == "café"


def test_a_utf16_file_is_read_and_flagged():
    parsed = parse_message("From: a@b.test\r\nSubject: x\r\n".encode("utf-16"))
    assert parsed.first("From").value == "a@b.test"
    assert [p["code"] for p in parsed.problems] == ["utf16"]


def test_lines_that_are_not_header_fields_are_counted_and_skipped():
    parsed = parse_message(b"From: a@b.test\r\nthis is not a field\r\nSubject: x\r\n")
    assert [f.name for f in parsed.fields] == ["From", "Subject"]
    assert parsed.problems == [{"code": "bad-lines", "count": 1, "lines": [2]}]


def test_a_smuggled_carriage_return_cannot_start_another_field():
    parsed = parse_message(b"From: a@b.test\rBcc: victim@c.test\r\nSubject: x\r\n")
    assert [f.name for f in parsed.fields] == ["From", "Subject"]
    assert parsed.first("From").value == "a@b.test Bcc: victim@c.test"
    report = read_headers(parsed)
    assert report["from"]["domain"] is None
    assert report["problems"] == [{"code": "unreadable-from"}]


def test_two_from_domains_fail_dmarc():
    parsed = parse_message(b"From: a@one.test\r\nFrom: b@two.test\r\nSubject: x\r\n")
    report = read_headers(parsed)
    assert report["problems"] == [{"code": "multiple-from", "domains": ["one.test", "two.test"]}]
    assert report["from"]["domain"] is None


def test_headers_pasted_with_a_blank_line_after_them_are_headers_only():
    parsed = parse_message(b"From: a@b.test\r\nSubject: x\r\n\r\n\r\n")
    assert parsed.has_body is False


def test_ten_thousand_received_fields_give_a_partial_analysis(run_analysis):
    hop = "Received: from a.test (a.test [203.0.113.9]) by b.test; Tue, 1 Dec 2026 10:00:00 +0000"
    raw = ("\r\n".join([hop] * 10_000) + "\r\n").encode() + scenarios.aligned_message()
    report = run_analysis(raw)
    assert report["received"]["count"] == 10_002
    assert len(report["received"]["hops"]) == 100
    assert {"code": "too-many-received", "count": 10_002, "shown": 100} in report["problems"]
    assert report["dkim"][0]["verification"]["status"] == "pass"


def test_a_garbled_signature_is_reported_not_raised(run_analysis):
    raw = b"DKIM-Signature: v=1; a=rsa-sha256; d=acme-billing.test; s=s1; b=!!!; bh=???\r\n"
    report = run_analysis(raw + scenarios.aligned_message())
    garbled = report["dkim"][0]
    assert garbled["verification"]["status"] == "invalid"
    assert "h" in garbled["missing_tags"]
    assert report["dkim"][1]["verification"]["status"] == "pass"
