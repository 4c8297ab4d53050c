"""The search selector tolerates typos and spacing, on SQLite and PostgreSQL alike."""

import pytest

from sources.models import Vendor
from sources.selectors import VendorFilters, catalog_search
from tests.factories import make_vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    make_vendor("sendgrid", name="SendGrid", aliases=["Twilio SendGrid"])
    make_vendor("zendesk", name="Zendesk", categories=["helpdesk"])
    make_vendor("microsoft-365", name="Microsoft 365", aliases=["Office 365", "Exchange Online"])
    make_vendor("mailgun", name="Mailgun", summary="Email API for developers.")
    make_vendor("mailjet", name="Mailjet", published=False)


def names(query, **filters):
    ids = catalog_search(query=query, filters=VendorFilters(**filters)).ids
    by_id = dict(Vendor.objects.values_list("id", "name"))
    return [by_id[i] for i in ids]


def test_a_misspelt_name_finds_the_vendor(catalog):
    assert names("sendgird")[0] == "SendGrid"


def test_spacing_inside_a_name_is_tolerated(catalog):
    assert names("zen desk")[0] == "Zendesk"


def test_aliases_are_searched(catalog):
    assert names("office 365")[0] == "Microsoft 365"


def test_case_and_punctuation_do_not_matter(catalog):
    assert names("  SENDGRID!! ")[0] == "SendGrid"


def test_a_prefix_finds_the_vendor(catalog):
    assert names("mailg")[0] == "Mailgun"


def test_summaries_are_searched_too(catalog):
    assert "Mailgun" in names("developers")


def test_unpublished_vendors_are_never_found(catalog):
    assert "Mailjet" not in names("mailjet")


def test_filters_narrow_the_results(catalog):
    assert names("zendesk", category="helpdesk") == ["Zendesk"]
    assert names("sendgrid", category="helpdesk") == []


def test_no_query_lists_every_published_vendor_by_name(catalog):
    assert catalog_search(query="   ").query == ""
    assert names("   ") == ["Mailgun", "Microsoft 365", "SendGrid", "Zendesk"]


@pytest.mark.parametrize(
    "query", ["x" * 10_000, "<script>alert(1)</script>", "' OR 1=1 --", "📧✉️", "%_\\", "\x00"]
)
def test_hostile_queries_return_normally(catalog, query):
    assert isinstance(catalog_search(query=query).ids, list)
