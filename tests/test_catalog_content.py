"""The shipped catalog: every file valid, every fact cited, the rules of FORMAT.md kept."""

import re

import pytest

from sources.catalogfile import load_catalog, placeholders

CATEGORIES, VENDORS = load_catalog()


def test_the_catalog_is_large_and_broad():
    assert len(VENDORS) >= 150
    used = {c for v in VENDORS for c in v["categories"]}
    assert len(used) >= 12


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda v: v["slug"])
def test_each_vendor_is_cited_and_complete(vendor):
    assert vendor["documentation"], "cites at least one documentation page"
    for doc in vendor["documentation"]:
        assert doc["url"].startswith("https://")
    assert vendor["methods"] or (
        vendor["no_compliant_option"] and vendor["no_compliant_explanation"]
    )
    for method in vendor["methods"]:
        assert method["sources"]
        declared = {p["name"] for p in method["parameters"]} | {"domain"}
        for record in method["records"]:
            for field in ("host", "value", "selector"):
                assert placeholders(record[field]) <= declared, (record["id"], field)
            if record["purpose"] == "dkim":
                assert record["selector"], record["id"]
                # A target rule: an exact value, a pattern, or a DKIM key check.
                assert record["value"] or record["pattern"] or record["check"] == "dkim-key"
            if record["pattern"]:
                re.compile(record["pattern"])


def test_slugs_are_common_names():
    for vendor in VENDORS:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", vendor["slug"])
