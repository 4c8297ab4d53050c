"""The public revision history of a vendor: what changed, when, from which submission."""

import pytest

from sources.models import Revision
from sources.services.submissions import current_data, submission_approve, submission_create
from tests.factories import new_vendor_data
from tests.submissions.helpers import SOURCES

pytestmark = pytest.mark.django_db


def approve_change(vendor, submitter, moderator, **changes):
    data = current_data(vendor)
    data.update(changes)
    submission = submission_create(user=submitter, data=data, provenance=SOURCES, vendor=vendor)
    return submission, submission_approve(submission=submission, moderator=moderator)


def test_an_imported_vendor_has_no_history_yet(client, vendor):
    html = client.get("/vendors/examplemail/history/").content.decode()
    assert "No changes recorded yet" in html


def test_the_vendor_page_links_to_history_report_and_propose(client, vendor):
    html = client.get("/vendors/examplemail/").content.decode()
    assert 'href="/vendors/examplemail/history/"' in html
    assert 'href="/vendors/examplemail/report/"' in html
    assert 'href="/vendors/examplemail/propose/"' in html


def test_an_approved_change_appears_with_its_submission_and_changes(
    client, vendor, submitter, moderator
):
    submission, revision = approve_change(
        vendor, submitter, moderator, summary="Sends invoices too."
    )
    html = client.get("/vendors/examplemail/history/").content.decode()
    assert "Revision 2" in html and "Revision 1" in html
    assert f"from submission #{submission.pk}" in html
    assert "1 field changed" in html
    assert "Sends invoices too." in html
    assert revision.changes == [
        {
            "path": "summary",
            "label": "Summary",
            "old": "examplemail sends transactional email.",
            "new": "Sends invoices too.",
        }
    ]


def test_a_revision_page_shows_the_diff_and_the_entry_as_it_was(
    client, vendor, submitter, moderator
):
    approve_change(vendor, submitter, moderator, summary="Sends invoices too.")
    html = client.get("/vendors/examplemail/history/1/").content.decode()
    assert "examplemail sends transactional email." in html  # the old entry
    assert "before its first recorded change" in html
    html = client.get("/vendors/examplemail/history/2/").content.decode()
    assert "(current)" in html
    assert '<table class="diff">' in html


def test_revisions_are_numbered_in_order(vendor, submitter, moderator):
    one, _ = approve_change(vendor, submitter, moderator, summary="One.")
    two, _ = approve_change(vendor, submitter, moderator, summary="Two.")
    assert list(Revision.objects.values_list("number", "summary", "submission")) == [
        (3, "Proposed changes approved", two.pk),
        (2, "Proposed changes approved", one.pk),
        (1, "The entry before its first recorded change", None),
    ]


def test_history_of_unknown_or_unpublished_vendors_is_hidden(client, categories):
    from tests.factories import make_vendor

    make_vendor("hidden", published=False)
    assert client.get("/vendors/hidden/history/").status_code == 404
    assert client.get("/vendors/nope/history/").status_code == 404
    assert client.get("/vendors/nope/history/1/").status_code == 404


def test_a_new_vendor_starts_its_history_at_revision_1(submitter, moderator, categories):
    submission = submission_create(user=submitter, data=new_vendor_data(), provenance=SOURCES)
    revision = submission_approve(submission=submission, moderator=moderator)
    assert revision.number == 1
    assert {c["path"] for c in revision.changes} >= {"name", "methods[0].records[0].host"}


def test_the_history_page_runs_a_constant_number_of_queries(
    client, vendor, submitter, moderator, django_assert_max_num_queries
):
    for i in range(5):
        approve_change(vendor, submitter, moderator, summary=f"Version {i}.")
    with django_assert_max_num_queries(8):
        assert client.get("/vendors/examplemail/history/").status_code == 200
