"""Moderators restore an earlier revision; the restore is itself a new revision."""

import pytest

from sources.models import Revision
from sources.services.submissions import (
    ModerationError,
    current_data,
    revision_restore,
    submission_approve,
    submission_create,
)
from tests.submissions.helpers import SOURCES

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed(vendor, submitter, moderator):
    data = current_data(vendor)
    data["summary"] = "A wrong summary."
    data["methods"][0]["records"].pop()
    submission = submission_create(user=submitter, data=data, provenance=SOURCES, vendor=vendor)
    submission_approve(submission=submission, moderator=moderator)
    vendor.refresh_from_db()
    return vendor


def test_restoring_brings_back_the_old_entry_as_a_new_revision(client, changed, moderator):
    client.force_login(moderator)
    response = client.post("/vendors/examplemail/history/1/restore/", follow=True)
    assert "Revision 1 is restored as revision 3." in response.content.decode()
    changed.refresh_from_db()
    assert changed.summary == "examplemail sends transactional email."
    assert [r.record_id for r in changed.methods.get().records.all()] == ["dkim-s1", "bounce"]
    assert changed.dmarc_capability == "full"  # derived fields recomputed
    newest = changed.revisions.order_by("-number").first()
    assert newest.number == 3
    assert newest.restored_from.number == 1
    assert newest.created_by == moderator
    assert {c["path"] for c in newest.changes} >= {"summary", "methods[0].records[1]"}


def test_restoring_the_current_state_is_refused(changed, moderator):
    with pytest.raises(ModerationError, match="already matches revision 2"):
        revision_restore(revision=changed.revisions.get(number=2), user=moderator)


def test_restoring_keeps_the_moderators_publication_choice(changed, moderator):
    type(changed).objects.filter(pk=changed.pk).update(published=False)
    revision_restore(revision=changed.revisions.get(number=1), user=moderator)
    changed.refresh_from_db()
    assert changed.published is False


def test_a_revision_whose_category_is_gone_cannot_be_restored(changed, moderator):
    from tests.factories import make_category

    make_category("helpdesk")
    revision = changed.revisions.get(number=1)
    revision.data["categories"] = ["removed-category"]
    revision.save()
    with pytest.raises(ModerationError, match="cannot be restored"):
        revision_restore(revision=revision, user=moderator)
    assert changed.revisions.count() == 2


def test_the_admin_action_restores_exactly_one_revision(client, changed, moderator):
    client.force_login(moderator)
    first = changed.revisions.get(number=1)
    client.post(
        "/admin/sources/revision/",
        {"action": "restore_selected", "_selected_action": [first.pk]},
    )
    assert Revision.objects.filter(vendor=changed).count() == 3
    both = list(changed.revisions.values_list("pk", flat=True))
    response = client.post(
        "/admin/sources/revision/",
        {"action": "restore_selected", "_selected_action": both},
        follow=True,
    )
    assert "Select exactly one revision to restore." in response.content.decode()


def test_the_restore_button_shows_only_for_moderators_on_older_revisions(
    client, changed, moderator, submitter
):
    assert (
        "Restore this revision"
        not in client.get("/vendors/examplemail/history/1/").content.decode()
    )
    client.force_login(moderator)
    assert "Restore this revision" in client.get("/vendors/examplemail/history/1/").content.decode()
    assert (
        "Restore this revision"
        not in client.get("/vendors/examplemail/history/2/").content.decode()
    )
