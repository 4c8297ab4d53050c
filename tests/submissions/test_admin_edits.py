"""Edits made directly in the admin also land in the revision history."""

import pytest

from sources.models import Revision

pytestmark = pytest.mark.django_db


def post_data_from(response) -> dict:
    """The POST a browser would send for an admin change form, unchanged."""
    data = {}

    def add_form(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value) if not hasattr(value, "isoformat") else value.isoformat()

    add_form(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[formset.management_form.add_prefix(key)] = value
        for form in formset.forms:
            add_form(form)
    return data


def test_a_vendor_edited_in_the_admin_gets_a_revision(client, moderator, vendor):
    client.force_login(moderator)
    url = f"/admin/sources/vendor/{vendor.pk}/change/"
    data = post_data_from(client.get(url))
    data["summary"] = "Edited by a moderator."
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    revisions = list(Revision.objects.filter(vendor=vendor).order_by("number"))
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[1].summary == "Edited in the admin"
    assert revisions[1].created_by == moderator
    assert [c["path"] for c in revisions[1].changes] == ["summary"]


def test_saving_without_changes_records_nothing(client, moderator, vendor):
    client.force_login(moderator)
    url = f"/admin/sources/vendor/{vendor.pk}/change/"
    assert client.post(url, post_data_from(client.get(url))).status_code == 302
    assert not Revision.objects.exists()
