"""Reads about demand and maintainers: a vendor's demand figures, the leaderboard, the
entries a user maintains and who maintains an entry. Aggregated in SQL; no services.

A maintainer of an entry is a user who verified the vendor's own domain (the entry's
`own_domain`, recorded when it was created) and whose verification still holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from sources.models import (
    CapabilityVote,
    DomainVerification,
    Report,
    Submission,
    Vendor,
    VendorCheckDay,
    VendorFailureDay,
)

WINDOWS = (30, 90)
# Leaderboard orders: name -> (label, ORDER BY); ties by name. A vendor whose score is
# not computed yet (just imported) sorts last, on every database.
MET = F("score__met").desc(nulls_last=True)
SORTS = {
    "alignment": ("Alignment support", [MET, F("score__unknown").asc(nulls_last=True), "name"]),
    "checks": ("Checks in 30 days", ["-checks_30", MET, "name"]),
    "votes": ("“I need this” votes", ["-vote_count", "-checks_30", "name"]),
    "name": ("Name", ["name"]),
}


@dataclass
class Window:
    days: int
    checks: int = 0
    passes: int = 0

    @property
    def pass_share(self) -> float | None:
        """Passing checks as a fraction (None without checks)."""
        return self.passes / self.checks if self.checks else None

    @property
    def pass_percent(self) -> int | None:
        share = self.pass_share
        return None if share is None else round(share * 100)


@dataclass
class Demand:
    windows: list[Window]
    top_failure: dict | None  # {"requirement", "failures", "days"}: the most failed, 90 days
    votes: dict[str, int] = field(default_factory=dict)  # point -> confirmed votes

    def window(self, days: int) -> Window:
        return next(w for w in self.windows if w.days == days)

    @property
    def votes_total(self) -> int:
        return sum(self.votes.values())


def today() -> dt.date:
    return timezone.now().date()


def _since(days: int, *, day: dt.date | None = None) -> dt.date:
    """The first day of a window of `days` days ending today (today included)."""
    return (day or today()) - dt.timedelta(days=days - 1)


def vendor_demand(vendor_id: int, *, day: dt.date | None = None) -> Demand:
    """Checks against one vendor in the last 30 and 90 days, its most failed requirement
    and its confirmed votes per point (three queries)."""
    longest = max(WINDOWS)
    counts = VendorCheckDay.objects.filter(vendor_id=vendor_id, day__gte=_since(longest, day=day))
    sums = counts.aggregate(
        **{
            f"{name}_{days}": Sum(name, filter=Q(day__gte=_since(days, day=day)))
            for days in WINDOWS
            for name in ("checks", "passes")
        }
    )
    windows = [
        Window(days, sums[f"checks_{days}"] or 0, sums[f"passes_{days}"] or 0) for days in WINDOWS
    ]
    failures = (
        VendorFailureDay.objects.filter(vendor_id=vendor_id, day__gte=_since(longest, day=day))
        .values("requirement")
        .annotate(n=Sum("failures"))
        .order_by("-n", "requirement")
        .first()
    )
    top = (
        {"requirement": failures["requirement"], "failures": failures["n"], "days": longest}
        if failures
        else None
    )
    votes = dict(
        CapabilityVote.objects.filter(vendor_id=vendor_id, confirmed_at__isnull=False)
        .values_list("point")
        .annotate(n=Count("pk"))
        .values_list("point", "n")
    )
    return Demand(windows, top, votes)


def demand_version(slug: str) -> tuple[str, dt.datetime | None]:
    """What changes whenever a vendor's demand figures do (for ETags), and when it last did."""
    checks = VendorCheckDay.objects.filter(vendor__slug=slug).aggregate(
        n=Sum("checks"), last=Max("updated_at")
    )
    votes = CapabilityVote.objects.filter(vendor__slug=slug, confirmed_at__isnull=False)
    voted = votes.aggregate(n=Count("pk"), last=Max("confirmed_at"))
    seed = f"{today()}:{checks['n'] or 0}:{checks['last']}:{voted['n']}:{voted['last']}"
    times = [t for t in (checks["last"], voted["last"]) if t is not None]
    return seed, max(times) if times else None


def _per_vendor(queryset, expression):
    """A per-vendor total of `queryset` (a correlated subquery on the vendor's index), 0 if none."""
    total = queryset.filter(vendor=OuterRef("pk")).values("vendor").annotate(n=expression)
    return Coalesce(Subquery(total.values("n"), output_field=IntegerField()), 0)


def _figures(*, day: dt.date | None = None) -> dict:
    recent = VendorCheckDay.objects.filter(day__gte=_since(30, day=day))
    confirmed = CapabilityVote.objects.filter(confirmed_at__isnull=False)
    return {
        "checks_30": _per_vendor(recent, Sum("checks")),
        "passes_30": _per_vendor(recent, Sum("passes")),
        "vote_count": _per_vendor(confirmed, Count("pk")),
    }


def leaderboard(*, sort: str = "alignment", day: dt.date | None = None) -> QuerySet:
    """Published vendors in the order `sort` names (one of SORTS), carrying only what that
    order needs; page through it, then read a page's figures with `leaderboard_rows`."""
    sort = sort if sort in SORTS else "alignment"
    figures = _figures(day=day)
    needed = {"checks": ["checks_30"], "votes": ["vote_count", "checks_30"]}.get(sort, [])
    return (
        Vendor.objects.published()
        .annotate(**{name: figures[name] for name in needed})
        .order_by(*SORTS[sort][1])
    )


def leaderboard_rows(ids: list[int], *, day: dt.date | None = None) -> list[Vendor]:
    """One page of the leaderboard, in the order of `ids`: each vendor with its stored
    score, its checks and passes in the last 30 days and its confirmed votes."""
    vendors = (
        Vendor.objects.filter(pk__in=ids)
        .select_related("score")
        .only("slug", "name", "dmarc_capability", "score__met", "score__not_met", "score__unknown")
        .annotate(**_figures(day=day))
    )
    found = {vendor.pk: vendor for vendor in vendors}
    return [found[pk] for pk in ids if pk in found]


# -- maintainers ----------------------------------------------------------------------------


def vendors_maintained_by(user) -> QuerySet:
    """The entries whose vendor's own domain the user has verified (published or not)."""
    if not getattr(user, "is_authenticated", False):
        return Vendor.objects.none()
    domains = DomainVerification.objects.filter(
        user=user, status=DomainVerification.Status.VERIFIED
    ).values("domain")
    return Vendor.objects.exclude(own_domain="").filter(own_domain__in=domains).order_by("name")


def maintainers_of(vendor: Vendor) -> QuerySet:
    """Active users who verified the vendor's own domain."""
    if not vendor.own_domain:
        return get_user_model().objects.none()
    return get_user_model().objects.filter(
        is_active=True,
        domain_verifications__domain=vendor.own_domain,
        domain_verifications__status=DomainVerification.Status.VERIFIED,
    )


def open_reports(vendor: Vendor) -> QuerySet:
    return Report.objects.filter(vendor=vendor, state=Report.State.OPEN).order_by("-created_at")


def open_proposals(vendor: Vendor, *, other_than) -> QuerySet:
    """Proposed changes to the entry still in review, from anyone but `other_than`."""
    return (
        Submission.objects.open()
        .filter(vendor=vendor, kind=Submission.Kind.CHANGE)
        .exclude(submitter=other_than)
        .select_related("submitter")
        .order_by("-submitted_at")
    )
