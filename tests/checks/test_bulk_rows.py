"""A bulk CSV for a portfolio: each row's own vendor and parameters, its other columns
echoed back in input order, an spf_status column (tasks run at once here)."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sources.models import BulkCheck, CheckResult
from sources.services.bulkchecks import bulk_rows_parse

pytestmark = pytest.mark.django_db

PORTFOLIO = (
    "owner,domain,vendor,account_id,team\n"
    "alice,brightfield.example,mailhawk,7001,ops\n"
    "bob,copperleaf.example,Mailhawk,7002,web\n"
    "carol,plainfield.example,,,=cmd\n"
    "dave,harbourline.example,nosuchvendor,,x\n"
)


def upload(client, capture, content, **fields):
    data = {"file": SimpleUploadedFile("p.csv", content.encode(), "text/csv"), **fields}
    with capture(execute=True):
        response = client.post("/check/bulk/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return BulkCheck.objects.get()


def results_csv(client, bulk):
    text = b"".join(client.get(f"/check/bulk/{bulk.pk}/results.csv").streaming_content)
    return list(csv.DictReader(io.StringIO(text.decode())))


def test_the_header_keeps_every_other_column_in_order():
    rows = bulk_rows_parse(PORTFOLIO)
    assert rows.cells[2] == [
        ["owner", "alice"],
        ["vendor", "mailhawk"],
        ["account_id", "7001"],
        ["team", "ops"],
    ]


def test_each_row_is_checked_with_its_own_vendor_and_parameters(
    client, dns_server, mailhawk, django_capture_on_commit_callbacks
):
    bulk = upload(client, django_capture_on_commit_callbacks, PORTFOLIO)
    assert (bulk.status, bulk.total) == ("done", 3)
    results = {r.domain: r for r in CheckResult.objects.filter(bulk=bulk)}
    assert results["brightfield.example"].parameters == {"account_id": "7001"}
    assert results["brightfield.example"].verdict == "pass"
    assert results["copperleaf.example"].parameters == {"account_id": "7002"}
    assert results["copperleaf.example"].vendor_slug == "mailhawk"
    # No vendor in the row (nor the form): the domain is checked on its own.
    assert results["plainfield.example"].vendor_slug == ""
    assert results["plainfield.example"].result["catalog_vendors"] == []
    (invalid,) = bulk.invalid_rows
    assert invalid["line"] == 5 and "no vendor 'nosuchvendor'" in invalid["error"]


def test_the_results_echo_the_other_columns_and_the_spf_status(
    client, dns_server, mailhawk, django_capture_on_commit_callbacks
):
    bulk = upload(client, django_capture_on_commit_callbacks, PORTFOLIO)
    rows = results_csv(client, bulk)
    header = list(rows[0])
    assert header[-6:] == ["spf_status", "vendor_checked", "owner", "vendor", "account_id", "team"]
    by_domain = {row["domain"]: row for row in rows}
    assert by_domain["brightfield.example"]["owner"] == "alice"
    assert by_domain["brightfield.example"]["spf_status"] == "ok"
    assert by_domain["brightfield.example"]["vendor_checked"] == "mailhawk"
    assert by_domain["copperleaf.example"]["team"] == "web"
    assert by_domain["plainfield.example"]["spf_status"] == "none"
    assert by_domain["plainfield.example"]["team"] == "'=cmd"  # not a spreadsheet formula
    assert by_domain["harbourline.example"]["verdict"] == "invalid"
    assert [row["line"] for row in rows] == ["2", "3", "4", "5"]


def test_a_row_without_a_vendor_uses_the_forms_vendor_and_its_own_parameters(
    client, dns_server, mailhawk, django_capture_on_commit_callbacks
):
    content = "domain,account_id\nbrightfield.example,7001\ncopperleaf.example,7002\n"
    bulk = upload(
        client,
        django_capture_on_commit_callbacks,
        content,
        vendor="mailhawk",
        param_account_id="7001",
    )
    results = {r.domain: r.parameters for r in CheckResult.objects.filter(bulk=bulk)}
    assert results == {
        "brightfield.example": {"account_id": "7001"},
        "copperleaf.example": {"account_id": "7002"},
    }


def test_the_json_results_carry_the_rows_columns(
    client, dns_server, mailhawk, django_capture_on_commit_callbacks
):
    bulk = upload(client, django_capture_on_commit_callbacks, PORTFOLIO)
    body = b"".join(client.get(f"/check/bulk/{bulk.pk}/results.json").streaming_content)
    results = {item["domain"]: item for item in json.loads(body)["results"]}
    assert results["copperleaf.example"]["input_columns"][0] == ["owner", "bob"]
