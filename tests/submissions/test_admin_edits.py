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


def test_an_admin_edit_the_catalog_validator_refuses_is_rolled_back(client, moderator, vendor):
    """The model form accepts an http:// website; the catalog (and export_catalog) does not."""
    client.force_login(moderator)
    url = f"/admin/sources/vendor/{vendor.pk}/change/"
    data = post_data_from(client.get(url))
    data["website"] = "http://www.examplemail.example/"
    data["summary"] = "Changed in the same save."
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert errors == [
        "Not saved: the entry would no longer be a valid catalog entry "
        "(website: must be an https URL, not 'http://www.examplemail.example/')."
    ]
    assert "website: must be an https URL" in response.content.decode()
    # What was typed is still in the form; nothing of it reached the database.
    assert response.context["adminform"].form["summary"].value() == "Changed in the same save."
    vendor.refresh_from_db()
    assert vendor.website == "https://www.examplemail.example/"
    assert vendor.summary == "examplemail sends transactional email."
    assert not Revision.objects.filter(vendor=vendor).exists()


def test_a_record_edit_with_an_undeclared_parameter_is_refused(client, moderator, vendor):
    client.force_login(moderator)
    method = vendor.methods.get()
    url = f"/admin/sources/setupmethod/{method.pk}/change/"
    data = post_data_from(client.get(url))
    (key,) = [k for k, v in data.items() if v == "s1.dkim.u{account_id}.example.net"]
    data[key] = "s1.dkim.{account}.example.net"
    response = client.post(url, data)
    assert response.status_code == 200
    (error,) = response.context["adminform"].form.non_field_errors()
    assert "uses {account}, which is not a declared parameter" in error
    record = method.records.get(record_id="dkim-s1")
    assert record.value == "s1.dkim.u{account_id}.example.net"
    assert not Revision.objects.filter(vendor=vendor).exists()


def test_deleting_a_vendors_last_method_in_the_admin_is_refused(client, moderator, vendor):
    client.force_login(moderator)
    method = vendor.methods.get()
    url = f"/admin/sources/setupmethod/{method.pk}/delete/"
    response = client.post(url, {"post": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/admin/sources/setupmethod/{method.pk}/change/"
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [
        "Not saved: the entry would no longer be a valid catalog entry "
        "(methods: needs at least one method, or no_compliant_option = true)."
    ]
    assert vendor.methods.filter(pk=method.pk).exists()


def test_an_admin_edit_the_validator_accepts_still_exports(client, moderator, vendor, tmp_path):
    from sources.services.catalog import catalog_export

    client.force_login(moderator)
    method = vendor.methods.get()
    url = f"/admin/sources/setupmethod/{method.pk}/change/"
    data = post_data_from(client.get(url))
    data["title"] = "Domain authentication (CNAME)"
    assert client.post(url, data).status_code == 302
    assert catalog_export(path=tmp_path).vendors == 1
    assert 'title = "Domain authentication (CNAME)"' in (tmp_path / "examplemail.toml").read_text()


def test_admin_text_is_normalised_and_an_unchanged_save_leaves_updated_at(
    client, moderator, vendor
):
    client.force_login(moderator)
    url = f"/admin/sources/vendor/{vendor.pk}/change/"
    stamp = type(vendor).objects.get(pk=vendor.pk).updated_at
    data = post_data_from(client.get(url))
    # What a browser sends: CRLF, and trailing spaces, with no change of content.
    data["description"] = data["description"] + "  \r\n"
    data["methods-0-steps"] = data["methods-0-steps"].replace("\n", "\r\n") + " "
    assert client.post(url, data).status_code == 302
    vendor.refresh_from_db()
    assert vendor.description == "Sends receipts and password resets."
    assert "\r" not in vendor.methods.get().steps
    assert vendor.updated_at == stamp
    assert not Revision.objects.exists()

    data["description"] = "Sends receipts.\r\n\r\nAnd password resets.  \r\n"
    assert client.post(url, data).status_code == 302
    vendor.refresh_from_db()
    assert vendor.description == "Sends receipts.\n\nAnd password resets."
    assert vendor.updated_at > stamp
    latest = Revision.objects.filter(vendor=vendor).latest("number")
    assert latest.origin == "admin"
    assert [c["path"] for c in latest.changes] == ["description"]


def test_publishing_in_the_admin_is_a_revision(client, moderator, vendor):
    type(vendor).objects.filter(pk=vendor.pk).update(published=False)
    client.force_login(moderator)
    response = client.post(
        "/admin/sources/vendor/",
        {"action": "publish", "_selected_action": [vendor.pk]},
    )
    assert response.status_code == 302
    vendor.refresh_from_db()
    assert vendor.published
    latest = Revision.objects.filter(vendor=vendor).latest("number")
    assert (latest.origin, latest.summary) == ("admin", "Published in the admin")
    assert [c["path"] for c in latest.changes] == ["published"]
