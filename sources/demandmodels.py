"""What customers ask of vendors: checks run against each vendor, "I need this" votes, and
each vendor's stored scorecard summary for the leaderboard.

Checks are counted per vendor and day (and failing requirement), not read back from
stored check results: those are pruned after CHECK_RETENTION_DAYS, and the demand
figures cover 90 days. Writes go through sources/services/demand.py and votes.py.
These models are part of sources.models (imported at its end); they name the vendor
model by string, so this module imports nothing of the app.
"""

from django.conf import settings
from django.db import models


class VendorCheckDay(models.Model):
    """Checks run against one vendor on one day (UTC), and how many passed."""

    vendor = models.ForeignKey("sources.Vendor", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(db_index=True)
    checks = models.PositiveIntegerField(default=0)
    passes = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(help_text="When the last check was counted")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vendor", "day"], name="unique_vendor_check_day")
        ]

    def __str__(self) -> str:
        return f"{self.vendor_id} {self.day}: {self.passes}/{self.checks}"


class VendorFailureDay(models.Model):
    """How often one of a vendor's requirements failed in checks on one day (UTC)."""

    vendor = models.ForeignKey("sources.Vendor", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    requirement = models.CharField(max_length=60)
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "day", "requirement"], name="unique_vendor_failure_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vendor_id} {self.day} {self.requirement}: {self.failures}"


class CapabilityVote(models.Model):
    """A domain owner's "I need this" for one checklist point a vendor does not (known to) meet.

    One per voter, vendor and point: the voter is the account's verified address (or
    the account, without one), or an anonymous address, kept only as a digest. An
    anonymous vote counts once its address is confirmed from the e-mailed link.
    """

    vendor = models.ForeignKey("sources.Vendor", on_delete=models.CASCADE, related_name="votes")
    point = models.CharField(max_length=30)
    voter = models.CharField(max_length=80, help_text="email:<sha256> or user:<id>")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, help_text="Counted from then")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "point", "voter"], name="unique_vote")
        ]
        indexes = [models.Index(fields=["vendor", "confirmed_at"], name="vote_vendor_confirmed")]

    def __str__(self) -> str:
        return f"{self.vendor_id} needs {self.point}"


class VendorScore(models.Model):
    """The scorecard's counts for one vendor, kept for sorting the leaderboard in SQL.

    Recomputed when the vendor's `updated_at` moves past `computed_for`
    (services/demand.py `scores_refresh`).
    """

    vendor = models.OneToOneField(
        "sources.Vendor", on_delete=models.CASCADE, primary_key=True, related_name="score"
    )
    met = models.PositiveSmallIntegerField(default=0)
    not_met = models.PositiveSmallIntegerField(default=0)
    unknown = models.PositiveSmallIntegerField(default=0)
    states = models.JSONField(default=dict, help_text="point -> met, not-met or unknown")
    computed_for = models.DateTimeField(help_text="The vendor's updated_at when computed")

    class Meta:
        indexes = [models.Index(fields=["-met", "unknown"], name="vendorscore_rank")]

    def __str__(self) -> str:
        return f"{self.vendor_id}: {self.met} met"
