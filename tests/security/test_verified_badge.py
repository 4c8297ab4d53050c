"""Finding 7: the "Maintained by the vendor" badge cannot be earned by editing the website.

The badge needs a verified domain that is the vendor's own: the one recorded on
the vendor when its entry was created (Vendor.own_domain), not the editable
`website` a change proposal may point at the submitter's domain.
"""

import pytest

from sources.models import DomainVerification, Vendor
from sources.services.submissions import current_data, submission_approve, submission_create
from sources.services.verification import (
    record_name,
    record_value,
    submissions_with_verified_submitter,
    verification_check,
    verification_start,
)
from tests.submissions.helpers import SOURCES, new_vendor_data

pytestmark = pytest.mark.django_db

BADGE = "Maintained by the vendor"


@pytest.fixture(autouse=True)
def checker_dns(settings, dns_server):
    settings.CHECKER_NAMESERVERS = [dns_server.address]
    settings.CHECKER_TIMEOUT = 0.5
    return dns_server


def verify(dns_server, user, domain: str) -> DomainVerification:
    verification = verification_start(user=user, domain=domain)
    dns_server.add_records(
        {record_name(verification) + ".": [("TXT", record_value(verification))]},
        origin="example.",
    )
    verification = verification_check(verification=verification)
    assert verification.status == DomainVerification.Status.VERIFIED
    return verification


def propose_website(user, vendor, website: str):
    data = current_data(vendor)
    data["website"] = website
    return submission_create(user=user, data=data, provenance=SOURCES, vendor=vendor)


def test_a_new_entry_records_its_own_domain_from_its_website(vendor):
    assert vendor.own_domain == "examplemail.example"  # from https://www.examplemail.example/


def test_pointing_the_website_at_ones_own_domain_earns_no_badge(
    client, submitter, moderator, vendor, checker_dns
):
    verify(checker_dns, submitter, "attacker.example")
    submission = propose_website(submitter, vendor, "https://www.attacker.example/")
    assert submissions_with_verified_submitter([submission]) == set()  # the admin's column
    submission_approve(submission=submission, moderator=moderator)
    vendor.refresh_from_db()
    assert vendor.website == "https://www.attacker.example/"
    assert vendor.own_domain == "examplemail.example"  # unmoved
    assert BADGE not in client.get("/vendors/examplemail/").content.decode()


def test_the_vendors_own_verified_domain_still_earns_it(
    client, submitter, moderator, vendor, checker_dns
):
    verify(checker_dns, submitter, "examplemail.example")
    submission = propose_website(submitter, vendor, "https://docs.examplemail.example/")
    assert submissions_with_verified_submitter([submission]) == {submission.pk}
    submission_approve(submission=submission, moderator=moderator)
    assert BADGE in client.get("/vendors/examplemail/").content.decode()


def test_a_new_vendor_submitted_by_its_verified_owner_earns_it(
    client, submitter, moderator, categories, checker_dns
):
    verify(checker_dns, submitter, "postlark.example")
    data = new_vendor_data(website="https://www.postlark.example/")
    submission = submission_create(user=submitter, data=data, provenance=SOURCES)
    submission_approve(submission=submission, moderator=moderator)
    assert Vendor.objects.get(slug="postlark").own_domain == "postlark.example"
    assert BADGE in client.get("/vendors/postlark/").content.decode()
