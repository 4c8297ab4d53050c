"""The catalog: vendors, their setup methods and the DNS records each method needs."""

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from sources.capability import CAPABILITY_LABELS, UNKNOWN
from sources.catalogfile import CHECKS, EVIDENCE, METHOD_KINDS, PURPOSES, RECORD_TYPES
from sources.checker import userpatterns


class Category(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("category", args=[self.slug])


class VendorQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def for_listing(self):
        return self.prefetch_related("categories").only(
            "slug", "name", "summary", "dmarc_capability", "spf_routes", "dkim_routes"
        )

    def with_details(self):
        return self.prefetch_related(
            "categories",
            "documentation",
            models.Prefetch(
                "methods",
                queryset=SetupMethod.objects.prefetch_related("parameters", "records"),
            ),
        )


class Vendor(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    aliases = models.JSONField(default=list, blank=True)
    website = models.URLField()
    own_domain = models.CharField(
        max_length=253,
        blank=True,
        help_text="The vendor's own domain, recorded when the entry was created (from its "
        "website then) and changed only here. Someone who verified it and had a submission "
        "approved earns the entry its 'Maintained by the vendor' badge; editing the "
        "website never moves it.",
    )
    categories = models.ManyToManyField(Category, related_name="vendors")
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True, help_text="Markdown")
    last_verified = models.DateField()
    published = models.BooleanField(default=True, db_index=True)
    undocumented = models.JSONField(default=list, blank=True)
    no_compliant_option = models.BooleanField(default=False)
    no_compliant_explanation = models.TextField(blank=True)
    not_aligned = models.JSONField(
        default=list, blank=True, help_text="Cited statements that a route cannot be aligned"
    )
    related = models.JSONField(
        default=list, blank=True, help_text="Slugs of entries sharing this sending system"
    )

    # Derived from the methods by services.vendor_refresh_derived(); never edited.
    dmarc_capability = models.CharField(
        max_length=20,
        choices=list(CAPABILITY_LABELS.items()),
        default=UNKNOWN,
        editable=False,
        db_index=True,
    )
    spf_routes = models.JSONField(default=list, editable=False)
    dkim_routes = models.JSONField(default=list, editable=False)
    method_kinds = models.CharField(max_length=300, default="", editable=False)
    search_names = models.TextField(default="", editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    # The entry as its catalog file was last imported (None: never imported), so that an
    # import tells a changed file from an entry edited on the site (services/catalogimport).
    imported_data = models.JSONField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    # Moves only when the entry's content changes (with each revision), so that API
    # clients can sync with `updated_since`; never on a save that changes nothing.
    updated_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)

    objects = VendorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        # PostgreSQL only: migration 0001 creates it with an operation that skips SQLite.
        indexes = [GinIndex(fields=["search_vector"], name="vendor_search_vector")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("vendor", args=[self.slug])

    @property
    def capability_label(self) -> str:
        return CAPABILITY_LABELS[self.dmarc_capability]


class SetupMethod(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="methods")
    kind = models.CharField(max_length=30, choices=list(METHOD_KINDS.items()))
    title = models.CharField(max_length=300)
    recommended = models.BooleanField(default=False)
    order = models.IntegerField(default=0)
    steps = models.TextField(help_text="Markdown")
    sources = models.JSONField(default=list, help_text="Documentation URLs for these records")
    evidence = models.CharField(
        max_length=20, choices=[(e, e) for e in EVIDENCE], default="vendor-docs"
    )
    aligns = models.JSONField(
        null=True, blank=True, help_text="Routes this method aligns, as documented (null: derived)"
    )

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.vendor}: {self.title}"


class MethodParameter(models.Model):
    method = models.ForeignKey(SetupMethod, on_delete=models.CASCADE, related_name="parameters")
    name = models.CharField(max_length=50)
    label = models.CharField(max_length=300)
    help = models.TextField(blank=True)
    pattern = models.CharField(max_length=500, blank=True)
    example = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["method", "name"], name="unique_parameter_name")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_user_pattern(self.pattern, example=self.example)


