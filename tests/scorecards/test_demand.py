"""Demand: checks run against a vendor (real checks against the loopback DNS server), the
pass share, the requirement failing most, over 30 and 90 days; kept past check pruning."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sources.catalogfile import validate_vendor
from sources.demandselectors import leaderboard, leaderboard_rows, vendor_demand
from sources.models import CapabilityVote, VendorCheckDay, VendorFailureDay, VendorScore
from sources.selectors import vendor_to_data
from sources.services.catalog import vendor_save_data
from sources.services.checks import check_input_clean, check_store, checks_prune
from sources.services.demand import INLINE_SCORES, demand_record, scores_refresh_all
from tests.factories import make_vendor, make_vendors_bulk, spf_include_method

pytestmark = pytest.mark.django_db

ACCOUNT = "7001"  # Mailhawk's account in tests/zones/customer-mailhawk.zone


def api_check(client, domain: str, vendor: str = "mailhawk"):
    body = {"domain": domain, "vendor": vendor, "parameters": {"account_id": ACCOUNT}}
    response = client.post("/api/v1/checks", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_checks_through_the_api_are_counted_with_their_pass_share(client, dns_server, mailhawk):
    verdicts = [api_check(client, d)["verdict"] for d in ("brightfield.example",) * 2]
    verdicts.append(api_check(client, "harbourline.example")["verdict"])
    assert verdicts == ["pass", "pass", "partial"]  # harbourline lacks the s2 CNAME
    demand = vendor_demand(mailhawk.pk)
    assert (demand.window(30).checks, demand.window(30).passes) == (3, 2)
    assert demand.window(30).pass_percent == 67
    assert demand.window(90).checks == 3
    assert demand.top_failure == {"requirement": "dkim-s2", "failures": 1, "days": 90}


def test_the_scorecard_page_shows_the_figures(client, dns_server, mailhawk):
    api_check(client, "brightfield.example")
    api_check(client, "harbourline.example")
    page = client.get("/vendors/mailhawk/scorecard/").content.decode()
    assert 'data-checks="30">2 <span data-pass-share="30">(50% passed)</span>' in page
    assert "<code>dkim-s2</code>: CNAME record at s2._domainkey.{domain} (dkim)" in page


def test_checks_without_a_vendor_count_for_no_one(client, dns_server, mailhawk):
    response = client.post(
        "/api/v1/checks",
        json.dumps({"domain": "brightfield.example"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert VendorCheckDay.objects.count() == 0


def test_only_checks_people_ask_for_count(mailhawk):
    check = check_input_clean(domain="brightfield.example", vendor="mailhawk")
    report = {"verdict": "pass", "requirements": []}
    check_store(check=check, data=report, source="web")
    check_store(check=check, data=report, source="api")
    check_store(check=check, data=report, source="monitor")  # the site re-checking, say
    assert VendorCheckDay.objects.get().checks == 2


def test_windows_count_the_days_they_cover(mailhawk):
    today = timezone.now().date()
    for days_ago, checks, passes in [(0, 4, 1), (29, 1, 1), (30, 10, 0), (89, 2, 2), (90, 50, 0)]:
        VendorCheckDay.objects.create(
            vendor=mailhawk,
            day=today - dt.timedelta(days=days_ago),
            checks=checks,
            passes=passes,
            updated_at=timezone.now(),
        )
    demand = vendor_demand(mailhawk.pk)
    assert (demand.window(30).checks, demand.window(30).passes) == (5, 2)
    assert (demand.window(90).checks, demand.window(90).passes) == (17, 4)


def test_the_most_failed_requirement_is_over_90_days(mailhawk):
    today = timezone.now().date()
    VendorFailureDay.objects.create(
        vendor=mailhawk, day=today - dt.timedelta(days=91), requirement="return-path", failures=9
    )
    VendorFailureDay.objects.create(vendor=mailhawk, day=today, requirement="dkim-s2", failures=2)
    VendorFailureDay.objects.create(
        vendor=mailhawk, day=today - dt.timedelta(days=3), requirement="dkim-s1", failures=1
    )
    assert vendor_demand(mailhawk.pk).top_failure["requirement"] == "dkim-s2"


def test_errors_are_not_failures(mailhawk):
    report = {
        "verdict": "error",
        "requirements": [{"id": "dkim-s1", "status": "error"}, {"id": "dkim-s2", "status": "fail"}],
    }
    demand_record(vendor_id=mailhawk.pk, report=report)
    demand_record(vendor_id=mailhawk.pk, report=report)
    assert list(VendorFailureDay.objects.values_list("requirement", "failures")) == [("dkim-s2", 2)]
    assert VendorCheckDay.objects.get().checks == 2


def test_demand_outlives_pruned_check_results(client, dns_server, mailhawk):
    api_check(client, "brightfield.example")
    later = timezone.now() + dt.timedelta(days=45)
    assert checks_prune(now=later)["checks"] == 1
    assert vendor_demand(mailhawk.pk, day=later.date()).window(90).checks == 1


def test_the_leaderboard_sorts_by_alignment_by_checks_and_by_votes(client, mailhawk):
    weak = make_vendor("weakmail", name="WeakMail", methods=[spf_include_method()])
    today = timezone.now().date()
    now = timezone.now()
    VendorCheckDay.objects.create(vendor=weak, day=today, checks=7, passes=0, updated_at=now)
    VendorCheckDay.objects.create(vendor=mailhawk, day=today, checks=3, passes=3, updated_at=now)
    CapabilityVote.objects.create(
        vendor=weak, point="hosted-dkim", voter="user:1", confirmed_at=timezone.now()
    )
    CapabilityVote.objects.create(vendor=weak, point="return-path", voter="user:2")  # pending
    page = client.get("/scorecards/").content.decode()
    assert page.index('data-vendor="mailhawk"') < page.index('data-vendor="weakmail"')
    by_checks = list(leaderboard(sort="checks").values_list("slug", flat=True))
    assert by_checks == ["weakmail", "mailhawk"]
    rows = {v.slug: v for v in leaderboard_rows([weak.pk, mailhawk.pk])}
    assert (rows["weakmail"].checks_30, rows["weakmail"].passes_30) == (7, 0)
    assert (rows["weakmail"].vote_count, rows["mailhawk"].vote_count) == (1, 0)
    assert list(leaderboard(sort="votes").values_list("slug", flat=True))[0] == "weakmail"
    by_checks = client.get("/scorecards/?sort=checks").content.decode()
    assert by_checks.index('data-vendor="weakmail"') < by_checks.index('data-vendor="mailhawk"')
    # A sort it does not know falls back to alignment, without an error.
    assert client.get("/scorecards/?sort=drop%20table").status_code == 200


def test_the_leaderboard_costs_the_same_queries_at_any_size(client, mailhawk):
    client.get("/scorecards/?sort=checks")  # computes the stored scores once
    with CaptureQueriesContext(connection) as few:
        assert client.get("/scorecards/?sort=checks").status_code == 200
    make_vendors_bulk(120)
    client.get("/scorecards/?sort=checks")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/scorecards/?sort=checks&page=2")
    assert response.status_code == 200 and 'data-vendor="bulk-' in response.content.decode()
    assert len(many) == len(few)


def test_stored_scores_follow_the_entry(client, mailhawk):
    client.get("/scorecards/")
    assert mailhawk.score.met == 5
    mailhawk.refresh_from_db()
    data = vendor_to_data(mailhawk)
    data["methods"] = data["methods"][1:]  # only the SPF include left
    vendor_save_data(data=validate_vendor(data, source="test"))
    client.get("/scorecards/")
    mailhawk.score.refresh_from_db()
    assert mailhawk.score.met == 0
    assert mailhawk.score.states["no-spf-only"] == "not-met"


def test_a_page_view_scores_a_few_vendors_and_queues_the_rest(client, settings, mailhawk):
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.dummy.DummyBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    from django.tasks import default_task_backend

    make_vendors_bulk(INLINE_SCORES * 2 + 10)  # and Mailhawk: 111 to score
    page = client.get("/scorecards/?sort=name").content.decode()
    assert VendorScore.objects.count() == INLINE_SCORES
    assert "being computed" in page
    [queued] = default_task_backend.results
    assert queued.task.name == "scores_refresh_all"
    client.get("/scorecards/")  # 50 more now, and queued once, not on every view
    assert len(default_task_backend.results) == 1
    assert scores_refresh_all.call() == 11  # what the worker does
    assert VendorScore.objects.count() == 111
