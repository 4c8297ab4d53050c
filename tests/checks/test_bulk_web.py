"""/check/bulk/: upload a CSV, watch it finish, download the results (tasks run at once here)."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sources.models import BulkCheck, CheckResult
from tests.checks.helpers import ACCOUNT
from tests.factories import make_bulk_check

pytestmark = pytest.mark.django_db

CSV = b"domain\nbrightfield.example\nharbourline.example\nnot a domain!\ncopperleaf.example\n"


def upload(client, capture, content=CSV, **fields):
    data = {"vendor": "mailhawk", "param_account_id": ACCOUNT, **fields}
    if content is not None:
        data["file"] = SimpleUploadedFile("domains.csv", content, content_type="text/csv")
    with capture(execute=True):
        return client.post("/check/bulk/", data)


def test_an_upload_runs_in_the_background_and_finishes(
    client, dns_server, mailhawk, django_capture_on_commit_callbacks
):
    response = upload(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    bulk = BulkCheck.objects.get()
    assert response["Location"] == f"/check/bulk/{bulk.pk}/"
    assert (bulk.status, bulk.total, bulk.done) == ("done", 3, 3)
    assert bulk.counts == {"pass": 1, "partial": 2}
    page = client.get(response["Location"]).content.decode()
    assert "Finished" in page and 'value="3"' in page
    assert 'data-domain="harbourline.example" data-verdict="partial"' in page
    assert '<tr data-line="4"><td>4</td><td><code>not a domain!</code></td>' in page
    assert 'http-equiv="refresh"' not in page  # finished: no more refreshing


def test_each_result_has_its_own_permalink(
    client, dns_server, mailhawk, django_capture_on_commit_callbacks
):
    upload(client, django_capture_on_commit_callbacks)
    result = CheckResult.objects.get(domain="copperleaf.example")
    assert (result.bulk_id, result.line, result.source) == (BulkCheck.objects.get().pk, 5, "bulk")
    page = client.get(result.get_absolute_url()).content.decode()
    assert "bounces.copperleaf.example. 3600 IN CNAME u7001.bounce.mailhawk.test." in page
    assert "Part of a" in page


def test_results_download_as_csv_and_json(
    client, dns_server, mailhawk, django_capture_on_commit_callbacks
):
    upload(client, django_capture_on_commit_callbacks)
    bulk = BulkCheck.objects.get()
    response = client.get(f"/check/bulk/{bulk.pk}/results.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["line"], r["domain"], r["verdict"]) for r in rows] == [
        ("2", "brightfield.example", "pass"),
        ("3", "harbourline.example", "partial"),
        ("5", "copperleaf.example", "partial"),
        ("4", "not a domain!", "invalid"),
    ]
    assert rows[0]["result_url"].startswith("http://testserver/check/results/")
    data = json.loads(b"".join(client.get(f"/check/bulk/{bulk.pk}/results.json").streaming_content))
    assert data["status"] == "done" and len(data["results"]) == 3
    assert data["results"][1]["domain"] == "harbourline.example"
    assert data["invalid_rows"][0]["line"] == 4


def test_progress_is_json_for_the_page_script(client, db):
    bulk = make_bulk_check(total=10, done=4, counts={"pass": 3, "fail": 1})
    status = client.get(f"/check/bulk/{bulk.pk}/status.json").json()
    assert (status["status"], status["done"], status["total"], status["percent"]) == (
        "queued",
        4,
        10,
        40,
    )
    assert status["counts"] == {"pass": 3, "partial": 0, "fail": 1, "error": 0}


def test_an_unfinished_bulk_refreshes_itself_without_javascript(client, db):
    bulk = make_bulk_check(total=10, done=4, status=BulkCheck.Status.RUNNING)
    page = client.get(bulk.get_absolute_url()).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert "4 of 10 checked (40%)" in page
    assert client.get(f"/check/bulk/{bulk.pk}/results.csv").status_code == 404


def test_pasted_domains_work_too(client, dns_server, mailhawk, django_capture_on_commit_callbacks):
    upload(
        client,
        django_capture_on_commit_callbacks,
        content=None,
        domains="brightfield.example\nlumenfold.example",
    )
    assert BulkCheck.objects.get().counts == {"pass": 2}


def test_without_a_file_the_form_says_so(client, mailhawk, django_capture_on_commit_callbacks):
    page = upload(client, django_capture_on_commit_callbacks, content=None).content.decode()
    assert "choose a CSV file or paste some domains" in page
    assert not BulkCheck.objects.exists()


def test_a_file_of_only_bad_rows_lists_them_and_starts_nothing(
    client, mailhawk, django_capture_on_commit_callbacks
):
    response = upload(client, django_capture_on_commit_callbacks, content=b"nope\n\xff\xfe\n")
    page = response.content.decode()
    assert "no domains found" in page
    assert '<tr data-line="1"><td>1</td><td><code>nope</code></td>' in page
    assert not BulkCheck.objects.exists()


def test_too_many_domains_is_refused(
    client, mailhawk, settings, django_capture_on_commit_callbacks
):
    settings.BULK_CHECK_MAX_DOMAINS = 2
    page = upload(client, django_capture_on_commit_callbacks).content.decode()
    assert "more than 2 domains" in page
    assert not BulkCheck.objects.exists()


def test_a_bad_parameter_keeps_the_pasted_domains(
    client, mailhawk, django_capture_on_commit_callbacks
):
    response = upload(
        client,
        django_capture_on_commit_callbacks,
        content=None,
        domains="brightfield.example",
        param_account_id="x",
    )
    page = response.content.decode()
    assert "&#x27;x&#x27; is not a valid Account number" in page
    assert "brightfield.example</textarea>" in page


def test_rows_echoed_into_the_csv_cannot_run_as_formulas(
    client, dns_server, mailhawk, django_capture_on_commit_callbacks
):
    upload(
        client,
        django_capture_on_commit_callbacks,
        content=b'brightfield.example\n=HYPERLINK("x")\n',
    )
    bulk = BulkCheck.objects.get()
    text = b"".join(client.get(f"/check/bulk/{bulk.pk}/results.csv").streaming_content).decode()
    assert "'=HYPERLINK" in text
