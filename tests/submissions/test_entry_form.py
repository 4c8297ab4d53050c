"""The vendor entry form: validation beside each field, nothing lost, no JavaScript needed."""

import pytest

from sources.models import Submission
from tests.factories import new_vendor_data
from tests.submissions.helpers import form_post

pytestmark = pytest.mark.django_db


def post(client, data, **kwargs):
    return client.post("/submissions/new/", form_post(data, **kwargs))


def test_the_form_needs_an_account(client, categories):
    response = client.get("/submissions/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/submissions/new/")


def test_the_blank_form_has_a_method_with_record_rows(submitter_client, categories):
    html = submitter_client.get("/submissions/new/").content.decode()
    assert 'name="methods-0-kind"' in html
    assert 'name="methods-0-records-1-host"' in html  # two blank record rows
    assert 'name="methods-0-parameters-0-name"' in html
    assert 'name="docs-0-url"' in html
    assert "Transactional email" in html  # categories from the database


def test_preview_renders_the_entry_as_the_public_page_would(submitter_client, categories):
    response = post(submitter_client, new_vendor_data(), action="preview")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="preview"' in html
    assert "<h1>PostLark</h1>" in html
    assert "s1._domainkey.<var>{domain}</var>" in html
    assert "Full DMARC alignment (SPF and DKIM)" in html
    assert not Submission.objects.exists()  # a preview saves nothing


def test_a_record_host_without_domain_is_shown_beside_that_field(submitter_client, categories):
    data = new_vendor_data()
    data["methods"][0]["records"][1]["host"] = "bounce.example.net"
    response = post(submitter_client, data)
    assert response.status_code == 200
    form = response.context["form"]
    record = form.methods.forms[0].records.forms[1]
    assert record.errors["host"] == ["Must contain {domain} (records live in the customer's zone)."]
    html = response.content.decode()
    assert "Please correct 1 problem" in html
    assert 'href="#id_methods-0-records-1-host"' in html
    assert not Submission.objects.exists()


def test_errors_map_to_the_form_row_even_after_blank_rows(submitter_client, categories):
    data = new_vendor_data()
    post_data = form_post(data)
    # Put the second record in row 3, leaving row 2 blank: the validator says records[1].
    for key in ("id", "type", "host", "value", "purpose", "selector", "check", "required"):
        post_data[f"methods-0-records-3-{key}"] = post_data.pop(f"methods-0-records-1-{key}", "")
    post_data["methods-0-records-3-host"] = "no-domain-here"
    post_data["methods-0-records-count"] = "4"
    response = submitter_client.post("/submissions/new/", post_data)
    record = response.context["form"].methods.forms[0].records.forms[3]
    assert "host" in record.errors


