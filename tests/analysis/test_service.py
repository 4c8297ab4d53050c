"""The analysis service: the sending vendor identified with the catalog's real entries, its
recipe for the From domain, and nothing stored unless asked."""

from __future__ import annotations

import pytest

from sources.analysismodels import MessageAnalysis
from sources.services.analyses import analyses_prune, analysis_run, analysis_store
from tests.analysis import scenarios

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysed(mail_zones, sendgrid_catalog):
    return lambda raw: analysis_run(raw)


def test_an_unaligned_sendgrid_message_names_sendgrid_and_its_fix(analysed):
    report = analysed(scenarios.unaligned_message())
    assert report["verdict"] == "fail"
    vendor = report["vendors"][0]
    assert vendor["slug"] == "sendgrid"
    signals = {(e["signal"], e["value"]) for e in vendor["evidence"]}
    assert ("dkim-domain", "sendgrid.net") in signals
    assert ("return-path", "sendgrid.net") in signals
    assert ("ip", scenarios.SENDGRID_IP) in signals
    assert vendor["unaligned"] == [
        {"code": "dkim-vendor-domain", "domain": "sendgrid.net"},
        {"code": "bounce-vendor-domain", "domain": "sendgrid.net"},
    ]
    recipe = vendor["recipe"]
    assert recipe["kind"] == "cname-delegation"
    hosts = {r["host"] for r in recipe["records"]}
    assert {"s1._domainkey.birch-shop.test", "s2._domainkey.birch-shop.test"} <= hosts
    assert vendor["url"] == "/vendors/sendgrid/"


def test_an_aligned_sendgrid_message_is_credited_to_sendgrid_by_its_cnames(analysed):
    report = analysed(scenarios.aligned_message())
    assert report["verdict"] == "pass"
    vendor = report["vendors"][0]
    assert vendor["slug"] == "sendgrid"
    signals = {e["signal"] for e in vendor["evidence"]}
    assert {"dkim-key-cname", "return-path-cname", "received-host"} <= signals
    assert vendor["unaligned"] == []


def test_nothing_is_stored_by_an_analysis(analysed):
    analysed(scenarios.aligned_message())
    assert MessageAnalysis.objects.count() == 0


def test_a_kept_analysis_holds_the_report_but_never_the_body(analysed):
    report = analysed(scenarios.aligned_message())
    kept = analysis_store(data=report, source="web")
    kept.refresh_from_db()
    assert kept.from_domain == "acme-billing.test"
    assert kept.verdict == "pass"
    assert "invoice is attached" not in str(kept.result)
    assert "Your invoice" not in str(kept.result)  # nor the subject


def test_kept_analyses_are_pruned_with_the_checks(analysed, settings):
    settings.CHECK_RETENTION_DAYS = 30
    from datetime import timedelta

    from django.utils import timezone

    old = analysis_store(data={"verdict": "pass", "from": {"domain": "a.test"}}, source="web")
    MessageAnalysis.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    recent = analysis_store(data={"verdict": "fail", "from": {"domain": "b.test"}}, source="api")
    assert analyses_prune() == 1
    assert list(MessageAnalysis.objects.values_list("pk", flat=True)) == [recent.pk]
