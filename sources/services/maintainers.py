"""What a vendor's maintainers see of their entries: open reports, others' proposals (with
the fields they change) and the check page's deep links for their onboarding screens."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse

from sources.catalogdiff import diff_entries
from sources.catalogfile import CatalogError
from sources.demandselectors import open_proposals, open_reports, vendors_maintained_by
from sources.models import Report, Submission, Vendor
from sources.selectors import vendor_to_data
from sources.services.submissions import data_from_json

logger = logging.getLogger(__name__)


@dataclass
class Proposal:
    submission: Submission
    changed: list[str]  # labels of the fields it changes


@dataclass
class MaintainedEntry:
    vendor: Vendor
    data: dict  # the entry in catalog-file form
    reports: list[Report] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    deep_links: list[dict] = field(default_factory=list)


def check_links(vendor: Vendor) -> list[dict]:
    """Per setup method, the check page's address with vendor and method filled in, and
    `{domain}` and each `{parameter}` for the vendor's UI to fill in (a link fills the
    form in; the customer then presses Check)."""
    base = settings.SITE_URL.rstrip("/") + reverse("check")
    links = []
    for method in vendor.methods.all():
        parameters = list(method.parameters.all())
        query = [f"vendor={vendor.slug}", f"method={method.kind}", "domain={domain}"]
        query += [f"param_{p.name}={{{p.name}}}" for p in parameters]
        links.append(
            {"method": method, "template": f"{base}?{'&'.join(query)}", "parameters": parameters}
        )
    return links


def _changed_fields(current: dict, submission: Submission) -> list[str]:
    try:
        return [change.label for change in diff_entries(current, data_from_json(submission.data))]
    except CatalogError:  # a stored proposal the diff cannot read: listed, not described
        logger.warning("could not compare submission %s with its entry", submission.pk)
        return []


def maintained_entries(*, user) -> list[MaintainedEntry]:
    """The entries the user maintains, with what needs their attention."""
    entries = []
    for vendor in vendors_maintained_by(user).with_details():
        current = vendor_to_data(vendor)
        proposals = [
            Proposal(submission, _changed_fields(current, submission))
            for submission in open_proposals(vendor, other_than=user)
        ]
        entries.append(
            MaintainedEntry(
                vendor=vendor,
                data=current,
                reports=list(open_reports(vendor)),
                proposals=proposals,
                deep_links=check_links(vendor),
            )
        )
    return entries
