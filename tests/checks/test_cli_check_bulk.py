"""python manage.py check_bulk: a CSV in, results in file order out, bad rows named by line."""

import csv
import io
import json

import pytest

from tests.checks.helpers import ACCOUNT, run_command

pytestmark = pytest.mark.django_db

CSV = """domain,owner
brightfield.example,marketing
ceo@Harbourline.example,support
not a domain,sales

# a comment line
https://copperleaf.example/contact,billing
brightfield.example,duplicate
"""


@pytest.fixture
def domains_csv(tmp_path):
    path = tmp_path / "domains.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def bulk(dns_server, path, *args):
    return run_command(
        "check_bulk",
        str(path),
        "--vendor",
        "mailhawk",
        f"--param=account_id={ACCOUNT}",
        "--nameserver",
        dns_server.address,
        *args,
    )


def test_results_come_as_csv_in_file_order(dns_server, mailhawk, domains_csv):
    code, out, err = bulk(dns_server, domains_csv)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["line"], r["domain"], r["verdict"]) for r in rows] == [
        ("2", "brightfield.example", "pass"),
        ("3", "harbourline.example", "partial"),
        ("7", "copperleaf.example", "partial"),
    ]
    assert rows[1]["failing_requirements"] == "dkim-s2:fail"
    assert "s2._domainkey.harbourline.example. 3600 IN CNAME" in rows[1]["fixes"]
    assert code == 1  # not everything passes


def test_bad_rows_are_reported_by_line_and_the_rest_checked(dns_server, mailhawk, domains_csv):
    code, out, err = bulk(dns_server, domains_csv)
    assert "line 4: 'not a domain':" in err
    assert "line 8: 'brightfield.example': duplicate of line 2" in err
    assert out.count("\n") == 4  # header and three results


def test_a_progress_bar_goes_to_stderr(dns_server, mailhawk, domains_csv):
    _, out, err = bulk(dns_server, domains_csv)
    assert "[##############################] 3/3 (100%" in err
    assert "#" not in out


def test_json_goes_to_a_file(dns_server, mailhawk, domains_csv, tmp_path):
    target = tmp_path / "out.json"
    code, out, _ = bulk(
        dns_server, domains_csv, "--format", "json", "--output", str(target), "--concurrency", "1"
    )
    reports = json.loads(target.read_text())
    assert [r["domain"] for r in reports] == [
        "brightfield.example",
        "harbourline.example",
        "copperleaf.example",
    ]
    assert reports[0]["line"] == 2 and reports[0]["requirements"][0]["status"] == "pass"
    assert out == ""


def test_all_passing_exits_0(dns_server, mailhawk, tmp_path):
    path = tmp_path / "good.csv"
    path.write_text("brightfield.example\nlumenfold.example\n")
    assert bulk(dns_server, path)[0] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["/nonexistent/domains.csv", "--vendor", "mailhawk", "--param=account_id=7001"],
            "cannot read",
        ),
        (["{csv}", "--vendor", "nope"], "no vendor 'nope'"),
        (["{csv}", "--vendor", "mailhawk", "--concurrency", "0"], "--concurrency"),
        (
            ["{csv}", "--vendor", "mailhawk", "--param=account_id=7O01"],
            "not a valid Account number",
        ),
    ],
)
def test_bad_input_exits_2(dns_server, mailhawk, domains_csv, args, message):
    args = [a.replace("{csv}", str(domains_csv)) for a in args]
    code, out, err = run_command("check_bulk", *args, "--nameserver", dns_server.address)
    assert code == 2 and message in err
