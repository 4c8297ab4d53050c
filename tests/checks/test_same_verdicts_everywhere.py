"""The web page, the command line, the API and bulk checks give the same answers for each set-up.

The set-ups are tests/zones/customer-domains.zone; the vendor is Mailhawk (conftest.py).
"""

import json

import pytest

from sources.models import CheckResult
from tests.checks.helpers import ACCOUNT, cli_check, read_result_page, time_out

CNAME_FIXES = {
    "dkim-s2": "s2._domainkey.harbourline.example. 3600 IN CNAME s2.dkim.u7001.mailhawk.test.",
    "return-path": "bounces.copperleaf.example. 3600 IN CNAME u7001.bounce.mailhawk.test.",
}
ALL_PASS = {"dkim-s1": "pass", "dkim-s2": "pass", "return-path": "pass"}

# scenario: (domain, method, verdict, statuses, fixes, DMARC policy that applies)
SCENARIOS = {
    "fully correct": ("brightfield.example", None, "pass", ALL_PASS, {}, "reject"),
    "one DKIM selector missing": (
        "harbourline.example",
        None,
        "partial",
        {**ALL_PASS, "dkim-s2": "fail"},
        {"dkim-s2": CNAME_FIXES["dkim-s2"]},
        "quarantine",
    ),
    "CNAME to the wrong target": (
        "copperleaf.example",
        None,
        "partial",
        {**ALL_PASS, "return-path": "fail"},
        {"return-path": CNAME_FIXES["return-path"]},
        "reject",
    ),
    "SPF over the lookup limit": (
        "tallgrass.example",
        "spf-include",
        "fail",
        {"spf": "fail"},
        {"spf": None},  # one more include cannot repair a permerror
        "reject",
    ),
    "no DMARC record": ("quietpine.example", None, "pass", ALL_PASS, {}, None),
    "DMARC p=none": ("lumenfold.example", None, "pass", ALL_PASS, {}, "none"),
    "subdomain inheriting sp=": ("news.oakridge.example", None, "pass", ALL_PASS, {}, "quarantine"),
    "a name that times out": (
        "stormgate.example",
        None,
        "error",
        {"dkim-s1": "error", "dkim-s2": "error", "return-path": "error"},
        {},
        None,
    ),
}


def _request(domain, method):
    params = {} if method == "spf-include" else {"account_id": ACCOUNT}
    return params


def via_web(client, domain, method):
    query = {"domain": domain, "vendor": "mailhawk"}
    if method:
        query["method"] = method
    query.update({f"param_{k}": v for k, v in _request(domain, method).items()})
    response = client.post("/check/", query)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"])
    assert page.status_code == 200
    parsed = read_result_page(page.content.decode())
    stored = CheckResult.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])
    return parsed, stored.result


def via_cli(domain, method):
    args = ["--vendor", "mailhawk"]
    if method:
        args += ["--method", method]
    args += [f"--param={k}={v}" for k, v in _request(domain, method).items()]
    return cli_check(domain, *args)


def via_api(client, domain, method):
    body = {"domain": domain, "vendor": "mailhawk", "parameters": _request(domain, method)}
    if method:
        body["method"] = method
    response = client.post("/api/v1/checks", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content.decode()[:2000]
    again = client.get(response["Location"])
    assert again.status_code == 200
    assert again.json()["verdict"] == response.json()["verdict"]
    return response.json()


def via_bulk(client, domain, method, capture):
    body = {"domains": [domain], "vendor": "mailhawk", "parameters": _request(domain, method)}
    if method:
        body["method"] = method
    with capture(execute=True):
        response = client.post(
            "/api/v1/bulk-checks", json.dumps(body), content_type="application/json"
        )
    assert response.status_code == 202, response.content.decode()[:2000]
    results = client.get(response.json()["url"] + "/results")
    assert results.status_code == 200, results.content.decode()[:2000]
    (report,) = json.loads(b"".join(results.streaming_content))["results"]
    return report


def comparable(report):
    """The report without what differs between two runs: timings, ids and addresses."""
    volatile = {"stats", "id", "url", "created_at", "line"}
    return {key: value for key, value in report.items() if key not in volatile}


@pytest.mark.django_db
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_web_cli_api_and_bulk_agree(
    scenario, client, dns_server, mailhawk, django_capture_on_commit_callbacks
):
    domain, method, verdict, statuses, fixes, policy = SCENARIOS[scenario]
    time_out(dns_server, "stormgate.example")

    page, web = via_web(client, domain, method)
    code, cli = via_cli(domain, method)
    api = via_api(client, domain, method)
    bulk = via_bulk(client, domain, method, django_capture_on_commit_callbacks)

    # The page says it...
    assert page.verdict == verdict
    assert {rid: row["status"] for rid, row in page.requirements.items()} == statuses
    for rid, fix in fixes.items():
        assert page.requirements[rid]["fix"] == fix
    assert page.headline == web["headline"]
    # ...and so do the stored JSON, the command line and the API.
    for report in (web, cli, api, bulk):
        assert report["domain"] == domain
        assert report["vendor"] == "mailhawk"
        assert report["verdict"] == verdict
        assert {r["id"]: r["status"] for r in report["requirements"]} == statuses
        for rid, fix in fixes.items():
            assert next(r["fix"] for r in report["requirements"] if r["id"] == rid) == fix
        assert (report["dmarc"] or {}).get("policy") == policy
        assert report["headline"] == web["headline"]
    assert code == (0 if verdict == "pass" else 1)
    # One pipeline: the whole report JSON is the same, whichever face ran the check.
    for report in (cli, api, bulk):
        assert comparable(report) == comparable(web)