def check_user_pattern(pattern: str, *, example: str = "") -> None:
    """The admin's check of a pattern (and its example), as the catalog validator does it."""
    if not pattern:
        return
    try:
        if example and not userpatterns.fullmatch(pattern, example):
            raise ValidationError({"example": "does not match the pattern"})
        userpatterns.validate_pattern(pattern)
    except userpatterns.PatternError as exc:
        raise ValidationError({"pattern": f"This pattern {exc}."}) from None


class RecordRequirement(models.Model):
    method = models.ForeignKey(SetupMethod, on_delete=models.CASCADE, related_name="records")
    record_id = models.CharField(max_length=60)
    rtype = models.CharField("type", max_length=10, choices=[(t, t) for t in RECORD_TYPES])
    host = models.CharField(max_length=2000)
    value = models.CharField(max_length=2000, blank=True)
    check_type = models.CharField(
        "check", max_length=20, choices=[(c, c) for c in CHECKS], default="equals"
    )
    pattern = models.CharField(max_length=500, blank=True)
    purpose = models.CharField(max_length=20, choices=[(p, p) for p in PURPOSES])
    selector = models.CharField(max_length=300, blank=True)
    priority = models.PositiveIntegerField(null=True, blank=True)
    required = models.BooleanField(default=True)
    note = models.CharField(max_length=300, blank=True)
    known_selectors = models.JSONField(default=list, blank=True)
    sources = models.JSONField(default=list, blank=True, help_text="When not the method's")
    evidence = models.CharField(max_length=20, blank=True, help_text="When not the method's")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["method", "record_id"], name="unique_record_id")
        ]

    def __str__(self) -> str:
        return f"{self.rtype} {self.host}"

    def clean(self) -> None:
        check_user_pattern(self.pattern)


class DocumentationLink(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="documentation")
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=1000)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


# ---------------------------------------------------------------------------
# Submissions, moderation, revision history, reports and domain verification.
# Writes go through sources/services/submissions.py and verification.py.
# ---------------------------------------------------------------------------


class SubmissionQuerySet(models.QuerySet):
    def open(self):
        """Submissions still waiting for the submitter or a moderator."""
        return self.filter(state__in=[Submission.State.PENDING, Submission.State.CHANGES_REQUESTED])

    def pending(self):
        return self.filter(state=Submission.State.PENDING)


class Submission(models.Model):
    """A proposed new vendor, or proposed changes to one, in catalog-file form."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    class Kind(models.TextChoices):
        NEW = "new", "New vendor"
        CHANGE = "change", "Changes to an entry"

    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    vendor = models.ForeignKey(
        Vendor, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    slug = models.SlugField(max_length=60, db_index=True)
    name = models.CharField(max_length=100)
    data = models.JSONField(help_text="The vendor entry in catalog-file form")
    provenance = models.JSONField(default=list, help_text="Documentation URLs supporting it")
    note = models.TextField("note to moderators", blank=True)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.PENDING, db_index=True
    )
    moderator_comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64, db_index=True, editable=False)
    submitted_at = models.DateTimeField(db_index=True, help_text="When it last entered review")
    moderators_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}: {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("submission", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.PENDING, self.State.CHANGES_REQUESTED)


class SubmissionEvent(models.Model):
    """One step in a submission's life, with the comment that went with it."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        REVISED = "revised", "Revised"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class Revision(models.Model):
    """A published state of a vendor entry, numbered per vendor."""

    class Origin(models.TextChoices):
        IMPORT = "import", "Catalog file import"
        MODERATION = "moderation", "Approved submission"
        ADMIN = "admin", "Edited in the admin"
        RESTORE = "restore", "Restored revision"

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    origin = models.CharField(max_length=12, choices=Origin.choices)
    data = models.JSONField(help_text="The whole entry after this revision")
    changes = models.JSONField(default=list, help_text="Field-by-field changes from the previous")
    summary = models.CharField(max_length=300)
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions"
    )
    restored_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["vendor", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "number"], name="unique_revision_number")
        ]
        permissions = [("restore_revision", "Can restore an earlier revision")]

    def __str__(self) -> str:
        return f"{self.vendor} revision {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("vendor-revision", args=[self.vendor.slug, self.number])


