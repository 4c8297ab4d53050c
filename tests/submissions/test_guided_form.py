"""The guided entry form: plain answers become the catalog entry the raw form would send,
checked by the same validator, with every error beside the question that caused it."""

import re

import pytest

from sources.capability import vendor_capability
from sources.forms.guided import GuidedEntryForm
from sources.models import Submission, Vendor
from sources.services.submissions import submission_preview
from tests.factories import make_vendor

pytestmark = pytest.mark.django_db

CATEGORIES = [("transactional-email", "Transactional email"), ("crm", "CRM")]
DOCS = "https://docs.postlark.example/domains"


def answers(**overrides) -> dict:
    """What a PM types for: two CNAMEs, s1 and s2, pointing at keys we host."""
    data = {
        "name": "PostLark",
        "website": "https://www.postlark.example/",
        "categories": ["transactional-email"],
        "summary": "PostLark sends transactional email for apps.",
        "documentation": f"Authenticate your domain: {DOCS}",
        "last_verified": "2026-11-01",
        "routes": ["dkim"],
        "dkim_keys": "s1 s1.domainkey.postlark.example\ns2 s2.domainkey.postlark.example",
        "dkim_fixed": "fixed",
        "note": "",
        "homepage": "",
    }
    data.update(overrides)
    return data


def entry(**overrides) -> dict:
    form = GuidedEntryForm(answers(**overrides), categories=CATEGORIES)
    assert form.is_valid(), form.errors
    return form.to_data()


def errors(**overrides) -> dict:
    form = GuidedEntryForm(answers(**overrides), categories=CATEGORIES)
    assert not form.is_valid()
    return form.errors


# -- the mapping ----------------------------------------------------------------------------


def test_two_fixed_cnames_become_a_dkim_cname_method_with_two_records():
    data = entry()
    [method] = data["methods"]
    assert method["kind"] == "dkim-cname"
    assert method["sources"] == [DOCS]
    assert method["parameters"] == []
    assert [
        (r["type"], r["host"], r["value"], r["selector"], r["purpose"]) for r in method["records"]
    ] == [
        ("CNAME", "s1._domainkey.{domain}", "s1.domainkey.postlark.example", "s1", "dkim"),
        ("CNAME", "s2._domainkey.{domain}", "s2.domainkey.postlark.example", "s2", "dkim"),
    ]
    assert [r["id"] for r in method["records"]] == ["dkim-s1", "dkim-s2"]
    assert data["documentation"] == [{"title": "Authenticate your domain", "url": DOCS}]
    assert data["slug"] == "postlark"


@pytest.mark.parametrize(
    "line",
    [
        "s1 s1.domainkey.postlark.example",
        "s1 -> s1.domainkey.postlark.example.",
        "s1: s1.domainkey.postlark.example",
        "S1 → S1.DomainKey.PostLark.example",
        "s1._domainkey CNAME s1.domainkey.postlark.example",
        "s1._domainkey.{domain} = s1.domainkey.postlark.example",
    ],
)
def test_a_dkim_line_may_be_written_as_people_write_it(line):
    [record] = entry(dkim_keys=line)["methods"][0]["records"]
    assert (record["host"], record["value"]) == (
        "s1._domainkey.{domain}",
        "s1.domainkey.postlark.example",
    )


def test_per_account_targets_declare_a_parameter_and_a_pattern_the_checker_can_use():
    data = entry(
        dkim_keys="s1 s1.domainkey.u{account}.postlark.example",
        dkim_fixed="account",
        account_label="Account ID",
        account_help="Settings → Domains",
        account_example="1234567",
    )
    [method] = data["methods"]
    assert method["parameters"] == [
        {
            "name": "account",
            "label": "Account ID",
            "help": "Settings → Domains",
            "pattern": "",
            "example": "1234567",
            "required": True,
        }
    ]
    [record] = method["records"]
    assert record["value"] == "s1.domainkey.u{account}.postlark.example"
    assert re.fullmatch(record["pattern"], "s1.domainkey.u1234567.postlark.example")
    assert not re.fullmatch(record["pattern"], "s1.domainkey.u1234567.other.example")


