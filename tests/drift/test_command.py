"""python manage.py check_vendor_dns: checks now, stores, and exits 0, 1 or 2."""

from __future__ import annotations

import json

import pytest

from sources.models import Report, VendorDnsCheck
from tests.checks.helpers import run_command

pytestmark = pytest.mark.django_db


def test_a_healthy_vendor_exits_0_and_is_stored(dns_server, steadymail):
    code, out, err = run_command("check_vendor_dns", "--vendor", "steadymail")
    assert (code, err) == (0, "")
    assert "steadymail: 4 name(s) looked up, 1 per-account record(s) skipped" in out
    assert "no findings" in out
    assert "1 vendor checked, 0 with findings" in out
    assert VendorDnsCheck.objects.filter(vendor=steadymail).exists()


def test_findings_exit_1_and_json_lists_them(dns_server, steadymail, brokenpost):
    code, out, _ = run_command("check_vendor_dns", "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert {k: data[k] for k in ("checked", "with_findings", "reports_opened", "left")} == {
        "checked": 2,
        "with_findings": 1,
        "reports_opened": 3,
        "left": 0,
    }
    by_slug = {v["slug"]: v for v in data["vendors"]}
    assert by_slug["steadymail"]["findings"] == []
    assert [(f["code"], f["name"], f["severity"]) for f in by_slug["brokenpost"]["findings"]] == [
        ("target-nxdomain", "dkim.brokenpost.test", "error"),
        ("host-no-address", "mx.brokenpost.test", "error"),
        ("dkim-key-too-short", "short.brokenpost.test", "error"),
    ]
    assert Report.objects.filter(vendor=brokenpost).count() == 3


def test_nameserver_and_timeout_choose_where_and_how_long_to_ask(dns_server, steadymail, settings):
    settings.CHECKER_NAMESERVERS = ["127.0.0.1:9"]  # nothing answers there
    code, out, _ = run_command(
        "check_vendor_dns",
        "--vendor",
        "steadymail",
        "--nameserver",
        dns_server.address,
        "--timeout",
        "2",
        "--format",
        "json",
    )
    assert code == 0
    assert json.loads(out)["vendors"][0]["names_checked"] == 4


def test_unanswered_lookups_are_notices_not_findings_that_fail(dns_server, steadymail, settings):
    code, out, _ = run_command(
        "check_vendor_dns", "--nameserver", "127.0.0.1:9", "--timeout", "0.5", "--format", "json"
    )
    assert code == 0
    findings = json.loads(out)["vendors"][0]["findings"]
    assert findings and {f["code"] for f in findings} == {"lookup-failed"}
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--vendor", "nope"], "no published vendor 'nope'"),
        (["--nameserver", "dns.example"], "bad --nameserver"),
        (["--timeout", "0"], "--timeout must be more than 0"),
        (["--enqueue", "--vendor", "steadymail"], "--enqueue takes no --vendor"),
    ],
)
def test_bad_input_exits_2_with_one_line(steadymail, args, message):
    code, out, err = run_command("check_vendor_dns", *args)
    assert code == 2
    assert message in err and "\n" not in err.strip()
    assert not VendorDnsCheck.objects.exists()


def test_enqueue_hands_the_due_vendors_to_the_task_worker(dns_server, steadymail):
    code, out, _ = run_command("check_vendor_dns", "--enqueue")
    assert code == 0 and out.startswith("Queued task")
    # The test settings run tasks at once: the queued run has checked the vendor.
    assert VendorDnsCheck.objects.filter(vendor=steadymail).exists()
