"""Monitoring: watched domains, their per-record states and history, alerts and webhooks.

Imported by sources/models.py (Django finds an app's models there); the rules
that move these rows live in sources/services/watches.py, watchalerts.py and
webhooks.py, and the state machine itself in sources/watchstate.py.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse


class WatchState(models.TextChoices):
    """A record's (and a watch's) state, as an ESP's domain-verification screen shows it."""

    PENDING = "pending", "Pending"
    VERIFIED = "verified", "Verified"
    FAILED = "failed", "Failed"
    TEMPORARY_FAILURE = "temporary_failure", "Temporary failure"


class Watch(models.Model):
    """A domain re-checked on a schedule, for one vendor's method or on its own (generic)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches"
    )
    domain = models.CharField(max_length=253)
    vendor = models.ForeignKey(
        "sources.Vendor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    vendor_slug = models.CharField(max_length=60, blank=True)
    vendor_name = models.CharField(max_length=100, blank=True)
    method_kind = models.CharField(max_length=30, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    reference = models.CharField(
        max_length=100, blank=True, help_text="The owner's own name for it (a customer id)"
    )
    interval_minutes = models.PositiveIntegerField(default=1440)
    state = models.CharField(
        max_length=20, choices=WatchState.choices, default=WatchState.PENDING, db_index=True
    )
    active = models.BooleanField(default=True)
    source = models.CharField(max_length=10, default="web")
    next_run_at = models.DateTimeField(db_index=True)
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="A scheduler holds it until then"
    )
    claim_token = models.CharField(max_length=36, blank=True, db_index=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_verdict = models.CharField(max_length=10, blank=True)
    last_result = models.ForeignKey(
        "sources.CheckResult", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    runs = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the last run could not check")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain", "vendor_slug"]
        indexes = [models.Index(fields=["active", "next_run_at"], name="watch_due")]
        verbose_name_plural = "watches"

    def __str__(self) -> str:
        return f"{self.domain} ({self.vendor_name or 'generic'})"

    def get_absolute_url(self) -> str:
        return reverse("watch", args=[self.pk])


class WatchRecord(models.Model):
    """One record requirement of a watch, with its state and the run of agreeing results."""

    watch = models.ForeignKey(Watch, on_delete=models.CASCADE, related_name="records")
    requirement_id = models.CharField(max_length=60)
    purpose = models.CharField(max_length=20, blank=True)
    type = models.CharField(max_length=10, blank=True)
    host = models.CharField(max_length=300, blank=True)
    value = models.TextField(blank=True)
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=20, choices=WatchState.choices, default=WatchState.PENDING)
    candidate = models.CharField(
        max_length=20, blank=True, help_text="The state the latest results point to"
    )
    streak = models.PositiveSmallIntegerField(
        default=0, help_text="Consecutive results pointing to the candidate"
    )
    last_status = models.CharField(max_length=10, blank=True, help_text="pass/fail/warn/error")
    message = models.TextField(blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "requirement_id"]
        constraints = [
            models.UniqueConstraint(fields=["watch", "requirement_id"], name="watchrecord_unique")
        ]

    def __str__(self) -> str:
        return f"{self.requirement_id}: {self.state}"


class WatchEvent(models.Model):
    """A state change of a record (or of the whole watch, requirement_id "")."""

    watch = models.ForeignKey(Watch, on_delete=models.CASCADE, related_name="events")
    requirement_id = models.CharField(max_length=60, blank=True)
    from_state = models.CharField(max_length=20, choices=WatchState.choices)
    to_state = models.CharField(max_length=20, choices=WatchState.choices)
    message = models.TextField(blank=True)
    run = models.UUIDField(null=True, blank=True, db_index=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.requirement_id or 'watch'}: {self.from_state} → {self.to_state}"


class WatchRun(models.Model):
    """One scheduler run's work for one owner: the last batch to finish sends the digest."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    batches_left = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"run {self.pk} ({self.batches_left} batches left)"


class PeriodicJob(models.Model):
    """When a periodic task (settings.PERIODIC_TASKS) is next due; claimed like watches."""

    name = models.CharField(max_length=200, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class WebhookEndpoint(models.Model):
    """An HTTPS address that receives an account's watch state changes, signed."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=64, help_text="HMAC-SHA256 key, shown to its owner")
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(
        default=0, help_text="Deliveries in a row that gave up"
    )
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent to one endpoint, with every attempt's response code."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.JSONField(
        default=list, help_text="[{at, status_code, error, duration_ms}] per attempt"
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=36, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"

    @property
    def last_status_code(self) -> int | None:
        return self.attempts[-1].get("status_code") if self.attempts else None