def test_dkim_and_bounce_set_up_together_are_one_cname_delegation_method():
    data = entry(
        routes=["dkim", "return_path"],
        together="on",
        rp_host="bounce",
        rp_target="mail.postlark.example",
    )
    [method] = data["methods"]
    assert method["kind"] == "cname-delegation"
    assert [(r["host"], r["value"], r["purpose"]) for r in method["records"]][-1] == (
        "bounce.{domain}",
        "mail.postlark.example",
        "return-path",
    )


def test_dkim_and_bounce_set_up_apart_are_two_methods_best_first():
    data = entry(routes=["dkim", "return_path"], rp_host="em", rp_target="mail.postlark.example")
    assert [(m["kind"], m["recommended"], m["order"]) for m in data["methods"]] == [
        ("dkim-cname", True, 1),
        ("return-path", False, 2),
    ]
    assert data["methods"][1]["records"][0]["host"] == "em.{domain}"


def test_subdomain_delegation_lists_one_ns_record_per_name_server_and_comes_first():
    data = entry(
        routes=["spf", "ns"],
        ns_host="mail",
        ns_servers="ns1.postlark.example\nns2.postlark.example.",
        spf_include="spf.postlark.example",
    )
    ns, spf = data["methods"]
    assert ns["kind"] == "subdomain-ns" and ns["recommended"]
    assert [(r["type"], r["host"], r["value"], r["purpose"]) for r in ns["records"]] == [
        ("NS", "mail.{domain}", "ns1.postlark.example", "delegation"),
        ("NS", "mail.{domain}", "ns2.postlark.example", "delegation"),
    ]
    assert spf["kind"] == "spf-include"


@pytest.mark.parametrize(
    ("aligned", "aligns", "credited"), [("on", ["spf"], True), ("", None, False)]
)
def test_an_spf_include_earns_spf_credit_only_with_the_customers_envelope_sender(
    categories, aligned, aligns, credited
):
    data = entry(
        routes=["spf"], spf_include="v=spf1 include:spf.postlark.example", spf_aligned=aligned
    )
    [method] = data["methods"]
    assert method.get("aligns") == aligns
    record = method["records"][0]
    assert (record["type"], record["host"], record["value"], record["check"]) == (
        "TXT",
        "{domain}",
        "include:spf.postlark.example",
        "spf-include",
    )
    validated, _ = submission_preview(data=data, provenance=[DOCS], vendor=None)
    assert validated["methods"][0]["aligns"] == aligns
    assert bool(vendor_capability(validated).spf) is credited


def test_relay_and_credentials_are_methods_without_records():
    data = entry(routes=["relay", "credentials"], relay_steps="1. Open **Settings → SMTP**.")
    assert [(m["kind"], m["records"]) for m in data["methods"]] == [
        ("smtp-relay", []),
        ("customer-credentials", []),
    ]
    assert data["methods"][0]["steps"] == "1. Open **Settings → SMTP**."
    assert data["methods"][1]["steps"]  # a plain default, never blank


def test_each_method_cites_its_own_sources_when_given_else_the_documentation():
    data = entry(
        routes=["dkim", "spf"],
        spf_include="spf.postlark.example",
        spf_sources="SPF page: https://docs.postlark.example/spf",
    )
    assert data["methods"][0]["sources"] == [DOCS]
    assert data["methods"][1]["sources"] == ["https://docs.postlark.example/spf"]
    form = GuidedEntryForm(
        answers(
            routes=["dkim", "spf"],
            spf_include="spf.postlark.example",
            spf_sources="SPF page: https://docs.postlark.example/spf",
        ),
        categories=CATEGORIES,
    )
    assert form.is_valid()
    assert form.provenance == [DOCS, "https://docs.postlark.example/spf"]


# -- answers that cannot be used ------------------------------------------------------------


def test_no_route_ticked_is_an_error_on_the_routes_question():
    assert errors(routes=[])["routes"] == ["Choose at least one way customers set up their domain."]


def test_a_ticked_route_needs_its_answers():
    found = errors(routes=["dkim", "return_path"], rp_host="", rp_target="")
    assert found["rp_host"] == ["Answer this for the route you offer, or untick it."]
    assert found["rp_target"] == ["Answer this for the route you offer, or untick it."]


