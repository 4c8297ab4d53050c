"""A browser sends textareas with CRLF line endings: only the fields really changed count."""

import pytest

from sources.models import Revision, Submission, Vendor
from sources.services.catalog import current_data
from sources.services.submissions import submission_approve
from tests.factories import make_vendor
from tests.submissions.helpers import form_post

pytestmark = pytest.mark.django_db

DESCRIPTION = "Sends receipts and password resets.\n\nInvoices go out on the first of the month."


def as_browser_sends(post: dict) -> dict:
    """Every text value with CRLF line endings (and a trailing space, as editors leave)."""
    out = {}
    for key, value in post.items():
        if isinstance(value, str) and "\n" in value:
            value = value.replace("\n", "\r\n") + " \r\n"
        out[key] = value
    return out


@pytest.fixture
def multiline_vendor(categories):
    return make_vendor("examplemail", name="ExampleMail", description=DESCRIPTION)


def edited_post(vendor, **post_overrides) -> dict:
    data = current_data(vendor)
    data["summary"] = "Sends receipts, password resets and invoices."
    data["methods"][0]["title"] = "Authenticate your domain with two CNAMEs"
    return as_browser_sends(form_post(data, **post_overrides))


def test_the_preview_of_a_crlf_submission_shows_only_the_two_changed_fields(
    submitter_client, multiline_vendor
):
    post = edited_post(multiline_vendor, action="preview")
    assert "\r\n" in post["description"] and "\r\n" in post["methods-0-steps"]

    response = submitter_client.post("/vendors/examplemail/propose/", post)

    assert [c.label for c in response.context["changes"]] == ["Summary", "Method 1 › Title"]


def test_a_crlf_submission_that_changes_two_fields_shows_two_in_the_diff_and_history(
    submitter_client, client, multiline_vendor, moderator
):
    response = submitter_client.post("/vendors/examplemail/propose/", edited_post(multiline_vendor))
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert "\r" not in str(submission.data)  # stored as the catalog stores text

    page = submitter_client.get(f"/submissions/{submission.pk}/")
    assert [c.label for c in page.context["changes"]] == ["Summary", "Method 1 › Title"]

    revision = submission_approve(submission=submission, moderator=moderator)

    assert [c["label"] for c in revision.changes] == ["Summary", "Method 1 › Title"]
    vendor = Vendor.objects.get(slug="examplemail")
    assert vendor.description == DESCRIPTION  # no CR, no trailing space published
    assert "\r" not in vendor.methods.get().steps
    html = client.get("/vendors/examplemail/history/").content.decode()
    assert "2 fields changed" in html


def test_revisions_stored_with_crlf_only_changes_count_only_real_ones(client, multiline_vendor):
    """Revisions recorded before text was normalised still list CRLF-only 'changes'."""
    Revision.objects.create(
        vendor=multiline_vendor,
        number=1,
        origin=Revision.Origin.MODERATION,
        data={},
        summary="Proposed changes approved",
        changes=[
            {"path": "summary", "label": "Summary", "old": "Old.", "new": "New."},
            {
                "path": "description",
                "label": "Description",
                "old": DESCRIPTION,
                "new": DESCRIPTION.replace("\n", "\r\n") + "  ",
            },
            {"path": "methods[0].title", "label": "Method 1 › Title", "old": "A", "new": "B"},
        ],
    )
    html = client.get("/vendors/examplemail/history/").content.decode()
    assert "2 fields changed" in html
    assert "Description" not in html.split("2 fields changed")[1]


def test_a_long_field_is_highlighted_word_by_word(submitter_client, multiline_vendor):
    data = current_data(multiline_vendor)
    data["description"] = DESCRIPTION.replace("first of the month", "last day of the month")
    post = as_browser_sends(form_post(data, action="preview"))

    html = submitter_client.post("/vendors/examplemail/propose/", post).content.decode()

    assert '<del class="diff-word">first</del>' in html
    assert '<ins class="diff-word">last day</ins>' in html


def test_an_api_proposal_with_crlf_text_changes_only_what_it_changes(submitter, multiline_vendor):
    from rest_framework.test import APIClient

    from sources.services.catalog import data_to_json
    from tests.factories import api_key_for

    entry = data_to_json(current_data(multiline_vendor))
    entry["description"] = entry["description"].replace("\n", "\r\n") + "\r\n"
    entry["methods"][0]["steps"] = entry["methods"][0]["steps"].replace("\n", "\r\n")
    unchanged = {
        "vendor": "examplemail",
        "entry": entry,
        "provenance": ["https://docs.example.net/"],
    }
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(submitter)}")

    refused = client.post("/api/v1/submissions", unchanged, format="json")
    assert refused.status_code == 400
    assert "does not change anything" in str(refused.json())

    entry["summary"] = "Changed through the API."
    response = client.post("/api/v1/submissions", unchanged, format="json")
    assert response.status_code == 201
    assert response.json()["entry"]["description"] == DESCRIPTION
