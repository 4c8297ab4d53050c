"""Proof that a submitter controls a vendor's domain: a TXT token in its DNS.

The user publishes `email-sources-verification=<token>` as a TXT record at
`_email-sources-verify.<domain>`; the site looks it up with the checker's DNS
layer. A verified domain expires when a later check finds the record gone (a
lookup that fails, by timeout or SERVFAIL, changes nothing: it proves nothing).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone

from sources.checker.dns import Answer, Resolver
from sources.checker.domains import (
    InvalidDomain,
    normalise_domain,
    organisational_domain,
    public_suffix,
)
from sources.models import DomainVerification, Submission, Vendor

logger = logging.getLogger(__name__)

RECORD_LABEL = "_email-sources-verify"
VALUE_PREFIX = "email-sources-verification="
BATCH = 50  # concurrent lookups when re-checking in bulk

Status = DomainVerification.Status


def record_name(verification: DomainVerification) -> str:
    return f"{RECORD_LABEL}.{verification.domain}"


def record_value(verification: DomainVerification) -> str:
    return f"{VALUE_PREFIX}{verification.token}"


def verification_domain(text: str) -> str:
    """The organisational domain to verify for what the user typed (URL, address, name)."""
    name = normalise_domain(text)
    if public_suffix(name) == name:
        raise InvalidDomain(f"'{name}' is a public suffix, not a domain someone controls")
    org = organisational_domain(name)
    return org


def vendor_domain(website: str) -> str | None:
    """The organisational domain of a vendor's website, or None if it has none."""
    host = urlsplit(website or "").hostname
    if not host:
        return None
    try:
        return organisational_domain(normalise_domain(host))
    except InvalidDomain:
        return None


def verification_start(*, user, domain: str) -> DomainVerification:
    """The user's verification for a domain (created with a fresh token if new)."""
    domain = verification_domain(domain)
    existing = DomainVerification.objects.filter(user=user, domain=domain).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return DomainVerification.objects.create(
                user=user, domain=domain, token=secrets.token_urlsafe(24)
            )
    except IntegrityError:  # a double click: the other request created it
        return DomainVerification.objects.get(user=user, domain=domain)


def _resolver() -> Resolver:
    return Resolver(nameservers=settings.CHECKER_NAMESERVERS, timeout=settings.CHECKER_TIMEOUT)


async def _lookup_many(names: list[str]) -> list[Answer]:
    resolver = _resolver()
    return await asyncio.gather(*(resolver.query(name, "TXT") for name in names))


def _apply(verification: DomainVerification, answer: Answer) -> DomainVerification:
    """Update a verification from one TXT answer (saved)."""
    now = timezone.now()
    name, value = record_name(verification), record_value(verification)
    found = answer.ok and any(r.strip() == value for r in answer.records)
    if found:
        if verification.status != Status.VERIFIED:
            verification.verified_at = now
        verification.status = Status.VERIFIED
        verification.last_result = f"Found the token at {name}."
    elif answer.is_retryable:
        reason = f": {answer.reason}" if answer.reason else ""
        verification.last_result = (
            f"The DNS lookup failed ({answer.status}{reason}); nothing changed. Try again later."
        )[:300]
    else:
        if verification.status == Status.VERIFIED:
            verification.status = Status.EXPIRED
        if answer.ok:
            verification.last_result = (
                f"{name} has TXT records, but none is {value}."
                if len(value) + len(name) < 250
                else "The TXT records found do not carry your token."
            )
        else:
            verification.last_result = f"No TXT record at {name}."
    verification.last_checked_at = now
    verification.save(update_fields=["status", "verified_at", "last_result", "last_checked_at"])
    return verification


def verification_check(*, verification: DomainVerification) -> DomainVerification:
    """Look the token up now and record the outcome."""
    [answer] = async_to_sync(_lookup_many)([record_name(verification)])
    return _apply(verification, answer)


def verifications_recheck_all(*, statuses=(Status.VERIFIED,)) -> dict:
    """Re-check verifications (by default the verified ones); returns counts by outcome."""
    counts = {"checked": 0, "verified": 0, "expired": 0, "unchanged": 0}
    queryset = DomainVerification.objects.filter(status__in=statuses).order_by("pk")
    pks = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        batch = list(DomainVerification.objects.filter(pk__in=pks[start : start + BATCH]))
        answers = async_to_sync(_lookup_many)([record_name(v) for v in batch])
        for verification, answer in zip(batch, answers, strict=True):
            before = verification.status
            _apply(verification, answer)
            counts["checked"] += 1
            if verification.status == before:
                counts["unchanged"] += 1
            elif verification.status == Status.VERIFIED:
                counts["verified"] += 1
            elif verification.status == Status.EXPIRED:
                counts["expired"] += 1
                logger.info("verification of %s expired", verification.domain)
    return counts


@task
def verifications_recheck() -> dict:
    """Re-check every verified domain; verifications whose token is gone expire."""
    return verifications_recheck_all()


def vendor_maintainer(vendor: Vendor) -> DomainVerification | None:
    """The earliest standing verification of the vendor's own domain whose owner had a
    submission for the entry approved, or None when nobody from the vendor maintains it.

    The domain is the one recorded on the vendor (`own_domain`), never its editable
    website: a proposal that points the website at the submitter's domain earns nothing.
    """
    if not vendor.own_domain:
        return None
    return (
        DomainVerification.objects.filter(
            domain=vendor.own_domain,
            status=Status.VERIFIED,
            user__submissions__vendor=vendor,
            user__submissions__state=Submission.State.APPROVED,
        )
        .order_by("verified_at", "pk")
        .first()
    )


def vendor_maintained_by_vendor(vendor: Vendor) -> bool:
    """True when someone who verified the vendor's own domain had a submission for it approved."""
    return vendor_maintainer(vendor) is not None


def submissions_with_verified_submitter(submissions: Iterable[Submission]) -> set[int]:
    """Pks of the submissions whose submitter verified the submitted website's domain.

    One query for any number of submissions (the admin's queue shows a page of them).
    """
    submissions = list(submissions)
    # A change is judged by the vendor's recorded domain, not by the website it proposes.
    own_domains = dict(
        Vendor.objects.filter(
            pk__in={s.vendor_id for s in submissions if s.vendor_id is not None}
        ).values_list("pk", "own_domain")
    )
    wanted: dict[int, tuple[int, str]] = {}
    for submission in submissions:
        if submission.vendor_id is not None:
            domain = own_domains.get(submission.vendor_id) or None
        else:
            domain = vendor_domain((submission.data or {}).get("website", ""))
        if submission.submitter_id is not None and domain:
            wanted[submission.pk] = (submission.submitter_id, domain)
    if not wanted:
        return set()
    verified = set(
        DomainVerification.objects.filter(
            status=Status.VERIFIED,
            user_id__in={user for user, _ in wanted.values()},
            domain__in={domain for _, domain in wanted.values()},
        ).values_list("user_id", "domain")
    )
    return {pk for pk, pair in wanted.items() if pair in verified}