def test_a_dkim_line_without_a_target_is_named_by_its_line():
    found = errors(dkim_keys="s1 s1.domainkey.postlark.example\ns2")
    assert found["dkim_keys"] == [
        "Line 2: write the selector, a space, then the name it points to."
    ]


def test_per_account_names_must_agree_with_the_fixed_or_per_account_answer():
    found = errors(dkim_keys="s1 s1.u{account}.postlark.example", account_label="Account ID")
    assert "choose “Part of them differs per account”" in found["dkim_fixed"][0]
    found = errors(dkim_fixed="account")
    assert "in braces" in found["dkim_keys"][0]


def test_a_per_account_part_needs_a_name_customers_know_it_by():
    found = errors(dkim_keys="s1 s1.u{account}.postlark.example", dkim_fixed="account")
    assert found["account_label"] == ["Say what customers call {account}."]


def test_an_http_documentation_link_is_named_by_its_line():
    found = errors(documentation=f"Guide: {DOCS}\nOld guide: http://old.postlark.example/")
    assert found["documentation"] == [
        "Line 2 must be an https URL, not 'http://old.postlark.example/'."
    ]


def test_a_validator_error_is_shown_beside_the_question_that_produced_it(categories):
    form = GuidedEntryForm(
        answers(dkim_keys="s1 s1.postlark.example\ns2 s2." + "x" * 2100 + ".postlark.example"),
        categories=CATEGORIES,
    )
    assert form.is_valid()
    data = form.to_data()
    from sources.catalogfile import CatalogError

    with pytest.raises(CatalogError) as caught:
        submission_preview(data=data, provenance=form.provenance, vendor=None)
    assert caught.value.field.startswith("methods[0].records[1]")
    form.add_catalog_error(caught.value)
    assert form.errors["dkim_keys"][0].startswith("Line 2: ")


def test_a_name_another_entry_uses_is_shown_beside_the_name(submitter_client, categories):
    make_vendor("postlark-mail", name="PostLark")
    response = submitter_client.post("/submissions/guided/", {**answers(), "action": "submit"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "'PostLark' is already used by PostLark (postlark-mail)."
    ]
    assert not Submission.objects.exists()


# -- the page -------------------------------------------------------------------------------


def test_preview_shows_the_records_as_the_public_page_will_and_saves_nothing(
    submitter_client, categories
):
    response = submitter_client.post("/submissions/guided/", {**answers(), "action": "preview"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div class="preview-frame">' in html
    assert "s2._domainkey.<var>{domain}</var>" in html
    assert "s2.domainkey.postlark.example" in html
    assert not Submission.objects.exists()


def test_the_live_preview_gets_only_the_preview_region(submitter_client, categories):
    response = submitter_client.post(
        "/submissions/guided/", {**answers(), "action": "submit", "fragment": "1"}
    )
    html = response.content.decode()
    assert html.startswith('<h2 id="preview-h">Preview</h2>')
    assert "guided-form" not in html and "s1.domainkey.postlark.example" in html
    assert not Submission.objects.exists()  # a fragment never submits
    half = submitter_client.post(
        "/submissions/guided/", {"name": "PostLark", "fragment": "1", "action": "preview"}
    ).content.decode()
    assert "Not ready to preview yet" in half


def test_submitting_saves_the_entry_the_answers_describe(submitter_client, submitter, categories):
    response = submitter_client.post("/submissions/guided/", {**answers(), "action": "submit"})
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/submissions/{submission.pk}/"
    assert submission.submitter == submitter
    assert submission.kind == Submission.Kind.NEW
    assert submission.provenance == [DOCS]
    assert [r["host"] for r in submission.data["methods"][0]["records"]] == [
        "s1._domainkey.{domain}",
        "s2._domainkey.{domain}",
    ]
    assert not Vendor.objects.filter(slug="postlark").exists()  # until a moderator approves


def test_the_page_works_without_javascript_every_route_question_is_in_it(
    submitter_client, categories
):
    html = submitter_client.get("/submissions/guided/").content.decode()
    for name in ("dkim_keys", "rp_target", "ns_servers", "spf_include", "account_label"):
        assert f'name="{name}"' in html
    assert 'class="route" data-route="dkim" hidden' not in html
    assert 'href="/submissions/new/">advanced form</a>' in html
    assert '<button type="submit" name="action" value="preview" class="secondary">Preview' in html
