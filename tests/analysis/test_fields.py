"""Reading the authentication header fields: lenient, and exact where it matters."""

from __future__ import annotations

from sources.analysis import parse_message, read_headers
from sources.analysis.evaluate import connecting_ip
from sources.analysis.fields import authentication_results, received, received_spf, tags


def test_authentication_results_lose_comments_and_keep_properties():
    value = (
        "mx.google.com;\r\n dkim=pass header.i=@example.com header.s=s1 header.b=AbC;"
        " spf=pass (google.com: domain of x@example.com designates 192.0.2.1 as permitted"
        " sender) smtp.mailfrom=x@example.com; dmarc=pass (p=REJECT sp=NONE) header.from="
        "example.com"
    )
    found = authentication_results(value)
    assert found["authserv_id"] == "mx.google.com"
    assert [(r["method"], r["result"]) for r in found["results"]] == [
        ("dkim", "pass"),
        ("spf", "pass"),
        ("dmarc", "pass"),
    ]
    assert found["results"][0]["props"]["header.s"] == "s1"
    assert found["results"][1]["props"] == {"smtp.mailfrom": "x@example.com"}


def test_received_spf_gives_the_receivers_view_of_the_client():
    value = (
        "pass (mx.example.net: domain of bounce@example.com designates 2001:db8::25 as "
        "permitted sender) client-ip=2001:db8::25; envelope-from=bounce@example.com; "
        'helo="mail.example.com";'
    )
    assert received_spf(value) == {
        "result": "pass",
        "client_ip": "2001:db8::25",
        "envelope_from": "bounce@example.com",
        "helo": "mail.example.com",
    }


def test_the_receivers_received_spf_names_the_connecting_address_first():
    raw = (
        b"Received: from relay.example.net (relay.example.net [198.51.100.7]) by mx.example.net;"
        b" Wed, 2 Dec 2026 10:00:00 +0000\r\n"
        b"Received-SPF: pass client-ip=203.0.113.50; helo=out.example.com;\r\n"
        b"From: a@example.com\r\n"
    )
    assert connecting_ip(read_headers(parse_message(raw))) == "203.0.113.50"


def test_received_fields_give_helo_reverse_name_address_and_time():
    hop = received(
        "from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])\r\n"
        "        by mx.google.com with SMTPS id a1sor;\r\n"
        "        Wed, 02 Dec 2026 05:01:02 -0800 (PST)",
        0,
    )
    assert hop["from_helo"] == "mail-sor-f41.google.com"
    assert hop["from_host"] == "mail-sor-f41.google.com"
    assert hop["from_ip"] == "209.85.220.41"
    assert hop["by"] == "mx.google.com"
    assert hop["with"] == "SMTPS"
    assert hop["date"] == "2026-12-02T05:01:02-08:00"
    assert hop["internal"] is False


def test_a_received_field_without_a_date_or_address_is_read_as_far_as_it_goes():
    hop = received("by 2002:a05:6a20:3d8b with SMTP id x", 3)
    assert hop["from_ip"] is None and hop["date"] is None and hop["by"] == "2002:a05:6a20:3d8b"


def test_signature_tags_drop_folding_white_space_in_b_and_bh():
    found = tags("v=1; a=rsa-sha256; d=Example.COM;\r\n\tbh=abc\r\n\t def=; b=xy\r\n z")
    assert found["bh"] == "abcdef=" and found["b"] == "xyz" and found["d"] == "Example.COM"


def test_words_inside_a_comment_are_not_clauses():
    hop = received(
        "from out.example.com (out.example.com [203.0.113.7]) (using TLSv1.3 with cipher "
        "TLS_AES_256_GCM_SHA384 (256/256 bits)) by mx.example.net (Postfix) with ESMTPS id 4A;"
        " Wed, 2 Dec 2026 10:00:00 +0000",
        0,
    )
    assert hop["with"] == "ESMTPS"
    assert hop["by"] == "mx.example.net"
    assert hop["from_ip"] == "203.0.113.7"


def test_escape_sequences_of_japanese_mail_are_text_not_binary():
    raw = b"From: a@example.jp\r\nSubject: x\r\n\r\n\x1b$B$3$s$K$A$O\x1b(B\r\n"
    assert parse_message(raw).has_body is True
