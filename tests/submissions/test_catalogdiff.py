"""Field-by-field differences between two entries (pure functions)."""

import datetime as dt

from sources.catalogdiff import diff_entries, display, flatten
from tests.factories import vendor_data


def test_identical_entries_have_no_changes():
    assert diff_entries(vendor_data(), vendor_data()) == []


def test_a_changed_field_is_reported_with_a_readable_label():
    old, new = vendor_data(), vendor_data()
    new["methods"][0]["records"][1]["host"] = "return.{domain}"
    [change] = diff_entries(old, new)
    assert change.path == "methods[0].records[1].host"
    assert change.label == "Method 1 › Record 2 › Host"
    assert (change.old, change.new, change.kind) == (
        "bounce.{domain}",
        "return.{domain}",
        "changed",
    )


def test_added_and_removed_rows():
    old, new = vendor_data(), vendor_data()
    new["documentation"].append({"title": "More", "url": "https://docs.example.net/more"})
    del new["methods"][0]["records"][1]
    changes = {c.path: c.kind for c in diff_entries(old, new)}
    assert changes["documentation[1].url"] == "added"
    assert changes["methods[0].records[1].host"] == "removed"


def test_lists_dates_and_booleans_display_as_text():
    assert display(["a", "b"]) == "a\nb"
    assert display(dt.date(2026, 1, 2)) == "2026-01-02"
    assert display(True) == "yes" and display(None) == ""


def test_json_and_python_dates_compare_equal():
    stored = {**vendor_data(), "last_verified": "2026-11-01"}
    assert diff_entries(stored, vendor_data()) == []


def test_a_new_entry_lists_every_filled_field():
    paths = [c.path for c in diff_entries(None, vendor_data())]
    assert paths[0] == "slug"
    assert "methods[0].records[0].selector" in paths
    assert "methods[0].records[1].selector" not in paths  # empty fields are left out


def test_flatten_keeps_reading_order():
    keys = list(flatten(vendor_data()))
    assert keys.index("name") < keys.index("documentation[0].title") < keys.index("methods[0].kind")
