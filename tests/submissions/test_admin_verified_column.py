"""The moderation queue's "Verified vendor" column: right per row, read in one query per page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sources.models import DomainVerification, Submission
from sources.services.submissions import submission_create
from tests.factories import make_domain_verification, make_user, new_vendor_data
from tests.submissions.helpers import SOURCES

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/sources/submission/"


def make_submissions(count: int, *, start: int = 0, verified_every: int = 2) -> dict[int, bool]:
    """`count` submissions from as many submitters; every other one verified its domain."""
    expected = {}
    for i in range(start, start + count):
        user = make_user(f"pm{i}@vendor{i}.example")
        slug = f"vendor{i}"
        submission = submission_create(
            user=user,
            data=new_vendor_data(slug, name=f"Vendor {i}", website=f"https://www.{slug}.example/"),
            provenance=SOURCES,
        )
        verified = i % verified_every == 0
        make_domain_verification(user, f"{slug}.example", verified=verified)
        expected[submission.pk] = verified
    return expected


def column(html: str) -> dict[int, bool]:
    """Submission pk -> the boolean icon shown in its "verified" cell."""
    shown = {}
    for row in html.split("<tr>"):
        pk = re.search(r'name="_selected_action" value="(\d+)"', row)
        if pk:
            cell = re.search(r'<td class="field-verified"><img[^>]*alt="(True|False)"', row)
            shown[int(pk.group(1))] = cell.group(1) == "True"
    return shown


def queue(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    verifications = [q for q in queries if "sources_domainverification" in q["sql"]]
    return response.content.decode(), len(verifications), len(queries)


def test_the_column_says_which_submitters_verified_their_vendor_domain(
    moderator_client, categories
):
    expected = make_submissions(4)
    html, _, _ = queue(moderator_client)
    assert column(html) == expected


def test_the_column_costs_one_query_whatever_the_page_size(moderator_client, categories):
    make_submissions(2)
    _, verification_queries_small, total_small = queue(moderator_client)
    make_submissions(10, start=2)
    html, verification_queries_big, total_big = queue(moderator_client)
    assert len(column(html)) == Submission.objects.count() == 12
    assert verification_queries_small == verification_queries_big == 1
    assert total_big == total_small


def test_another_users_verification_of_the_same_domain_does_not_count(moderator_client, categories):
    [pk] = make_submissions(1, verified_every=2)
    submission = Submission.objects.get(pk=pk)
    DomainVerification.objects.filter(user=submission.submitter).delete()
    stranger = make_user("someone@else.example")
    make_domain_verification(stranger, "vendor0.example")
    html, _, _ = queue(moderator_client)
    assert column(html) == {pk: False}


def test_the_review_page_shows_the_same_answer(moderator_client, categories):
    expected = make_submissions(2)
    for pk, verified in expected.items():
        html = moderator_client.get(f"{CHANGELIST}{pk}/change/").content.decode()
        field = re.search(r'field-verified.*?alt="(True|False)"', html, re.S)
        assert field and (field.group(1) == "True") is verified
