"""The shapes of watched domains, their records and history, and webhooks in the API."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from sources.api.serializers import absolute
from sources.models import WatchState, WebhookDelivery
from sources.services.watches import record_zone_line


class WatchInputSerializer(serializers.Serializer):
    domain = serializers.CharField(
        max_length=300, help_text="The customer's domain (a URL or an address works too)."
    )
    vendor = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=200,
        help_text="The vendor's slug (or name). Leave out to watch the domain's DMARC and SPF "
        "records alone.",
    )
    method = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=30,
        help_text="The vendor's setup method (`GET /api/v1/vendors/{slug}` lists them); "
        "default: its recommended one.",
    )
    parameters = serializers.DictField(
        child=serializers.CharField(max_length=300, allow_blank=True),
        required=False,
        default=dict,
        help_text='The method\'s per-account values, e.g. {"account_id": "7001"}.',
    )
    interval_minutes = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Minutes between checks (default: a day; the site's limits apply).",
    )
    reference = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text="Your own name for it (a customer id), echoed back and in webhooks.",
    )


class WatchUpdateSerializer(serializers.Serializer):
    interval_minutes = serializers.IntegerField(required=False)
    active = serializers.BooleanField(required=False, help_text="false pauses the watch.")


class WatchRecordSerializer(serializers.Serializer):
    id = serializers.CharField(source="requirement_id", help_text="The requirement's id.")
    purpose = serializers.CharField()
    type = serializers.CharField()
    host = serializers.CharField(help_text="Where to publish it.")
    value = serializers.CharField(
        help_text="What to publish (for an SPF include, the term to add to the SPF record)."
    )
    zone_line = serializers.SerializerMethodField(help_text="The record in zone-file form.")
    required = serializers.BooleanField()
    state = serializers.ChoiceField(choices=WatchState.choices)
    last_status = serializers.CharField(
        help_text="The last check's status for it: pass, warn, fail or error (empty before the "
        "first check)."
    )
    message = serializers.CharField()
    checked_at = serializers.DateTimeField(allow_null=True)
    changed_at = serializers.DateTimeField(allow_null=True, help_text="Its last state change.")

    def get_zone_line(self, record) -> str:
        return record_zone_line(record)


class WatchSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    domain = serializers.CharField()
    vendor = serializers.CharField(source="vendor_slug", allow_null=True)
    method = serializers.CharField(source="method_kind", allow_null=True)
    parameters = serializers.DictField(child=serializers.CharField())
    reference = serializers.CharField()
    state = serializers.ChoiceField(
        choices=WatchState.choices,
        help_text="failed if a required record failed; temporary_failure if one could not be "
        "looked up; verified once every required record is; pending otherwise.",
    )
    active = serializers.BooleanField()
    interval_minutes = serializers.IntegerField()
    last_checked_at = serializers.DateTimeField(allow_null=True)
    next_check_at = serializers.DateTimeField(source="next_run_at")
    records = WatchRecordSerializer(many=True, source="records.all")
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    report_url = serializers.SerializerMethodField(
        help_text="The last check's full report, while it is kept."
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["vendor"] = data["vendor"] or None
        data["method"] = data["method"] or None
        return data

    def get_url(self, watch) -> str:
        return absolute(self.context.get("request"), reverse("api:watch", args=[watch.pk]))

    def get_page_url(self, watch) -> str:
        return absolute(self.context.get("request"), watch.get_absolute_url())

    def get_report_url(self, watch) -> str | None:
        if watch.last_result_id is None:
            return None
        return absolute(
            self.context.get("request"), reverse("api:check", args=[watch.last_result_id])
        )


class WatchListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = WatchSerializer(many=True)


class WatchEventSerializer(serializers.Serializer):
    record = serializers.CharField(
        source="requirement_id", help_text="The record's id; empty for the whole watch."
    )
    from_state = serializers.ChoiceField(choices=WatchState.choices)
    to_state = serializers.ChoiceField(choices=WatchState.choices)
    message = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")


class WebhookInputSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500, help_text="An https:// address.")


class WebhookSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    active = serializers.BooleanField(help_text="false once disabled after repeated failure.")
    disabled_reason = serializers.CharField()
    consecutive_failures = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(help_text="The HMAC-SHA256 key that signs its deliveries.")


class WebhookAttemptSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(allow_blank=True)
    duration_ms = serializers.IntegerField()


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    event = serializers.CharField()
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    attempts = WebhookAttemptSerializer(many=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    payload = serializers.DictField()
