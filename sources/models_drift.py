"""The drift monitor's results: each vendor's own DNS names, resolved on a schedule.

Apart from models.py (which imports it, so Django sees the model) to keep that module
to a readable size. Writes go through sources/services/drift.py.
"""

from django.db import models


class VendorDnsCheck(models.Model):
    """The last check of a vendor's published names (SPF includes, DKIM, bounce, MX and NS
    targets), and the one before it, so that what changed shows."""

    vendor = models.OneToOneField(
        "sources.Vendor", on_delete=models.CASCADE, related_name="dns_check"
    )
    checked_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="Empty until its first check is stored"
    )
    findings = models.JSONField(
        default=list, help_text="[{code, name, detail, severity}], the most severe first"
    )
    targets = models.JSONField(default=list, help_text="The names resolved and what they showed")
    skipped = models.PositiveIntegerField(
        default=0, help_text="Records whose value differs per account, so not resolvable"
    )
    stats = models.JSONField(default=dict, help_text="Queries sent, time taken")
    previous_checked_at = models.DateTimeField(null=True, blank=True)
    previous_findings = models.JSONField(default=list, blank=True)
    changed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the findings last differed from the run before"
    )
    reports = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="The report opened for each finding still present, by finding key",
    )

    # A scheduled run claims the vendors it is about to check, so that two runs at once
    # never check the same vendor (a conditional UPDATE: atomic on every database).
    claimed_by = models.CharField(max_length=32, blank=True, editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["vendor__name"]
        verbose_name = "vendor DNS check"

    def __str__(self) -> str:
        when = f"{self.checked_at:%Y-%m-%d %H:%M}" if self.checked_at else "not yet"
        return f"DNS check of {self.vendor} ({when})"

    @property
    def new_findings(self) -> list[dict]:
        """Findings that the previous run did not have (all of them on a first run)."""
        before = {(f["code"], f["name"]) for f in self.previous_findings}
        return [f for f in self.findings if (f["code"], f["name"]) not in before]

    @property
    def cleared_findings(self) -> list[dict]:
        """Findings of the previous run that this one no longer has."""
        now = {(f["code"], f["name"]) for f in self.findings}
        return [f for f in self.previous_findings if (f["code"], f["name"]) not in now]
