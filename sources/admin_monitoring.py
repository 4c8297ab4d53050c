"""Admin pages for watched domains and webhooks: to look into a user's report, read-mostly."""

from django.contrib import admin

from sources.models import Watch, WatchEvent, WatchRecord, WebhookDelivery, WebhookEndpoint


class WatchRecordInline(admin.TabularInline):
    model = WatchRecord
    extra = 0
    can_delete = False
    fields = ["requirement_id", "type", "host", "state", "candidate", "streak", "last_status"]
    readonly_fields = fields


@admin.register(Watch)
class WatchAdmin(admin.ModelAdmin):
    list_display = ["domain", "vendor_slug", "owner", "state", "active", "last_checked_at"]
    list_filter = ["state", "active", "source"]
    search_fields = ["domain", "reference", "owner__username", "owner__email"]
    raw_id_fields = ["owner", "vendor", "last_result"]
    readonly_fields = ["state", "runs", "last_checked_at", "claimed_until", "claim_token"]
    inlines = [WatchRecordInline]


@admin.register(WatchEvent)
class WatchEventAdmin(admin.ModelAdmin):
    list_display = ["watch", "requirement_id", "from_state", "to_state", "created_at"]
    list_filter = ["to_state"]
    raw_id_fields = ["watch"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "owner", "active", "consecutive_failures", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "owner__username"]
    raw_id_fields = ["owner"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["endpoint", "event", "status", "last_status_code", "created_at"]
    list_filter = ["status", "event"]
    raw_id_fields = ["endpoint"]
    readonly_fields = ["attempts", "payload", "next_attempt_at", "delivered_at"]
