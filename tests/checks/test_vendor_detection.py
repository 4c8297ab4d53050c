"""Without a vendor: which vendors a domain's DNS shows, credited to the one running it.

The catalog is the real entries (SendGrid, Jobvite, Google Workspace, …) read from their
files; the DNS is the loopback test server serving tests/checks/detection_zones.py.
"""

import asyncio

import pytest

from sources.catalogfile import CATALOG_DIR
from sources.catalogknowledge import CatalogKnowledge, knowledge_from_files
from sources.checker import check_domain
from sources.checker.text import render_text
from sources.vendordetection import credited
from tests.checks.detection_zones import copy_entries, serve_detection_zones


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory) -> CatalogKnowledge:
    return knowledge_from_files(copy_entries(tmp_path_factory.mktemp("catalog")))


@pytest.fixture
def report(dns_server, resolver, knowledge):
    serve_detection_zones(dns_server)
    result = asyncio.run(check_domain("acme-example.test", resolver=resolver, catalog=knowledge))
    return result.to_dict()


def by_slug(report):
    return {vendor["slug"]: vendor for vendor in report["catalog_vendors"]}


def test_sendgrid_keys_are_sendgrids_not_jobvites(report):
    found = by_slug(report)
    assert "jobvite" not in found
    sendgrid = found["sendgrid"]
    assert sendgrid["routes"] == ["spf", "dkim"]
    assert (
        "DKIM s1._domainkey.acme-example.test → s1.domainkey.u1234567.wl123.sendgrid.net"
        in (sendgrid["evidence"])
    )
    assert [user["slug"] for user in sendgrid["also_used_by"]] == ["jobvite", "okta", "stytch"]


def test_google_workspace_is_found_from_its_include_its_mx_and_its_key(report):
    google = by_slug(report)["google-workspace"]
    assert google["evidence"] == [
        "SPF include:_spf.google.com",
        "MX smtp.google.com",
        "DKIM key at google._domainkey",
    ]
    assert google["signals"] == ["spf-include", "mx", "dkim-selector"]


def test_the_working_google_key_is_listed_among_the_keys_tried(report):
    assert report["dkim"]["google"]["status"] == "found"
    assert report["dkim"]["google"]["bits"] == 2048
    assert sorted(report["dkim"]) == ["google", "s1", "s2"]


def test_a_shared_bounce_host_is_credited_to_the_entry_the_others_name(report):
    postmark = by_slug(report)["postmark"]
    assert postmark["evidence"] == ["CNAME pm-bounces.acme-example.test → pm.mtasv.net"]
    assert postmark["routes"] == ["spf"]
    assert [user["slug"] for user in postmark["also_used_by"]] == ["helpdesk", "stytch"]
    assert "helpdesk" not in by_slug(report) and "stytch" not in by_slug(report)


def test_a_verification_token_at_the_domain_names_its_vendor(report):
    brevo = by_slug(report)["brevo"]
    assert brevo["evidence"] == ["TXT brevo-code:0123456789abcdef"]
    assert brevo["signals"] == ["verification"]


def test_nothing_else_is_claimed(report):
    assert sorted(by_slug(report)) == ["brevo", "google-workspace", "postmark", "sendgrid"]


def test_the_text_report_names_who_else_uses_the_system(report):
    text = render_text(report)
    assert "SendGrid (sendgrid) (also used by Jobvite, Okta, Stytch):" in text


def test_a_jobvite_key_alone_is_jobvites(knowledge):
    report = {"dkim": {"cu0": {"status": "found", "cname_target": _JOBVITE_TARGET}}}
    assert [v["slug"] for v in knowledge.authorised_by(report)] == ["jobvite"]


def test_stytchs_own_sendgrid_account_is_stytch(knowledge):
    target = "st.domainkey.u17391058.wl059.sendgrid.net"
    report = {"dkim": {"st": {"status": "found", "cname_target": target}}}
    assert [v["slug"] for v in knowledge.authorised_by(report)] == ["stytch"]


def test_a_template_ending_in_a_placeholder_names_no_one(knowledge):
    report = {"dkim": {"s1": {"status": "found", "cname_target": "s1.domainkey.mail.example"}}}
    assert knowledge.authorised_by(report) == []


_JOBVITE_TARGET = "cu0.domainkey.u2292287.wl038.sendgrid.net"


@pytest.mark.parametrize(
    ("name", "runs_it"),
    [
        ("amazonses.com", ["amazon-ses"]),  # also published by Resend, Lofty, MailBluster, …
        ("a1-2.smtp-out.amazonses.com", ["amazon-ses"]),
        ("mailgun.org", ["mailgun"]),  # also Customer.io's, Appcues's, Real Geeks's include
        ("pm.mtasv.net", ["postmark"]),  # HelpDesk, Stytch and MailBluster name Postmark
        ("s1.domainkey.u1.wl12.sendgrid.net", ["sendgrid"]),
        # Azure Communication Services and Amplemarket both name Microsoft 365 as the system.
        ("spf.protection.outlook.com", ["microsoft-365"]),
    ],
)
def test_in_the_whole_catalog_the_vendor_running_the_system_is_credited(name, runs_it):
    knowledge = knowledge_from_files(CATALOG_DIR)
    assert credited(knowledge, knowledge.match_name(name), name) == runs_it
