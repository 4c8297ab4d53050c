"""The checklist points, judged from real catalog entries (sources/catalog/*.toml) and from
small variations of them: met, not met or unknown, with the evidence each rests on."""

import copy

import pytest

from sources.catalogfile import CATALOG_DIR, load_vendor_file
from sources.scorecard import MET, NOT_MET, POINTS, UNKNOWN, requirement_label, vendor_scorecard


def entry(slug: str) -> dict:
    return load_vendor_file(CATALOG_DIR / f"{slug}.toml")


# -- SendGrid: CNAMEs to keys it hosts (s1, s2) and a mail CNAME as custom return path --------


def test_sendgrid_meets_hosted_dkim_with_its_cname_records_as_evidence():
    data = entry("sendgrid")
    point = vendor_scorecard(data).point("hosted-dkim")
    assert point.state == MET
    [evidence] = point.evidence
    assert "s1._domainkey.{domain}" in evidence["note"] and "s2._domainkey" in evidence["note"]
    # The evidence is the method's own cited documentation.
    method = next(m for m in data["methods"] if m["title"] == evidence["method"])
    assert evidence["sources"] == method["sources"] and evidence["sources"]


def test_sendgrid_meets_the_return_path_rotation_selectors_and_default_points():
    card = vendor_scorecard(entry("sendgrid"))
    for key in ("return-path", "rotation", "selectors", "no-spf-only", "aligned-default"):
        assert card.point(key).state == MET, key
    selectors = {item["note"] for item in card.point("selectors").evidence}
    assert {"selector s1", "selector s2"} <= selectors


def test_sendgrids_undocumented_key_length_is_unknown_and_becomes_an_action():
    data = entry("sendgrid")
    assert any("key length" in line for line in data["undocumented"])
    card = vendor_scorecard(data)
    assert card.point("key-2048").state == UNKNOWN
    assert "not documented" in card.point("key-2048").summary
    documented = [a for a in card.actions if a.kind == "document"]
    # Every line the entry lists as not documented is an action, tied to its point if any.
    assert [a.text for a in documented[: len(data["undocumented"])]] == [
        f"Document: {line}" for line in data["undocumented"]
    ]
    assert any(a.point == "key-2048" for a in documented)


# -- an SPF-only route: the entry's only method is an SPF include that aligns nothing ---------


def test_an_spf_include_alone_fails_no_spf_only_and_aligned_by_default():
    data = entry("braintree")
    assert [m["kind"] for m in data["methods"]] == ["spf-include"]
    card = vendor_scorecard(data)
    point = card.point("no-spf-only")
    assert point.state == NOT_MET
    assert [e["method"] for e in point.evidence] == [data["methods"][0]["title"]]
    assert card.point("aligned-default").state == NOT_MET
    # Nothing cited says whether DKIM or the return path align: unknown, not "no".
    assert card.point("hosted-dkim").state == UNKNOWN
    assert card.point("return-path").state == UNKNOWN
    assert card.met == 0
    assert {a.point for a in card.actions if a.kind == "improve"} == {
        "no-spf-only",
        "aligned-default",
    }


def test_an_spf_include_the_vendor_documents_as_aligned_is_not_spf_only():
    data = copy.deepcopy(entry("braintree"))
    data["methods"][0]["aligns"] = ["spf"]
    card = vendor_scorecard(data)
    assert card.point("no-spf-only").state == MET
    assert card.point("return-path").state == MET


# -- an entry with nothing documented -----------------------------------------------------------


def test_an_entry_documenting_no_route_is_unknown_wherever_the_docs_are_silent():
    data = entry("ortto")
    card = vendor_scorecard(data)
    for key in ("hosted-dkim", "return-path", "key-2048", "rotation", "selectors", "delegation"):
        assert card.point(key).state == UNKNOWN, key
        assert card.point(key).evidence == []
    # Its one method aligns nothing that a source documents.
    assert card.point("aligned-default").state == NOT_MET
    assert card.met == 1 and card.unknown == 6
    # Each unknown point asks the vendor to document it (once, whatever the wording).
    asked = {a.point for a in card.actions if a.kind == "document"}
    assert {"hosted-dkim", "return-path", "key-2048", "rotation", "selectors"} <= asked


def test_a_vendor_documented_as_unable_to_align_fails_without_key_actions():
    data = entry("docusign")
    card = vendor_scorecard(data)
    assert card.point("hosted-dkim").state == NOT_MET
    assert card.point("hosted-dkim").evidence[0]["note"]  # the cited "no"
    assert card.point("key-2048").state == NOT_MET
    improve = {a.point for a in card.actions if a.kind == "improve"}
    assert "hosted-dkim" in improve
    # Key length, rotation and selectors follow from DKIM itself: one action, not four.
    assert not improve & {"key-2048", "rotation", "selectors"}


# -- key length and rotation from what the entry states ----------------------------------------


def test_a_stated_2048_bit_key_is_met_and_quoted():
    point = vendor_scorecard(entry("mailgun")).point("key-2048")
    assert point.state == MET
    assert any("2048-bit" in item["note"] for item in point.evidence)


def test_keys_the_customer_pastes_as_txt_cannot_rotate_without_them():
    data = copy.deepcopy(entry("sendgrid"))
    data["description"] = "Keys are published as TXT."
    for method in data["methods"]:
        for record in method["records"]:
            record["note"] = ""
            if record["purpose"] == "dkim":
                record["type"] = "TXT"
                record["known_selectors"] = []
        method["steps"] = "Publish the records."
    data["methods"] = data["methods"][:1]
    data["methods"][0]["records"] = [
        r for r in data["methods"][0]["records"] if r["id"] != "dkim-s2"
    ]
    card = vendor_scorecard(data)
    assert card.point("hosted-dkim").state == NOT_MET
    assert card.point("rotation").state == NOT_MET


def test_1024_bit_keys_alone_are_not_met():
    data = copy.deepcopy(entry("sendgrid"))
    data["description"] = "Mail is signed with a 1024-bit key."
    assert vendor_scorecard(data).point("key-2048").state == NOT_MET


def test_every_catalog_entry_gets_every_point():
    for path in sorted(CATALOG_DIR.glob("*.toml")):
        if path.name == "categories.toml":
            continue
        card = vendor_scorecard(load_vendor_file(path))
        assert [p.key for p in card.points] == [p.key for p in POINTS]
        assert card.met + card.not_met + card.unknown == len(POINTS)
        for point in card.points:
            assert point.summary
            if point.state == MET:
                assert point.action == ""
            elif point.state == UNKNOWN:
                assert point.action.startswith("Document")


@pytest.mark.parametrize(
    ("requirement", "label"),
    [("dkim-s1", "CNAME record at s1._domainkey.{domain} (dkim)"), ("dmarc", "")],
)
def test_a_failing_requirement_is_named_by_its_record(requirement, label):
    assert requirement_label(entry("sendgrid"), requirement) == label
