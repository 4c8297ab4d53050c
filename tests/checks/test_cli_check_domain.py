"""python manage.py check_domain: the interface of DESIGN.md, exit statuses included."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.checks.helpers import ACCOUNT, cli_check, run_command, time_out

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_json_has_every_documented_key(dns_server, mailhawk):
    code, report = cli_check(
        "brightfield.example", "--vendor", "mailhawk", f"--param=account_id={ACCOUNT}"
    )
    assert code == 0
    for key in (
        "domain",
        "vendor",
        "verdict",
        "dmarc_pass_routes",
        "requirements",
        "spf",
        "dmarc",
        "dkim",
        "stats",
    ):
        assert key in report
    for requirement in report["requirements"]:
        assert set(requirement) >= {"id", "purpose", "status", "expected", "observed", "fix"}
    assert set(report["spf"]) >= {"record", "lookups", "void_lookups", "errors", "warnings", "tree"}
    assert set(report["dmarc"]) >= {"record", "policy", "organisational_domain", "warnings"}
    assert set(report["dkim"]["s1"]) >= {"status", "key_type", "bits", "warnings"}
    assert set(report["stats"]) >= {"queries", "elapsed_ms"}
    assert report["dmarc_pass_routes"] == ["dkim", "spf"]


def test_a_verdict_other_than_pass_exits_1(dns_server, mailhawk):
    code, report = cli_check(
        "harbourline.example", "--vendor", "mailhawk", "--param", f"account_id={ACCOUNT}"
    )
    assert (code, report["verdict"]) == (1, "partial")


def test_timeouts_exit_1_with_an_error_verdict(dns_server, mailhawk):
    time_out(dns_server, "stormgate.example")
    code, report = cli_check(
        "stormgate.example", "--vendor", "mailhawk", "--param", f"account_id={ACCOUNT}"
    )
    assert (code, report["verdict"]) == (1, "error")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["localhost"], "single label"),
        (["https://192.0.2.1/"], "IP address"),
        (["brightfield.example", "--vendor", "nope"], "no vendor 'nope'"),
        (
            ["brightfield.example", "--vendor", "mailhawk", "--param", "account_id=x"],
            "not a valid Account number",
        ),
        (["brightfield.example", "--vendor", "mailhawk", "--param", "account_id"], "NAME=VALUE"),
        (
            [
                "brightfield.example",
                "--vendor",
                "mailhawk",
                "--param",
                "colour=red",
                "--param",
                f"account_id={ACCOUNT}",
            ],
            "colour",
        ),
        (
            ["brightfield.example", "--vendor", "mailhawk", "--method", "subdomain-ns"],
            "no 'subdomain-ns'",
        ),
        (["brightfield.example", "--method", "spf-include"], "choose a vendor"),
        (["brightfield.example", "--only", "spf,bimi"], "unknown check bimi"),
        (["brightfield.example", "--nameserver", "dns.example"], "bad --nameserver"),
        (["brightfield.example", "--nameserver", "127.0.0.1:70000"], "bad --nameserver"),
        (["brightfield.example", "--timeout", "0"], "--timeout"),
    ],
)
def test_bad_input_exits_2_with_one_line_on_stderr(dns_server, mailhawk, args, message):
    code, out, err = run_command("check_domain", *args)
    assert code == 2
    assert message in err
    assert "\n" not in err.strip()
    assert out == ""


def test_only_limits_the_report(dns_server, mailhawk):
    code, report = cli_check("brightfield.example", "--only", "spf,mx")
    assert report["dmarc"] is None and report["dkim"] == {}
    assert report["spf"]["lookups"] == 4 and report["mx"]["status"] == "ok"


def test_text_output_reads_like_the_page(dns_server, mailhawk):
    code, out, _ = run_command(
        "check_domain",
        "copperleaf.example",
        "--vendor",
        "mailhawk",
        "--param",
        f"account_id={ACCOUNT}",
    )
    assert code == 1
    assert out.startswith(
        "Mail that Mailhawk sends for copperleaf.example will pass DMARC through DKIM"
    )
    assert "  FAIL   return-path  bounces.copperleaf.example" in out
    assert "bounces.copperleaf.example. 3600 IN CNAME u7001.bounce.mailhawk.test." in out
    assert "DNS change plan (zone copperleaf.example):" in out


def test_nameserver_and_timeout_override_the_settings(dns_server, mailhawk, settings):
    settings.CHECKER_NAMESERVERS = ["127.0.0.1:9"]  # nobody there
    code, report = cli_check(
        "brightfield.example", "--nameserver", dns_server.address, "--timeout", "1"
    )
    assert (code, report["verdict"]) == (0, "pass")


def _without_database(*args, dns_address):
    env = {**os.environ, "DATABASE_URL": "sqlite:////nonexistent-dir/db.sqlite3"}
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check_domain",
            *args,
            "--nameserver",
            dns_address,
            "--format",
            "json",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_needs_no_database_without_a_vendor(dns_server):
    done = _without_database("brightfield.example", dns_address=dns_server.address)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["verdict"] == "pass"


def test_without_a_database_vendors_come_from_the_catalog_files(dns_server):
    done = _without_database(
        "brightfield.example",
        "--vendor",
        "zendesk",
        "--method",
        "spf-include",
        dns_address=dns_server.address,
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["vendor"] == "zendesk"
    assert report["requirements"][0]["fix"] == (
        'brightfield.example. 3600 IN TXT "v=spf1 mx include:_spf.mailhawk.test '
        'include:mail.zendesk.com -all"'
    )
