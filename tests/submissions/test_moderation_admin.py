"""Moderators review in the admin: a field-by-field diff, then approve, reject or send back."""

import pytest
from django.core import mail

from sources.models import Revision, Submission, Vendor
from sources.services.submissions import current_data, submission_create
from tests.factories import new_vendor_data
from tests.submissions.helpers import SOURCES

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/sources/submission/"


@pytest.fixture
def new_submission(submitter, categories):
    return submission_create(user=submitter, data=new_vendor_data(), provenance=SOURCES)


@pytest.fixture
def change_submission(submitter, vendor):
    data = current_data(vendor)
    data["summary"] = "Sends <b>invoices</b> too."
    data["methods"][0]["records"][0]["value"] = "s1.dkim.v2.{account_id}.example.net"
    return submission_create(user=submitter, data=data, provenance=SOURCES, vendor=vendor)


def act(client, action, submissions, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [s.pk for s in submissions], **extra},
    )


def test_the_queue_lists_pending_submissions(moderator_client, new_submission):
    html = moderator_client.get(CHANGELIST + "?state__exact=pending").content.decode()
    assert "PostLark" in html and "sam@submitter.example" in html


def test_the_review_shows_a_field_by_field_diff_against_the_current_entry(
    moderator_client, change_submission
):
    html = moderator_client.get(f"{CHANGELIST}{change_submission.pk}/change/").content.decode()
    assert '<table class="diff">' in html
    assert "Summary" in html
    assert "examplemail sends transactional email." in html
    assert "Sends &lt;b&gt;invoices&lt;/b&gt; too." in html  # escaped, never HTML
    assert "Method 1 › Record dkim-s1 › Value" in html
    assert "Approve and publish…" in html


def test_approving_asks_for_an_optional_comment_then_publishes(
    moderator_client, change_submission, vendor, moderator
):
    page = act(moderator_client, "approve_selected", [change_submission])
    assert page.status_code == 200
    assert "Comment to the submitter (optional)" in page.content.decode()
    assert Revision.objects.count() == 0  # nothing happens before confirming
    done = act(
        moderator_client, "approve_selected", [change_submission], apply="yes", comment="Thanks!"
    )
    assert done.status_code == 302
    change_submission.refresh_from_db()
    vendor.refresh_from_db()
    assert change_submission.state == Submission.State.APPROVED
    assert change_submission.reviewed_by == moderator
    assert change_submission.moderator_comment == "Thanks!"
    assert vendor.summary == "Sends <b>invoices</b> too."
    # The imported entry is kept as revision 1, the approved change is revision 2.
    assert list(vendor.revisions.order_by("number").values_list("number", "submission")) == [
        (1, None),
        (2, change_submission.pk),
    ]


def test_approving_a_new_vendor_publishes_it(moderator_client, new_submission):
    act(moderator_client, "approve_selected", [new_submission], apply="yes", comment="")
    vendor = Vendor.objects.get(slug="postlark")
    assert vendor.published
    assert vendor.dmarc_capability == "full"
    revision = vendor.revisions.get()
    assert revision.number == 1 and revision.submission == new_submission
    new_submission.refresh_from_db()
    assert new_submission.vendor == vendor
    assert moderator_client.get("/vendors/postlark/").status_code == 200


def test_requesting_changes_needs_a_comment(moderator_client, new_submission):
    response = act(moderator_client, "request_changes_selected", [new_submission], apply="yes")
    assert response.status_code == 200
    assert "a comment is required" in response.content.decode()
    new_submission.refresh_from_db()
    assert new_submission.state == Submission.State.PENDING
    act(
        moderator_client,
        "request_changes_selected",
        [new_submission],
        apply="yes",
        comment="Please cite the DKIM page.",
    )
    new_submission.refresh_from_db()
    assert new_submission.state == Submission.State.CHANGES_REQUESTED
    assert new_submission.moderator_comment == "Please cite the DKIM page."


def test_rejecting_closes_the_submission(moderator_client, new_submission):
    act(moderator_client, "reject_selected", [new_submission], apply="yes", comment="Spam.")
    new_submission.refresh_from_db()
    assert new_submission.state == Submission.State.REJECTED
    assert not Vendor.objects.filter(slug="postlark").exists()


def test_the_decision_buttons_on_one_submission(moderator_client, new_submission):
    url = f"{CHANGELIST}{new_submission.pk}/decide/reject/"
    assert "Reject" in moderator_client.get(url).content.decode()
    response = moderator_client.post(url, {"apply": "yes", "comment": "Duplicate."})
    assert response.status_code == 302
    new_submission.refresh_from_db()
    assert new_submission.state == Submission.State.REJECTED
    assert (
        moderator_client.get(f"{CHANGELIST}{new_submission.pk}/decide/delete/").status_code == 403
    )


def test_a_decided_submission_cannot_be_decided_again(moderator_client, new_submission):
    act(moderator_client, "reject_selected", [new_submission], apply="yes")
    response = act(moderator_client, "approve_selected", [new_submission], apply="yes")
    assert response.status_code == 302
    new_submission.refresh_from_db()
    assert new_submission.state == Submission.State.REJECTED
    assert not Vendor.objects.filter(slug="postlark").exists()


def test_approval_is_refused_when_the_slug_was_taken_meanwhile(moderator_client, new_submission):
    from tests.factories import make_vendor

    make_vendor("postlark", name="PostLark Original")
    response = moderator_client.post(
        CHANGELIST,
        {"action": "approve_selected", "_selected_action": [new_submission.pk], "apply": "yes"},
        follow=True,
    )
    assert "The submission no longer validates: slug: is already used by PostLark Original" in (
        response.content.decode()
    )
    new_submission.refresh_from_db()
    assert new_submission.state == Submission.State.PENDING


def test_approval_is_atomic(moderator_client, new_submission, monkeypatch):
    """If recording the revision fails, the vendor is not published either."""
    import sources.services.submissions as service

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "revision_record", broken)
    with pytest.raises(RuntimeError):
        service.submission_approve(submission=new_submission, moderator=None)
    assert not Vendor.objects.filter(slug="postlark").exists()
    new_submission.refresh_from_db()
    assert new_submission.state == Submission.State.PENDING


def test_the_submitter_is_emailed_the_decision(
    moderator_client, new_submission, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        act(moderator_client, "approve_selected", [new_submission], apply="yes", comment="Nice.")
    [message] = [m for m in mail.outbox if "sam@submitter.example" in m.to]
    assert message.subject == "Published: PostLark"
    assert "Nice." in message.body
    assert "https://directory.example.org/vendors/postlark/" in message.body


def test_the_review_says_whether_the_submitter_may_still_revise(moderator_client, new_submission):
    url = f"{CHANGELIST}{new_submission.pk}/change/"
    html = moderator_client.get(url).content.decode()
    assert "The submitter may revise it" in html
    assert 'alt="True"' in html.split("The submitter may revise it", 1)[1][:400]
    Submission.objects.filter(pk=new_submission.pk).update(state=Submission.State.REJECTED)
    html = moderator_client.get(url).content.decode()
    assert 'alt="False"' in html.split("The submitter may revise it", 1)[1][:400]
