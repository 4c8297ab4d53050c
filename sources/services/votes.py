"""'I need this' votes from domain owners on checklist points a vendor does not meet.

One vote per voter, vendor and point, whatever is posted how often: a signed-in
voter is their account's (verified) address, an anonymous one an address that
must be confirmed from an e-mailed link before the vote counts. Addresses are kept
only as a digest. Casting is idempotent; the view rate-limits it per client, and
confirmation mail is rate-limited per address too, so a form cannot be used to
flood someone's mailbox.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from sources.models import CapabilityVote, Vendor
from sources.ratelimit import ratelimit_named
from sources.scorecard import POINTS_BY_KEY, Scorecard
from sources.services import notifications

SALT = "sources.vote-confirm"
CONFIRM_DAYS = 7


class VoteError(ValueError):
    """The vote cannot be cast as asked (the message says why)."""


@dataclass
class VoteOutcome:
    vote: CapabilityVote
    created: bool  # a new vote (pending or counted)
    mailed: bool = False  # a confirmation link was sent

    @property
    def counted(self) -> bool:
        return self.vote.confirmed_at is not None


def voter_for_email(email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"email:{digest}"


def voter_for_user(user) -> str:
    """An account votes as its address, so it cannot vote again signed out."""
    return voter_for_email(user.email) if user.email else f"user:{user.pk}"


def _get_or_create(*, vendor: Vendor, point: str, voter: str, **defaults) -> tuple:
    existing = CapabilityVote.objects.filter(vendor=vendor, point=point, voter=voter).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            vote = CapabilityVote.objects.create(
                vendor=vendor, point=point, voter=voter, **defaults
            )
            return vote, True
    except IntegrityError:  # a double click: the other request created it
        return CapabilityVote.objects.get(vendor=vendor, point=point, voter=voter), False


def vote_cast(
    *, vendor: Vendor, scorecard: Scorecard, point: str, user=None, email: str = ""
) -> VoteOutcome:
    """Record a vote (counted at once for an account; to confirm for an address)."""
    if point not in POINTS_BY_KEY:
        raise VoteError("That is not a point of the checklist.")
    if not scorecard.point(point).votable:
        raise VoteError(f"{vendor.name} already meets this point: nothing to ask for.")
    if getattr(user, "is_authenticated", False):
        vote, created = _get_or_create(
            vendor=vendor,
            point=point,
            voter=voter_for_user(user),
            user=user,
            confirmed_at=timezone.now(),
        )
        if vote.confirmed_at is None:  # voted by address before, now signed in
            CapabilityVote.objects.filter(pk=vote.pk).update(confirmed_at=timezone.now())
            vote.refresh_from_db()
        return VoteOutcome(vote, created)
    email = email.strip()
    if not email:
        raise VoteError("Give your e-mail address: the vote counts once you confirm it.")
    voter = voter_for_email(email)
    vote, created = _get_or_create(vendor=vendor, point=point, voter=voter)
    if vote.confirmed_at is not None:
        return VoteOutcome(vote, created)
    if not ratelimit_named("vote", key=voter).allowed:
        return VoteOutcome(vote, created)
    token = signing.dumps(vote.pk, salt=SALT)
    url = notifications.absolute_url(reverse("vote-confirm", args=[token]))
    mailed = notifications.send_safely(
        subject=f"Confirm your vote for {vendor.name}",
        template="sources/email/vote_confirm.txt",
        context={
            "vendor": vendor,
            "point": POINTS_BY_KEY[point],
            "confirm_url": url,
            "days": CONFIRM_DAYS,
        },
        to=[email],
    )
    return VoteOutcome(vote, created, mailed)


def vote_confirm(*, token: str) -> CapabilityVote:
    """Count the vote an e-mailed link names; VoteError when the link is bad or too old."""
    try:
        pk = signing.loads(token, salt=SALT, max_age=CONFIRM_DAYS * 86400)
    except signing.SignatureExpired:
        raise VoteError("This link has expired: vote again to get a new one.") from None
    except signing.BadSignature:
        raise VoteError("This link is not valid.") from None
    vote = CapabilityVote.objects.select_related("vendor").filter(pk=pk).first()
    if vote is None:
        raise VoteError("This vote no longer exists.")
    if vote.confirmed_at is None:
        CapabilityVote.objects.filter(pk=vote.pk, confirmed_at=None).update(
            confirmed_at=timezone.now()
        )
        vote.refresh_from_db()
    return vote
