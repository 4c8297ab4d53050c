"""Running a check through each front end, and reading what came back."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

from django.core.management import call_command
from django.core.management.base import CommandError

from tests.dnsserver import DNSServer

# Mailhawk's account number in tests/zones/customer-mailhawk.zone.
ACCOUNT = "7001"


def time_out(server: DNSServer, domain: str) -> None:
    """Make every name the stormgate scenario needs stay silent."""
    for prefix in ("", "_dmarc.", "s1._domainkey.", "s2._domainkey.", "bounces."):
        server.set_fault(prefix + domain, "timeout")


def run_command(*args: str) -> tuple[int, str, str]:
    """A management command in this process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = int(exc.code or 0)
    except CommandError as exc:
        code = exc.returncode
        err.write(str(exc))
    return code, out.getvalue(), err.getvalue()


def cli_check(domain: str, *args: str) -> tuple[int, dict]:
    """check_domain --format json: (exit status, report)."""
    code, out, err = run_command("check_domain", domain, "--format", "json", *args)
    assert out, err
    return code, json.loads(out)


class _Rows(HTMLParser):
    """Collects data-requirement rows with their status and fix text."""

    def __init__(self) -> None:
        super().__init__()
        self.requirements: dict[str, dict] = {}
        self.verdict: str | None = None
        self._current: str | None = None
        self._in_fix = False
        self.headline = ""
        self._in_headline = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "data-verdict" in attributes and tag == "article":
            self.verdict = attributes["data-verdict"]
        if "data-requirement" in attributes:
            self._current = attributes["data-requirement"]
            self.requirements[self._current] = {"status": attributes["data-status"], "fix": None}
        if tag == "code" and "fix" in (attributes.get("class") or "").split() and self._current:
            self._in_fix = True
            self.requirements[self._current]["fix"] = ""
        if tag == "h1" and "headline" in (attributes.get("class") or ""):
            self._in_headline = True

    def handle_endtag(self, tag):
        if tag == "code":
            self._in_fix = False
        if tag == "tr":
            self._current = None
        if tag == "h1":
            self._in_headline = False

    def handle_data(self, data):
        if self._in_fix and self._current:
            self.requirements[self._current]["fix"] += data
        if self._in_headline:
            self.headline += data


def read_result_page(html: str) -> _Rows:
    parser = _Rows()
    parser.feed(html)
    parser.headline = re.sub(r"\s+", " ", parser.headline).strip()
    return parser
