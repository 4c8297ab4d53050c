"""A check's setup: one method ordering, one default method, the method picked once."""

import pytest

from sources.checker.setup import (
    UnknownMethod,
    best_first,
    check_setup,
    default_method,
    pick_method,
)
from tests.checker.helpers import POSTLARK

METHODS = [
    {"kind": "no-order"},
    {"kind": "second", "order": 2},
    {"kind": "first", "order": 1},
    {"kind": "recommended-late", "order": 9, "recommended": True},
]


def test_methods_are_ordered_recommended_first_then_by_order_and_unordered_last():
    kinds = [method["kind"] for method in best_first(METHODS)]
    assert kinds == ["recommended-late", "first", "second", "no-order"]


def test_equal_methods_keep_their_catalog_position():
    methods = [{"kind": "a", "order": 1}, {"kind": "b", "order": 1}]
    assert [m["kind"] for m in best_first(methods)] == ["a", "b"]


def test_the_default_method_is_the_best_one_and_the_checker_uses_it():
    vendor = {"slug": "x", "name": "X", "methods": METHODS}
    assert default_method(vendor)["kind"] == "recommended-late"
    assert pick_method(vendor, None).kind == "recommended-late"
    assert default_method({"slug": "x", "methods": []}) is None


def test_an_unknown_method_names_the_vendors_methods_best_first():
    with pytest.raises(UnknownMethod) as caught:
        pick_method({"slug": "x", "name": "X", "methods": METHODS}, "pigeon")
    assert str(caught.value) == (
        "X has no 'pigeon' setup method; choose one of: recommended-late, first, second, no-order"
    )


def test_a_setup_carries_the_picked_method_and_cleaned_parameters():
    setup = check_setup(POSTLARK, None, {"account_id": " 4242 "})
    assert setup.method_kind == pick_method(POSTLARK, None).kind
    assert setup.params == {"account_id": "4242"}
    assert (setup.vendor_slug, setup.vendor_name) == ("postlark", "PostLark")
