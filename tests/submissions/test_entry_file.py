"""Loading a TOML or JSON entry file into the advanced form: the API's parser rules and
limits, errors that name the field, and nothing the form does not show is lost."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sources.catalogfile import dump_vendor, validate_vendor
from sources.models import Submission
from sources.uploads import MAX_UPLOAD_BYTES
from tests.factories import make_vendor, new_vendor_data, vendor_data
from tests.submissions.helpers import form_post
from tests.submissions.pageform import page_form

pytestmark = pytest.mark.django_db

DOCS = "https://docs.example.net/auth"


def rich_data(slug: str = "postlark", **overrides) -> dict:
    """An entry using fields the form has no inputs for: evidence tiers, stated routes,
    known selectors, a record's own sources, a cited "no", related entries."""
    data = vendor_data(slug, name=overrides.pop("name", "PostLark"), **overrides)
    method = data["methods"][0]
    method["evidence"] = "secondary"
    method["sources"] = [DOCS, "https://guides.example.org/postlark"]
    method["aligns"] = ["dkim"]
    record = method["records"][0]
    record["known_selectors"] = ["s1", "s2"]
    record["sources"] = ["https://docs.example.net/dkim"]
    data["not_aligned"] = [
        {"route": "spf", "sources": ["https://docs.example.net/bounces"], "note": "Fixed bounces."}
    ]
    return data


def load(client, content: bytes, filename: str, url="/submissions/new/", **typed):
    post = {**typed, "action": "load", "entry_file": SimpleUploadedFile(filename, content)}
    return client.post(url, post)


def toml_of(data: dict) -> bytes:
    return dump_vendor(validate_vendor(data, source="test")).encode()


def test_a_toml_file_fills_the_form_and_shows_the_preview(submitter_client, categories):
    response = load(submitter_client, toml_of(rich_data()), "postlark.toml")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Loaded postlark.toml" in html
    assert 'value="PostLark"' in html
    assert '<div class="preview-frame">' in html
    assert not Submission.objects.exists()  # loading submits nothing


def test_a_loaded_file_submits_exactly_what_it_holds(submitter_client, categories):
    data = rich_data()
    html = load(submitter_client, toml_of(data), "postlark.toml").content.decode()
    post = page_form(html, "entry-form")
    post["action"] = "submit"
    response = submitter_client.post("/submissions/new/", post)
    assert response.status_code == 302, response.context["errors"]
    saved = Submission.objects.get()
    method = saved.data["methods"][0]
    assert method["evidence"] == "secondary"
    assert method["aligns"] == ["dkim"]
    assert method["records"][0]["known_selectors"] == ["s1", "s2"]
    assert method["records"][0]["sources"] == ["https://docs.example.net/dkim"]
    assert saved.data["not_aligned"][0]["note"] == "Fixed bounces."
    # A catalog file has no submission sources: the pages it cites are offered.
    assert DOCS in saved.provenance


def test_a_json_api_body_brings_its_sources_and_note(submitter_client, categories):
    body = {
        "entry": {**new_vendor_data(), "last_verified": "2026-11-01"},
        "provenance": ["https://docs.example.net/why"],
        "note": "I am PostLark's product manager.",
    }
    response = load(submitter_client, json.dumps(body).encode(), "entry.json")
    form = response.context["form"]
    assert form.vendor.initial["provenance"] == "https://docs.example.net/why"
    assert form.vendor.initial["note"] == "I am PostLark's product manager."


def test_a_file_with_a_bad_field_is_refused_naming_that_field(submitter_client, categories):
    data = new_vendor_data()
    data["methods"][0]["records"][1]["host"] = "bounce.example.net"
    typed = form_post(new_vendor_data(name="Typed Before"), action="load")
    response = load(
        submitter_client, json.dumps(data, default=str).encode(), "postlark.json", **typed
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "postlark.json was not loaded: methods[0].records[1].host: must contain {domain} "
        "(records live in the customer&#x27;s zone)." in html
    )
    assert 'id="id_entry_file_error"' in html and 'aria-invalid="true"' in html
    assert 'value="Typed Before"' in html  # what was typed is kept
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            b'name = "PostLark"\nslug = \n',
            "postlark.toml",
            "postlark.toml could not be read: "
            "it is not valid TOML (Invalid value (at line 2, column 8)).",
        ),
        (b'{"name": NaN}', "postlark.json", "it is not valid JSON (NaN is not valid JSON)"),
        (b"[" * 40 + b"]" * 40, "deep.json", "nested deeper than 32 levels"),
        (b'["a list"]', "list.json", "list.json must hold one entry (a table or an object)."),
        (b"\xff\xfe", "postlark.toml", "postlark.toml is not UTF-8 text."),
        (b"  \n", "postlark.toml", "postlark.toml is empty."),
        (b'{"slug": "x"}', "x.json", "x.json was not loaded: name: is required."),
    ],
)
def test_an_unreadable_file_gets_a_clear_message(
    submitter_client, categories, content, name, message
):
    response = load(submitter_client, content, name)
    assert response.status_code == 200
    assert message in response.context["load_error"]


def test_an_oversized_file_is_refused_with_the_limit(submitter_client, categories):
    content = b"# " + b"x" * MAX_UPLOAD_BYTES + b"\n"
    response = load(submitter_client, content, "huge.toml")
    assert response.context["load_error"] == (
        f"huge.toml is {len(content):,} bytes; an entry file may be at most "
        f"{MAX_UPLOAD_BYTES:,} bytes."
    )


def test_loading_without_a_file_asks_for_one(submitter_client, categories):
    response = submitter_client.post("/submissions/new/", {"action": "load"})
    assert response.context["load_error"] == "Choose a .toml or .json entry file to load."


def test_proposing_changes_keeps_the_fields_the_form_does_not_show(submitter_client, categories):
    make_vendor("examplemail", **{k: v for k, v in rich_data("examplemail").items() if k != "slug"})
    html = submitter_client.get("/vendors/examplemail/propose/").content.decode()
    post = page_form(html, "entry-form")
    post.update(action="preview", provenance=f"The guide: {DOCS}")
    response = submitter_client.post("/vendors/examplemail/propose/", post)
    assert not response.context.get("errors"), response.context["errors"]
    assert response.context["changes"] == []  # nothing changed, nothing reported as changed
    post["summary"] = "A new summary."
    response = submitter_client.post("/vendors/examplemail/propose/", post)
    assert [c.path for c in response.context["changes"]] == ["summary"]


def test_an_altered_hidden_field_is_refused(submitter_client, categories):
    post = form_post(new_vendor_data(), action="preview")
    post["methods-0-kept"] = '{"published": true}'
    response = submitter_client.post("/submissions/new/", post)
    record_errors = response.context["form"].methods.forms[0].errors
    assert record_errors["kept"] == [
        "Hidden catalog fields were altered: reload the entry and make the change again."
    ]
