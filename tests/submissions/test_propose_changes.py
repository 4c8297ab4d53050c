"""Proposing changes to an existing entry: prefilled, diffed, never renaming it."""

import pytest

from sources.models import Submission
from sources.selectors import vendor_to_data
from sources.services.submissions import current_data
from tests.submissions.helpers import form_post

pytestmark = pytest.mark.django_db


def test_the_form_is_prefilled_from_the_current_entry(submitter_client, vendor):
    response = submitter_client.get("/vendors/examplemail/propose/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="ExampleMail"' in html
    assert "s1.dkim.u{account_id}.example.net" in html
    assert 'name="slug"' not in html  # the address is fixed
    assert "Propose changes to ExampleMail" in html


def test_a_proposal_that_changes_nothing_is_refused(submitter_client, vendor):
    data = current_data(vendor)
    response = submitter_client.post("/vendors/examplemail/propose/", form_post(data))
    assert "This proposal does not change anything in the entry." in response.content.decode()
    assert not Submission.objects.exists()


def test_the_preview_shows_the_changes_field_by_field(submitter_client, vendor):
    data = current_data(vendor)
    data["summary"] = "Now also sends invoices."
    response = submitter_client.post(
        "/vendors/examplemail/propose/", form_post(data, action="preview")
    )
    changes = response.context["changes"]
    assert [(c.path, c.old, c.new) for c in changes] == [
        ("summary", "examplemail sends transactional email.", "Now also sends invoices.")
    ]
    assert "Now also sends invoices." in response.content.decode()


def test_a_proposal_is_saved_as_a_change_to_the_vendor(submitter_client, vendor):
    data = current_data(vendor)
    data["summary"] = "Now also sends invoices."
    response = submitter_client.post("/vendors/examplemail/propose/", form_post(data))
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert submission.kind == Submission.Kind.CHANGE
    assert submission.vendor == vendor
    vendor.refresh_from_db()
    assert vendor.summary == "examplemail sends transactional email."  # not yet


def test_a_posted_slug_cannot_rename_the_entry(submitter_client, vendor):
    data = current_data(vendor)
    data["summary"] = "Changed."
    post_data = form_post(data)
    post_data["slug"] = "hijacked"
    submitter_client.post("/vendors/examplemail/propose/", post_data)
    assert Submission.objects.get().slug == "examplemail"


def test_opening_propose_again_continues_the_open_proposal(submitter_client, vendor):
    data = vendor_to_data(vendor)
    data["summary"] = "Changed."
    submitter_client.post("/vendors/examplemail/propose/", form_post(data))
    submission = Submission.objects.get()
    response = submitter_client.get("/vendors/examplemail/propose/")
    assert response.status_code == 302
    assert response["Location"] == f"/submissions/{submission.pk}/edit/"


def test_unknown_or_unpublished_vendors_cannot_be_proposed_to(submitter_client, categories):
    from tests.factories import make_vendor

    make_vendor("hidden", published=False)
    assert submitter_client.get("/vendors/hidden/propose/").status_code == 404
    assert submitter_client.get("/vendors/nope/propose/").status_code == 404
