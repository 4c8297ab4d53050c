"""The DNS message codec, without sockets."""

import contextlib
import struct

import dns.message
import dns.rrset
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sources.checker.dns_wire import (
    TYPE_CODES,
    MalformedMessage,
    decode_response,
    decode_txt,
    encode_query,
    labels_text,
)


def test_an_encoded_query_is_read_back_by_dnspython():
    wire = encode_query(0x1234, (b"mail", b"example", b"com"), TYPE_CODES["MX"], payload=1232)
    message = dns.message.from_wire(wire)
    assert message.id == 0x1234
    assert str(message.question[0].name) == "mail.example.com."
    assert message.question[0].rdtype == TYPE_CODES["MX"]
    assert message.payload == 1232
    assert message.flags & 0x0100  # recursion desired


def test_it_decodes_compressed_names_and_lowercases_them():
    query = dns.message.make_query("Host.Example.com", "CNAME")
    response = dns.message.make_response(query)
    response.answer.append(
        dns.rrset.from_text("Host.Example.com.", 300, "IN", "CNAME", "Target.EXAMPLE.com.")
    )
    decoded = decode_response(response.to_wire())
    assert decoded.question == ((b"host", b"example", b"com"), TYPE_CODES["CNAME"])
    (record,) = decoded.answer
    assert record.owner == (b"host", b"example", b"com")
    assert record.target == (b"target", b"example", b"com")
    assert record.text == "target.example.com"


def test_it_renders_every_supported_type():
    query = dns.message.make_query("x.example.", "ANY")
    response = dns.message.make_response(query)
    for rdtype, data in [
        ("A", "192.0.2.1"),
        ("AAAA", "2001:db8::1"),
        ("MX", "10 MX.example."),
        ("TXT", '"v=spf1 " "-all"'),
        ("NS", "ns1.example."),
        ("PTR", "host.example."),
        ("SOA", "ns1.example. hostmaster.example. 7 3600 600 86400 300"),
    ]:
        response.answer.append(dns.rrset.from_text("x.example.", 300, "IN", rdtype, data))
    texts = [record.text for record in decode_response(response.to_wire()).answer]
    assert texts == [
        "192.0.2.1",
        "2001:db8::1",
        "10 mx.example",
        "v=spf1 -all",
        "ns1.example",
        "host.example",
        "ns1.example hostmaster.example 7 3600 600 86400 300",
    ]


def test_it_reads_the_rcode_and_truncation_bits():
    query = dns.message.make_query("x.example.", "TXT")
    response = dns.message.make_response(query)
    response.set_rcode(3)
    response.flags |= 0x0200
    decoded = decode_response(response.to_wire())
    assert decoded.rcode == 3
    assert decoded.truncated


def test_names_are_escaped_like_dnspython_does():
    assert labels_text((b"a b", b"x;y", b"\xff", b"Mixed")) == "a\\032b.x\\;y.\\255.mixed"
    assert labels_text(()) == "."


def test_txt_bytes_decode_as_utf8_or_else_latin1():
    assert decode_txt([b"caf\xc3\xa9"]) == "café"
    assert decode_txt([b"\xff\xfe", b"\x00"]) == "\xff\xfe\x00"


def header(flags: int = 0x8180, qd: int = 0, an: int = 0) -> bytes:
    return struct.pack("!HHHHHH", 7, flags, qd, an, 0, 0)


@pytest.mark.parametrize(
    ("wire", "words"),
    [
        (b"\x00\x07\x81", "shorter than a DNS header"),
        (header(flags=0x0100), "not a response"),
        (header(qd=1) + b"\x03abc", "runs past"),
        (header(qd=1) + b"\xc0\x0c\x00\x01\x00\x01", "loop"),
        (
            header(an=1) + b"\x00\x00\x01\x00\x01\x00\x00\x00\x01\x00\x05\x01\x02",
            "runs past the end",
        ),
        (header(an=1) + b"\x00\x00\x01\x00\x01\x00\x00\x00\x01\x00\x03\x01\x02\x03", "not 4 bytes"),
        (header(an=1) + b"\x00\x00\x10\x00\x01\x00\x00\x00\x01\x00\x02\x05a", "TXT string"),
        (header(qd=1) + b"\x80abc", "label type"),
    ],
)
def test_it_rejects_malformed_messages_with_a_reason(wire, words):
    with pytest.raises(MalformedMessage, match=words):
        decode_response(wire)


def wire_name(*labels: bytes) -> bytes:
    return b"".join(bytes((len(label),)) + label for label in labels) + b"\x00"


def test_a_name_of_255_octets_is_read_and_one_of_256_is_rejected():
    # RFC 1035 2.3.4: 255 octets at most, the root's zero byte included.
    longest = wire_name(b"a" * 63, b"b" * 63, b"c" * 63, b"d" * 61)
    too_long = wire_name(b"a" * 63, b"b" * 63, b"c" * 63, b"d" * 62)
    assert (len(longest), len(too_long)) == (255, 256)
    assert len(decode_response(header(qd=1) + longest + b"\x00\x10\x00\x01").question[0]) == 4
    with pytest.raises(MalformedMessage, match="longer than 255"):
        decode_response(header(qd=1) + too_long + b"\x00\x10\x00\x01")


@given(st.binary(max_size=300))
def test_arbitrary_bytes_decode_or_raise_malformed_message(wire):
    with contextlib.suppress(MalformedMessage):
        decode_response(wire)


@given(st.binary(min_size=12, max_size=200))
def test_arbitrary_bytes_after_a_valid_header_never_crash_the_decoder(body):
    with contextlib.suppress(MalformedMessage):
        decode_response(header(qd=1, an=3) + body)