def test_undeclared_parameters_are_refused(submitter_client, categories):
    data = new_vendor_data()
    data["methods"][0]["records"][0]["value"] = "s1.{tenant}.example.net"
    response = post(submitter_client, data)
    record = response.context["form"].methods.forms[0].records.forms[0]
    assert record.errors["value"] == ["Uses {tenant}, which is not a declared parameter."]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("website", "http://www.postlark.example/", "Must be an https URL"),
        ("website", "javascript:alert(1)", "Must be an https URL"),
        ("docs-0-url", "ftp://docs.example.net/", "Must be an https URL"),
        ("methods-0-sources", "https://ok.example/\nhttp://plain.example/", "Line 2 must be"),
        ("provenance", "", "This field is required."),
        ("provenance", "http://docs.example.net/", "Line 1 must be an https URL"),
        ("name", "x" * 101, "at most 100 characters"),
        ("summary", "", "This field is required."),
        ("methods-0-kind", "carrier-pigeon", "Select a valid choice"),
        ("last_verified", "yesterday", "Enter a valid date."),
        ("last_verified", "2999-01-01", "This date is in the future."),
        ("methods-0-records-0-priority", "-5", "greater than or equal to 0"),
        ("methods-0-parameters-0-pattern", "([a-z", "not a valid regular expression"),
        ("methods-0-parameters-0-name", "Account-ID", "lowercase letters, digits and _"),
        ("slug", "Not A Slug", "lowercase words joined by hyphens"),
    ],
)
def test_bad_input_gets_a_clear_message_beside_the_field(
    submitter_client, categories, field, value, message
):
    post_data = form_post(new_vendor_data())
    post_data[field] = value
    response = submitter_client.post("/submissions/new/", post_data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert not Submission.objects.exists()


def test_oversized_text_is_refused_with_a_clear_error(submitter_client, categories):
    post_data = form_post(new_vendor_data())
    post_data["description"] = "x" * 20_001
    response = submitter_client.post("/submissions/new/", post_data)
    assert "Ensure this value has at most 20000 characters (it has 20001)." in (
        response.content.decode()
    )


def test_too_many_rows_are_refused_with_a_clear_error(submitter_client, categories):
    post_data = form_post(new_vendor_data())
    post_data["methods-0-records-count"] = "500"
    response = submitter_client.post("/submissions/new/", post_data)
    assert "At most 20 records are accepted." in response.content.decode()
    assert not Submission.objects.exists()


def test_nothing_typed_is_lost_on_a_validation_error(submitter_client, categories):
    data = new_vendor_data(description="A long *description* the user wrote.")
    post_data = form_post(data, note="Please check the bounce domain.")
    post_data["website"] = "http://insecure.example/"
    html = submitter_client.post("/submissions/new/", post_data).content.decode()
    for typed in (
        "A long *description* the user wrote.",
        "Please check the bounce domain.",
        "http://insecure.example/",
        "s1.dkim.u{account_id}.example.net",
        "Add the records.",
        "https://docs.example.net/auth",
    ):
        assert typed in html


def test_a_blank_form_row_is_ignored(submitter_client, categories):
    response = post(submitter_client, new_vendor_data())  # form_post adds blank rows
    assert response.status_code == 302
    data = Submission.objects.get().data
    assert len(data["documentation"]) == 1
    assert len(data["methods"]) == 1
    assert len(data["methods"][0]["records"]) == 2


def test_rows_marked_for_removal_are_dropped(submitter_client, categories):
    post_data = form_post(new_vendor_data())
    post_data["methods-0-records-1-remove"] = "on"
    assert submitter_client.post("/submissions/new/", post_data).status_code == 302
    assert [r["id"] for r in Submission.objects.get().data["methods"][0]["records"]] == ["dkim-s1"]


def test_add_another_row_works_without_javascript_and_keeps_what_was_typed(
    submitter_client, categories
):
    post_data = form_post(new_vendor_data(summary="Typed summary"), extra_rows=False)
    post_data["add"] = "methods-0-records"
    response = submitter_client.post("/submissions/new/", post_data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="methods-0-records-2-host"' in html  # the new row
    assert 'name="methods-0-records-3-host"' not in html
    assert "Typed summary" in html
    assert "Please correct" not in html  # adding a row is not a submission
    assert not Submission.objects.exists()
    for target, new_field in [
        ("docs", "docs-1-url"),
        ("methods", "methods-1-kind"),
        ("methods-0-parameters", "methods-0-parameters-1-name"),
    ]:
        post_data["add"] = target
        assert (
            f'name="{new_field}"'
            in submitter_client.post("/submissions/new/", post_data).content.decode()
        )


def test_an_unknown_add_target_just_redisplays_the_form(submitter_client, categories):
    post_data = form_post(new_vendor_data())
    post_data["add"] = "../../etc/passwd"
    assert submitter_client.post("/submissions/new/", post_data).status_code == 200


def test_the_slug_defaults_to_the_name(submitter_client, categories):
    post_data = form_post(new_vendor_data(name="Post Lark Mail"))
    post_data["slug"] = ""
    assert submitter_client.post("/submissions/new/", post_data).status_code == 302
    assert Submission.objects.get().slug == "post-lark-mail"


def test_an_existing_slug_points_to_propose_changes(submitter_client, vendor):
    response = post(submitter_client, new_vendor_data("examplemail", name="Other Mail"))
    assert "Is already used by ExampleMail: propose changes to that entry instead." in (
        response.content.decode()
    )


def test_a_name_used_by_another_vendor_is_refused(submitter_client, vendor):
    response = post(submitter_client, new_vendor_data("other-mail", name="examplemail"))
    form = response.context["form"]
    assert "is already used by ExampleMail (examplemail)" in form.vendor.errors["name"][0]


def test_categories_must_exist(submitter_client, categories):
    post_data = form_post(new_vendor_data())
    post_data["categories"] = ["no-such-category"]
    response = submitter_client.post("/submissions/new/", post_data)
    assert "Select a valid choice" in response.content.decode()


def test_a_vendor_without_methods_needs_the_no_compliant_explanation(submitter_client, categories):
    data = new_vendor_data(methods=[])
    response = post(submitter_client, data)
    assert "Needs at least one method, or no_compliant_option = true." in (
        response.content.decode()
    )
    data = new_vendor_data(methods=[], no_compliant_option=True)
    response = post(submitter_client, data)
    assert response.context["form"].vendor.errors["no_compliant_explanation"] == [
        "Is required when no_compliant_option = true."
    ]


def test_a_slug_made_from_an_odd_name_is_still_valid(submitter_client, categories):
    post_data = form_post(new_vendor_data(name="Café_Mail™ & <Co>"))
    post_data["slug"] = ""
    assert submitter_client.post("/submissions/new/", post_data).status_code == 302
    assert Submission.objects.get().slug == "cafe-mailtm-co"


def test_a_request_too_large_to_read_gets_a_clear_page(categories, submitter):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(submitter)
    client.get("/submissions/new/")
    post_data = form_post(new_vendor_data())
    post_data["csrfmiddlewaretoken"] = client.cookies["csrftoken"].value
    post_data["description"] = "x" * 3_000_000
    response = client.post("/submissions/new/", post_data)
    assert response.status_code == 400
    assert "What was sent was malformed or too large" in response.content.decode()
    assert not Submission.objects.exists()


def test_to_data_reads_the_posted_form_only(categories, django_assert_num_queries):
    from django.http import QueryDict

    from sources.forms.submissions import EntryForm

    posted = QueryDict(mutable=True)
    for key, value in form_post(new_vendor_data()).items():
        posted.setlist(key, value if isinstance(value, list) else [value])
    form = EntryForm(posted, categories=[("transactional-email", "Transactional email")])
    assert form.is_valid(), form.error_summary()
    with django_assert_num_queries(0):
        first = form.to_data()
        second = form.to_data()
    assert first == second
    assert first["slug"] == "postlark"
    assert [r["id"] for r in first["methods"][0]["records"]] == ["dkim-s1", "bounce"]
    assert form.error_summary() == []  # nothing on the form changed