class Report(models.Model):
    """Someone says a vendor entry is outdated or wrong."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        DISMISSED = "dismissed", "Dismissed"

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="reports")
    note = models.TextField()
    email = models.EmailField(blank=True, help_text="For follow-up questions, if given")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    moderator_comment = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    moderators_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Report on {self.vendor} ({self.created_at:%Y-%m-%d})"


class DomainVerification(models.Model):
    """A user's proof of control of a domain: a TXT token published in its DNS."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the DNS record"
        VERIFIED = "verified", "Verified"
        EXPIRED = "expired", "Expired: the record is gone"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="domain_verifications"
    )
    domain = models.CharField(max_length=253, db_index=True)
    token = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_result = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["user", "domain"], name="unique_user_domain")
        ]

    def __str__(self) -> str:
        return f"{self.domain} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("verification", args=[self.pk])


# ---------------------------------------------------------------------------
# Checks: stored DNS check results (permalinks) and bulk checks.
# Writes go through sources/services/checks.py and bulkchecks.py.
# ---------------------------------------------------------------------------


class BulkCheck(models.Model):
    """Many domains checked against one vendor's method in a background task."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vendor = models.ForeignKey(
        Vendor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    vendor_slug = models.CharField(max_length=60, blank=True)
    vendor_name = models.CharField(max_length=100, blank=True)
    method_kind = models.CharField(max_length=30, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    domains = models.JSONField(default=list, help_text="[line, domain] pairs to check")
    invalid_rows = models.JSONField(
        default=list, help_text="Rows that are not domains (the first 100)"
    )
    invalid_count = models.PositiveIntegerField(
        default=0, help_text="Rows that are not domains, listed or not"
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, help_text="Results so far, by verdict")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    error = models.TextField(blank=True)
    source = models.CharField(max_length=10, default="web")
    client = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="Who asked (hashed), for fair queuing"
    )
    task_id = models.CharField(
        max_length=64, blank=True, help_text="Its queued or running task; empty while it waits"
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Times it was resumed after its worker stopped"
    )
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last progress saved")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Bulk check of {self.total} domains ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("bulk-check", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


class CheckResult(models.Model):
    """One stored check: what was asked and the checker's JSON report."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    domain = models.CharField(max_length=253, db_index=True)
    vendor = models.ForeignKey(
        Vendor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    vendor_slug = models.CharField(max_length=60, blank=True)
    method_kind = models.CharField(max_length=30, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    only = models.JSONField(default=list, blank=True)
    verdict = models.CharField(max_length=10, db_index=True)
    result = models.JSONField(help_text="The report, in check_domain's JSON shape")
    source = models.CharField(max_length=10, default="web")
    bulk = models.ForeignKey(
        BulkCheck, null=True, blank=True, on_delete=models.CASCADE, related_name="results"
    )
    line = models.PositiveIntegerField(null=True, blank=True, help_text="CSV line, in a bulk")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["bulk", "line"], name="checkresult_bulk_line")]

    def __str__(self) -> str:
        who = f" for {self.vendor_slug}" if self.vendor_slug else ""
        return f"{self.domain}{who}: {self.verdict}"

    def get_absolute_url(self) -> str:
        return reverse("check-result", args=[self.pk])


class ApiToken(models.Model):
    """An API key, kept only as its SHA-256 digest: the key is shown once, when it is made.

    `password_marker` ties it to the password it was made under: once the
    password changes (by any route), the token stops working.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="The key's first characters")
    password_marker = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class WorkerHeartbeat(models.Model):
    """A task worker's last sign of life (sources/ops/heartbeat.py), read by /readyz."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.hostname} (pid {self.pid})"


# Models kept in their own modules (message analyses, demand and scorecards, the drift
# monitor, watched domains), imported here so that Django registers them with the app.
from sources.analysismodels import MessageAnalysis  # noqa: E402, F401
from sources.demandmodels import CapabilityVote, VendorCheckDay, VendorFailureDay, VendorScore  # noqa: E402, F401, E501
from sources.models_drift import VendorDnsCheck  # noqa: E402, F401
from sources.monitoringmodels import (  # noqa: E402, F401
    PeriodicJob,
    Watch,
    WatchEvent,
    WatchRecord,
    WatchRun,
    WatchState,
    WebhookDelivery,
    WebhookEndpoint,
)
