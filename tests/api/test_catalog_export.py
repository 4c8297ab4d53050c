"""GET /api/v1/catalog.json: the published catalog in the catalog files' own form, licensed."""

import json

import pytest

from sources.catalogfile import load_catalog
from sources.services.catalog import catalog_export

pytestmark = pytest.mark.django_db


def as_json(data):
    return json.loads(json.dumps(data, default=str))


def test_it_holds_what_the_exported_catalog_files_hold(anonymous, catalog, tmp_path):
    body = anonymous.get("/api/v1/catalog.json").json()
    catalog_export(path=tmp_path)
    categories, vendors = load_catalog(tmp_path)
    assert body["categories"] == categories
    published = [vendor for vendor in vendors if vendor["published"]]
    assert body["vendors"] == as_json(published)


def test_unpublished_vendors_are_left_out(anonymous, catalog):
    slugs = [v["slug"] for v in anonymous.get("/api/v1/catalog.json").json()["vendors"]]
    assert slugs == ["helpy", "oldmail", "postmark", "sendgrid"]


def test_it_states_the_data_licence(anonymous, catalog):
    response = anonymous.get("/api/v1/catalog.json")
    assert response.json()["license"] == {
        "name": "CC BY 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
        "attribution": "Email sources directory contributors",
    }
    assert response["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'


def test_an_empty_catalog_exports_empty_lists(anonymous, db):
    body = anonymous.get("/api/v1/catalog.json").json()
    assert (body["categories"], body["vendors"]) == ([], [])
