"""GET /api/v1/method-kinds."""

import pytest

pytestmark = pytest.mark.django_db


def test_method_kinds_are_listed_best_first_with_their_routes(anonymous, db):
    kinds = anonymous.get("/api/v1/method-kinds").json()
    assert [k["kind"] for k in kinds][:2] == ["subdomain-ns", "cname-delegation"]
    assert kinds[0] == {
        "kind": "subdomain-ns",
        "label": "Subdomain delegation (NS)",
        "routes": ["spf", "dkim"],
    }
    by_kind = {k["kind"]: k["routes"] for k in kinds}
    assert by_kind["return-path"] == ["spf"] and by_kind["dkim-txt"] == ["dkim"]
    # An include aligns SPF only where the vendor documents it (the method's `aligns`).
    assert by_kind["spf-include"] == []
    assert len(kinds) == 8
