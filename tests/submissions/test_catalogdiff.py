"""Field-by-field differences between two entries (pure functions)."""

import datetime as dt

from sources.catalogdiff import FieldChange, diff_entries, display, flatten, real_changes, word_diff
from tests.factories import dkim_txt_method, spf_include_method, vendor_data


def test_identical_entries_have_no_changes():
    assert diff_entries(vendor_data(), vendor_data()) == []


def test_a_changed_field_is_reported_with_a_readable_label():
    old, new = vendor_data(), vendor_data()
    new["methods"][0]["records"][1]["host"] = "return.{domain}"
    [change] = diff_entries(old, new)
    assert change.path == "methods[0].records[1].host"
    assert change.label == "Method 1 › Record bounce › Host"
    assert (change.old, change.new, change.kind) == (
        "bounce.{domain}",
        "return.{domain}",
        "changed",
    )


def test_an_added_or_removed_row_is_one_change_showing_the_whole_row():
    old, new = vendor_data(), vendor_data()
    new["documentation"].append({"title": "More", "url": "https://docs.example.net/more"})
    del new["methods"][0]["records"][1]
    added, removed = diff_entries(old, new)
    assert (added.path, added.kind, added.label) == (
        "documentation[1]",
        "added",
        "Documentation link 2",
    )
    assert added.new == "Title: More\nURL: https://docs.example.net/more"
    assert (removed.path, removed.kind, removed.label) == (
        "methods[0].records[1]",
        "removed",
        "Method 1 › Record bounce",
    )
    assert "Host: bounce.{domain}" in removed.old.splitlines()


def test_a_record_inserted_first_does_not_shift_the_others_into_changes():
    old, new = vendor_data(), vendor_data()
    new["methods"][0]["records"].insert(
        0,
        {
            "id": "click",
            "type": "CNAME",
            "host": "click.{domain}",
            "value": "t.example.net",
            "purpose": "tracking",
        },
    )
    new["methods"][0]["records"][2]["value"] = "bounce.example.org"
    changes = diff_entries(old, new)
    assert [(c.label, c.kind) for c in changes] == [
        ("Method 1 › Record click", "added"),
        ("Method 1 › Record bounce › Value", "changed"),
    ]


def test_methods_are_matched_by_kind_and_parameters_by_name():
    old = vendor_data(methods=[dkim_txt_method(), spf_include_method()])
    new = vendor_data(methods=[spf_include_method(steps="Merge the include."), dkim_txt_method()])
    [change] = diff_entries(old, new)
    assert (change.label, change.old, change.new) == (
        "Method 1 › Steps",
        "Add the include.",
        "Merge the include.",
    )


def test_line_endings_and_trailing_spaces_are_not_changes():
    old = vendor_data(description="Sends receipts.\n\nAnd resets.")
    new = vendor_data(description="Sends receipts.  \r\n\r\nAnd resets.\r\n")
    new["methods"][0]["steps"] = old["methods"][0]["steps"].replace("\n", "\r\n") + " \r\n"
    assert diff_entries(old, new) == []


def test_stored_spacing_only_changes_are_left_out_of_the_count():
    stored = [
        {"path": "description", "label": "Description", "old": "A\nB", "new": "A\r\nB "},
        {"path": "summary", "label": "Summary", "old": "Old.", "new": "New."},
    ]
    assert [c.label for c in real_changes(stored)] == ["Summary"]


def test_long_text_is_compared_word_by_word():
    old = "Create the two CNAME records below, then click Verify in the dashboard settings."
    new = "Create the three CNAME records below, then click Verify in the dashboard settings."
    removed, inserted = word_diff(old, new)
    assert [text for marked, text in removed if marked] == ["two"]
    assert [text for marked, text in inserted if marked] == ["three"]
    assert "".join(text for _, text in inserted) == new
    change = FieldChange("description", "Description", old, new)
    assert change.word_level
    assert not FieldChange("name", "Name", "Old", "New").word_level


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
