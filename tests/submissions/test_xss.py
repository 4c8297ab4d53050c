"""Script payloads in every text field and in the Markdown render inert everywhere."""

import re
from html.parser import HTMLParser

import pytest

from sources.services.submissions import (
    submission_approve,
    submission_create,
    submission_request_changes,
)
from tests.submissions.helpers import XSS, form_post, xss_vendor_data

pytestmark = pytest.mark.django_db


class LiveMarkup(HTMLParser):
    """Collects markup that a browser would act on: script, handlers, script URLs."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not (attrs.get("src") or "").startswith("/static/"):
            self.found.append(f"<script> {attrs}")
        if tag in ("iframe", "object", "embed", "svg"):
            self.found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith(("javascript:", "data:text")):
                self.found.append(f"<{tag} {name}={value!r}>")


def assert_inert(html: str) -> None:
    parser = LiveMarkup()
    parser.feed(html)
    assert not parser.found, parser.found


@pytest.fixture
def published_xss(submitter, moderator, categories):
    submission = submission_create(
        user=submitter,
        data=xss_vendor_data(),
        provenance=["https://docs.example.net/x"],
        note="Note " + XSS,
    )
    submission_approve(submission=submission, moderator=moderator, comment="Comment " + XSS)
    submission.refresh_from_db()
    return submission


def test_the_payload_entry_passes_validation(published_xss):
    """Validation accepts the text (it is text): rendering must make it harmless."""
    assert published_xss.vendor.name.startswith("XSS <script>")


@pytest.mark.parametrize(
    "url",
    [
        "/vendors/xss-vendor/",
        "/vendors/xss-vendor/history/",
        "/vendors/xss-vendor/history/1/",
        "/search/?q=xss",
        "/categories/transactional-email/",
    ],
)
def test_public_pages_render_the_payloads_inert(client, published_xss, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html or url.startswith(
        ("/search", "/categories")
    )
    assert_inert(html)


def test_the_submitters_pages_render_the_payloads_inert(submitter_client, published_xss):
    for url in ("/submissions/", f"/submissions/{published_xss.pk}/"):
        assert_inert(submitter_client.get(url).content.decode())


def test_the_preview_renders_the_payloads_inert(submitter_client, categories):
    response = submitter_client.post(
        "/submissions/new/", form_post(xss_vendor_data("xss-two"), action="preview")
    )
    html = response.content.decode()
    assert 'class="preview"' in html
    assert_inert(html)


def test_a_form_redisplayed_with_errors_renders_the_payloads_inert(submitter_client, categories):
    post = form_post(xss_vendor_data("xss-three"))
    post["website"] = "http://x.example/" + XSS
    html = submitter_client.post("/submissions/new/", post).content.decode()
    assert "Please correct" in html
    assert_inert(html)


def test_the_admin_review_renders_the_payloads_inert(client, moderator, submitter, categories):
    submission = submission_create(
        user=submitter,
        data=xss_vendor_data("xss-four"),
        provenance=["https://docs.example.net/x"],
        note="Note " + XSS,
    )
    submission_request_changes(submission=submission, moderator=moderator, comment=XSS)
    client.force_login(moderator)
    html = client.get(f"/admin/sources/submission/{submission.pk}/change/").content.decode()
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    body = html.split("<body", 1)[1]
    assert "<script>window.__xss" not in body
    assert not re.search(r"<img src=x onerror", body)
    parser = LiveMarkup()
    parser.feed(body)
    assert not [f for f in parser.found if "__xss" in f], parser.found


def test_a_report_note_renders_inert_in_the_admin(client, moderator, vendor):
    client.post("/vendors/examplemail/report/", {"note": XSS})
    client.force_login(moderator)
    html = client.get("/admin/sources/report/").content.decode()
    assert "<script>window.__xss" not in html and "&lt;script&gt;" in html


def test_markdown_links_are_restricted_to_http(client, published_xss):
    html = client.get("/vendors/xss-vendor/").content.decode()
    assert "javascript:" not in html.split('<article class="vendor">', 1)[1].split("</article>")[0]
