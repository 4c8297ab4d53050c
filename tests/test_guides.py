"""Guides render with a table of contents, are searchable, and link only to real pages."""

import re

import pytest
from django.core.management import call_command

from sources.guides import all_guides, search_guides

pytestmark = pytest.mark.django_db

LINK_RE = re.compile(r"\]\((/[^)\s#]*)(?:#[^)]*)?\)")


@pytest.fixture
def catalog():
    call_command("import_catalog")


def test_the_guides_index_lists_every_guide(client):
    html = client.get("/guides/").content.decode()
    assert len(all_guides()) >= 7
    for guide in all_guides():
        assert guide.get_absolute_url() in html


@pytest.mark.parametrize("guide", all_guides(), ids=lambda g: g.slug)
def test_each_guide_renders_with_contents(client, guide):
    html = client.get(guide.get_absolute_url()).content.decode()
    assert '<nav class="toc"' in html
    assert "<script" not in html.split("</head>")[1]


@pytest.mark.parametrize("guide", all_guides(), ids=lambda g: g.slug)
def test_internal_links_lead_somewhere(client, catalog, guide):
    for path in set(LINK_RE.findall(guide.body)):
        if path.startswith("/static/"):
            continue
        response = client.get(path)
        assert response.status_code in (200, 302), f"{guide.slug} links to {path}"


def test_guides_are_found_by_the_site_search(client):
    assert search_guides("tree walk")
    html = client.get("/search/", {"q": "alignment"}).content.decode()
    assert "/guides/" in html
