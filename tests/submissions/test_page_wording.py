"""Plain wording on submission and vendor pages: proposals name their entry, and the
"Work for X?" prompt gives way to the maintainer once the vendor maintains the entry."""

import datetime as dt

import pytest
from django.utils import timezone

from sources.services.submissions import current_data, submission_approve, submission_create
from tests.factories import make_domain_verification, make_user
from tests.submissions.helpers import SOURCES

pytestmark = pytest.mark.django_db


def _proposal(user, vendor, summary="A new summary."):
    data = current_data(vendor)
    data["summary"] = summary
    return submission_create(user=user, data=data, provenance=SOURCES, vendor=vendor)


def test_a_proposal_page_says_proposed_changes_to_the_entry(submitter_client, submitter, vendor):
    submission = _proposal(submitter, vendor)
    html = submitter_client.get(f"/submissions/{submission.pk}/").content.decode()
    assert 'Proposed changes to <a href="/vendors/examplemail/">ExampleMail</a>' in html
    assert "Changes to an entry to" not in html


def test_an_entry_nobody_maintains_invites_the_vendor_to_verify(client, vendor):
    html = client.get("/vendors/examplemail/").content.decode()
    assert "Work for ExampleMail?" in html
    assert 'class="maintainer"' not in html


def test_an_entry_the_vendor_maintains_names_its_maintainer_instead(
    client, submitter, moderator, vendor
):
    submission_approve(submission=_proposal(submitter, vendor), moderator=moderator)
    verified_at = timezone.make_aware(dt.datetime(2026, 10, 5, 12, 0))
    make_domain_verification(submitter, vendor.own_domain, verified_at=verified_at)
    html = client.get("/vendors/examplemail/").content.decode()
    assert "Work for ExampleMail?" not in html
    assert "Maintained by the vendor" in html  # the badge on the entry itself
    assert "proved control of <strong>examplemail.example</strong>" in html
    assert '<time datetime="2026-10-05">5 October 2026</time>' in html
    assert submitter.email not in html  # who it is stays private


def test_a_verification_without_an_approved_change_keeps_the_prompt(client, vendor):
    make_domain_verification(make_user("pm@examplemail.example"), vendor.own_domain)
    html = client.get("/vendors/examplemail/").content.decode()
    assert "Work for ExampleMail?" in html
    assert 'class="maintainer"' not in html
