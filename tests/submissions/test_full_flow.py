"""The whole journey: sign up, confirm from the e-mail, submit, approve, published with history."""

import re

import pytest
from django.core import mail

from sources.models import Revision, Submission, Vendor
from tests.factories import PASSWORD, new_vendor_data
from tests.submissions.helpers import form_post

pytestmark = pytest.mark.django_db(transaction=True)


def test_from_sign_up_to_a_published_revision(client, moderator, categories):
    # Sign up and confirm from the link in the e-mail.
    client.post(
        "/accounts/signup/",
        {"email": "pm@postlark.example", "password1": PASSWORD, "password2": PASSWORD},
    )
    [confirmation] = mail.outbox
    link = re.search(r"https?://\S+", confirmation.body).group(0)
    path = "/" + link.split("/", 3)[3]
    assert client.post(path).status_code == 302

    # Preview, then submit a new vendor.
    data = new_vendor_data(description="PostLark signs with **your** domain.")
    preview = client.post("/submissions/new/", form_post(data, action="preview"))
    assert "<strong>your</strong>" in preview.content.decode()
    response = client.post("/submissions/new/", form_post(data))
    submission = Submission.objects.get()
    assert response["Location"] == f"/submissions/{submission.pk}/"
    assert "Pending review" in client.get("/submissions/").content.decode()
    # Moderators got one digest (the database commit happened: transaction=True).
    digest = [m for m in mail.outbox if m.to == ["mod@directory.example"]]
    assert len(digest) == 1 and "PostLark" in digest[0].body
    assert client.get("/vendors/postlark/").status_code == 404  # not public yet

    # A moderator approves in the admin.
    client.logout()
    client.force_login(moderator)
    client.post(
        "/admin/sources/submission/",
        {
            "action": "approve_selected",
            "_selected_action": [submission.pk],
            "apply": "yes",
            "comment": "Checked against the docs. Thank you!",
        },
    )
    client.logout()

    # The entry is public, with its history, and the submitter was told.
    page = client.get("/vendors/postlark/").content.decode()
    assert "<h1>PostLark</h1>" in page and "s1._domainkey.<var>{domain}</var>" in page
    history = client.get("/vendors/postlark/history/").content.decode()
    assert f"from submission #{submission.pk}" in history
    vendor = Vendor.objects.get(slug="postlark")
    assert Revision.objects.get(vendor=vendor).number == 1
    told = [m for m in mail.outbox if m.to == ["pm@postlark.example"]]
    assert [m.subject for m in told] == ["Confirm your e-mail address", "Published: PostLark"]
    assert "Checked against the docs. Thank you!" in told[-1].body
