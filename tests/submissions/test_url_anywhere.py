"""Documentation and source fields take a URL anywhere in a line, as people paste them."""

import pytest
from django import forms

from sources.forms.entryrows import DocumentationForm, url_lines, urls_in_line
from sources.models import Submission
from tests.factories import new_vendor_data
from tests.submissions.helpers import form_post


@pytest.mark.parametrize(
    ("line", "urls"),
    [
        ("https://docs.example.net/dkim", ["https://docs.example.net/dkim"]),
        ("Setup guide: https://docs.example.net/dkim", ["https://docs.example.net/dkim"]),
        ("See https://docs.example.net/a.", ["https://docs.example.net/a"]),
        ("(https://docs.example.net/a)", ["https://docs.example.net/a"]),
        ("https://en.example.org/wiki/X_(mail)", ["https://en.example.org/wiki/X_(mail)"]),
        (
            "DKIM https://a.example/x, bounces https://b.example/y",
            ["https://a.example/x", "https://b.example/y"],
        ),
        ("no link here", []),
    ],
)
def test_urls_are_found_anywhere_in_a_line(line, urls):
    assert urls_in_line(line) == urls


def test_a_text_with_labels_gives_its_urls_in_order_without_repeats():
    text = (
        "Setup guide: https://docs.example.net/dkim\r\n\r\n"
        "Bounces -> https://docs.example.net/rp\nAgain: https://docs.example.net/dkim"
    )
    assert url_lines(text, limit=5, what="sources") == [
        "https://docs.example.net/dkim",
        "https://docs.example.net/rp",
    ]


def test_each_bad_line_is_named():
    with pytest.raises(forms.ValidationError) as caught:
        url_lines(
            "Guide: https://ok.example/\nour docs\nOld: http://old.example/",
            limit=5,
            what="sources",
        )
    assert caught.value.messages == [
        "Line 2 has no https URL.",
        "Line 3 must be an https URL, not 'http://old.example/'.",
    ]


def test_the_limit_counts_urls_not_lines():
    text = "\n".join(f"Page {i}: https://docs.example.net/{i}" for i in range(4))
    with pytest.raises(forms.ValidationError, match="At most 3 sources"):
        url_lines(text, limit=3, what="sources")


def test_a_documentation_link_keeps_only_its_url():
    form = DocumentationForm(
        data={"d-title": "Guide", "d-url": "Setup guide: https://docs.example.net/x"}, prefix="d"
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["url"] == "https://docs.example.net/x"


@pytest.mark.django_db
def test_the_entry_form_accepts_labelled_source_lines(submitter_client, categories):
    data = new_vendor_data()
    post = form_post(data, provenance=["Domain guide: https://docs.example.net/auth"])
    post["methods-0-sources"] = "Authenticate your domain: " + data["methods"][0]["sources"][0]
    response = submitter_client.post("/submissions/new/", post)
    assert response.status_code == 302, response.context["errors"]
    submission = Submission.objects.get()
    assert submission.provenance == ["https://docs.example.net/auth"]
    assert submission.data["methods"][0]["sources"] == data["methods"][0]["sources"]
