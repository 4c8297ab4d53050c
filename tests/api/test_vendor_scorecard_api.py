"""The vendor detail API carries the scorecard and the demand figures, in the schema too,
and its ETag changes when the demand does."""

import json

import pytest
import yaml
from django.utils import timezone

from sources.models import CapabilityVote
from sources.scorecard import POINTS
from tests.factories import make_mailhawk

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailhawk(db):
    return make_mailhawk()


def test_the_detail_has_every_point_with_its_state_and_evidence(anonymous, mailhawk):
    body = anonymous.get("/api/v1/vendors/mailhawk").json()
    scorecard = body["scorecard"]
    assert [p["key"] for p in scorecard["points"]] == [p.key for p in POINTS]
    assert scorecard["met"] + scorecard["not_met"] + scorecard["unknown"] == scorecard["total"]
    hosted = scorecard["points"][0]
    assert (hosted["key"], hosted["state"], hosted["label"]) == ("hosted-dkim", "met", "Met")
    assert hosted["evidence"][0]["method"] == "Authenticate your domain with CNAME records"
    assert hosted["evidence"][0]["note"] == "s1._domainkey.{domain}, s2._domainkey.{domain}"
    assert {"text": "Use 2048-bit RSA keys.", "kind": "improve", "point": "key-2048"} not in (
        scorecard["actions"]
    )  # unknown, so the vendor is asked to document it instead:
    assert any(a["point"] == "key-2048" and a["kind"] == "document" for a in scorecard["actions"])


def test_the_detail_has_the_demand_figures(anonymous, mailhawk, dns_server):
    post = {"domain": "harbourline.example", "vendor": "mailhawk"}
    post["parameters"] = {"account_id": "7001"}
    created = anonymous.post("/api/v1/checks", json.dumps(post), content_type="application/json")
    assert created.status_code == 201
    CapabilityVote.objects.create(
        vendor=mailhawk, point="delegation", voter="user:1", confirmed_at=timezone.now()
    )
    demand = anonymous.get("/api/v1/vendors/mailhawk").json()["demand"]
    assert demand["windows"] == [
        {"days": 30, "checks": 1, "passes": 0, "pass_share": 0.0},
        {"days": 90, "checks": 1, "passes": 0, "pass_share": 0.0},
    ]
    assert demand["top_failure"] == {"requirement": "dkim-s2", "failures": 1, "days": 90}
    assert demand["votes"] == {"delegation": 1} and demand["votes_total"] == 1


def test_without_checks_the_share_is_null(anonymous, mailhawk):
    demand = anonymous.get("/api/v1/vendors/mailhawk").json()["demand"]
    assert demand["windows"][0] == {"days": 30, "checks": 0, "passes": 0, "pass_share": None}
    assert demand["top_failure"] is None


def test_a_vote_changes_the_etag(anonymous, mailhawk):
    etag = anonymous.get("/api/v1/vendors/mailhawk")["ETag"]
    assert (
        anonymous.get("/api/v1/vendors/mailhawk", headers={"If-None-Match": etag}).status_code
        == 304
    )
    CapabilityVote.objects.create(
        vendor=mailhawk, point="delegation", voter="user:1", confirmed_at=timezone.now()
    )
    again = anonymous.get("/api/v1/vendors/mailhawk", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.json()["demand"]["votes_total"] == 1


def test_the_schema_describes_scorecard_and_demand(anonymous):
    schema = yaml.safe_load(anonymous.get("/api/v1/schema/").content)
    detail = schema["components"]["schemas"]["VendorDetail"]["properties"]
    assert detail["scorecard"]["allOf"][0]["$ref"] == "#/components/schemas/Scorecard"
    assert detail["demand"]["allOf"][0]["$ref"] == "#/components/schemas/Demand"
    point = schema["components"]["schemas"]["ScorecardPoint"]["properties"]
    assert {"key", "state", "summary", "evidence", "action"} <= set(point)
    window = schema["components"]["schemas"]["DemandWindow"]["properties"]
    assert window["pass_share"]["nullable"] is True
