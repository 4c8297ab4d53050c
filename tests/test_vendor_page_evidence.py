"""The vendor page shows each fact's evidence and each route's documented state."""

import re

import pytest

from tests.factories import dkim_cname_method, make_vendor

pytestmark = pytest.mark.django_db

GUIDES = ["https://guide-one.example.org/acme", "https://guide-two.example.org/acme"]


def bounce_with_its_own_sources():
    return {
        "id": "bounce",
        "type": "CNAME",
        "host": "bounce.{domain}",
        "value": "u{account_id}.bounces.example.net",
        "purpose": "return-path",
        "sources": GUIDES,
        "evidence": "secondary",
    }


@pytest.fixture
def page(client):
    method = dkim_cname_method()
    method["records"] = [method["records"][0], bounce_with_its_own_sources()]
    make_vendor("acme", name="Acme", methods=[method])
    return client.get("/vendors/acme/").content.decode()


def rows(html: str) -> list[str]:
    return re.findall(r"<tr>.*?</tr>", html, flags=re.S)[1:]  # after the header row


def test_each_record_shows_its_evidence_badge_and_sources(page):
    dkim, bounce = rows(page)
    # The DKIM record cites nothing of its own: its method's page backs it.
    assert "Vendor docs</span>" in dkim
    assert 'href="https://docs.example.net/auth"' in dkim
    # The bounce record cites two guides that agree: secondary evidence, both linked.
    assert "Secondary sources</span>" in bounce
    assert all(f'href="{url}"' in bounce for url in GUIDES)
    assert "https://docs.example.net/auth" not in bounce


def test_the_method_shows_its_evidence_tier_beside_its_sources(page):
    sources = re.search(r'<p class="sources">.*?</p>', page, flags=re.S).group(0)
    assert "badge-evidence evidence-vendor-docs" in sources
    assert 'href="https://docs.example.net/auth"' in sources


def test_parameter_examples_are_marked_as_examples(page):
    params = re.search(r'<dl class="params">.*?</dl>', page, flags=re.S).group(0)
    assert "e.g. <code" in params and "1234</code>" in params
    assert "(example, not your value)" in params


def test_a_route_nobody_documented_is_shown_as_not_documented(client):
    make_vendor("keyonly", methods=[dkim_cname_method(records=[dkim_cname_method()["records"][0]])])
    html = client.get("/vendors/keyonly/").content.decode()
    assert "DKIM alignment only" in html
    routes = re.search(r'<dl class="routes">.*?</dl>', html, flags=re.S).group(0)
    spf = routes.split("<dt>")[1]
    assert spf.startswith("SPF alignment") and "Not documented" in spf
    assert "Possible through" not in spf


def test_an_entry_with_nothing_documented_is_labelled_unknown(client):
    tracking = {
        "id": "links",
        "type": "CNAME",
        "host": "links.{domain}",
        "value": "track.example.net",
        "purpose": "tracking",
    }
    make_vendor("tracker", methods=[dkim_cname_method(parameters=[], records=[tracking])])
    html = client.get("/vendors/tracker/").content.decode()
    assert '<span class="badge badge-unknown">Unknown</span>' in html
