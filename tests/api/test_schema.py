"""The OpenAPI schema: valid without a warning, described, with examples."""

import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

CATALOG_PATHS = [
    "/api/v1/vendors",
    "/api/v1/vendors/{slug}",
    "/api/v1/categories",
    "/api/v1/method-kinds",
    "/api/v1/lookup",
    "/api/v1/catalog.json",
]


@pytest.fixture
def schema(anonymous):
    response = anonymous.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_validates_without_warnings(tmp_path):
    # Raises (and fails the test) on any error or warning.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yaml")
    assert (tmp_path / "s.yaml").read_text().startswith("openapi: 3.0.3")


def test_it_is_served_as_yaml_by_default(anonymous):
    response = anonymous.get("/api/v1/schema/")
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")


def test_every_catalog_operation_is_described_with_its_errors(schema):
    for path in CATALOG_PATHS:
        operation = schema["paths"][path]["get"]
        assert operation["summary"] and operation["description"], path
        assert {"200", "304", "400", "401", "406", "429"} <= set(operation["responses"]), path
        error = operation["responses"]["400"]["content"]
        assert list(error) == ["application/json"]  # errors are JSON whatever the format
        assert error["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_lists_offer_csv(schema):
    for path in ("/api/v1/vendors", "/api/v1/categories", "/api/v1/method-kinds"):
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert set(content) == {"application/json", "text/csv"}


def test_parameters_are_documented_with_examples(schema):
    vendors = schema["paths"]["/api/v1/vendors"]["get"]
    names = {p["name"]: p for p in vendors["parameters"]}
    assert {"q", "category", "method", "capability", "has_spf_route", "has_dkim_route"} <= set(
        names
    )
    assert {"updated_since", "ordering", "page", "page_size", "format"} <= set(names)
    assert names["page_size"]["schema"]["maximum"] == 100
    assert all(p.get("description") for p in vendors["parameters"])
    lookup = {p["name"]: p for p in schema["paths"]["/api/v1/lookup"]["get"]["parameters"]}
    assert lookup["name"]["examples"]
    assert vendors["responses"]["200"]["content"]["application/json"]["examples"]


def test_token_authentication_is_documented(schema):
    assert schema["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"
