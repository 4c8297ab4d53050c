"""python manage.py analyze_message FILE|-: exit 0 when the message passes DMARC by our own
evaluation, 1 when it does not, 2 for bad input (as check_domain)."""

from __future__ import annotations

import io
import json
import sys

import pytest

from tests.analysis import scenarios
from tests.checks.helpers import run_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def eml(tmp_path, mail_zones, sendgrid_catalog):
    def write(raw: bytes, name: str = "message.eml") -> str:
        path = tmp_path / name
        path.write_bytes(raw)
        return str(path)

    return write


def test_an_aligned_message_exits_0_with_its_report(eml, mail_zones):
    code, out, _ = run_command(
        "analyze_message",
        eml(scenarios.aligned_message()),
        "--format",
        "json",
        "--nameserver",
        mail_zones.address,
    )
    assert code == 0
    report = json.loads(out)
    assert report["verdict"] == "pass"
    assert report["vendors"][0]["slug"] == "sendgrid"


def test_an_unaligned_message_exits_1_and_says_why_and_what_to_change(eml, mail_zones):
    code, out, _ = run_command(
        "analyze_message", eml(scenarios.unaligned_message()), "--nameserver", mail_zones.address
    )
    assert code == 1
    assert out.startswith("This message fails DMARC for birch-shop.test")
    assert "DKIM d=sendgrid.net s=smtpapi a=rsa-sha256: verifies (not aligned)" in out
    assert "Sent by: SendGrid" in out
    assert "SendGrid signs with its own domain (d=sendgrid.net)" in out
    assert "CNAME s1._domainkey.birch-shop.test" in out


def test_it_reads_standard_input(eml, mail_zones, monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO(scenarios.headers_only()))
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, _ = run_command(
        "analyze_message", "-", "--format", "json", "--nameserver", mail_zones.address
    )
    assert code == 0
    assert json.loads(out)["verdict_basis"] == "headers"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Paste a message's header fields"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text message"),
        (b"just words, no fields\n", "No header fields found"),
    ],
)
def test_bad_input_exits_2_with_one_line_on_stderr(eml, content, message):
    code, out, err = run_command("analyze_message", eml(content))
    assert code == 2
    assert message in err
    assert "\n" not in err.strip()


def test_a_missing_file_or_a_bad_nameserver_exits_2(eml):
    assert run_command("analyze_message", "/nonexistent/message.eml")[0] == 2
    path = eml(scenarios.aligned_message())
    assert run_command("analyze_message", path, "--nameserver", "not-an-ip")[0] == 2


def test_a_file_over_two_megabytes_is_refused(eml):
    big = b"From: a@b.test\r\n\r\n" + b"x" * (2 * 1024 * 1024 + 10)
    code, _, err = run_command("analyze_message", eml(big))
    assert code == 2
    assert "at most 2.0 MB" in err
