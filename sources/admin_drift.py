"""Admin for the drift monitor's results: read only, one row per vendor checked.

The moderators act on the reports the monitor opens (admin_moderation.ReportAdmin); this
list shows every vendor's last check, the vendors with problems first.
"""

from django.contrib import admin
from django.db.models import Case, IntegerField, Value, When
from django.utils.html import format_html, format_html_join

from sources.models import VendorDnsCheck


@admin.register(VendorDnsCheck)
class VendorDnsCheckAdmin(admin.ModelAdmin):
    list_display = ["vendor", "checked_at", "finding_count", "changed_at"]
    list_select_related = ["vendor"]
    search_fields = ["vendor__name", "vendor__slug"]
    fields = ["vendor", "checked_at", "findings_list", "previous_checked_at", "changed_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        # Vendors with findings first: an empty JSON list is the healthy case.
        return (
            super()
            .get_queryset(request)
            .filter(checked_at__isnull=False)
            .annotate(
                healthy=Case(
                    When(findings=[], then=Value(1)),
                    default=0,
                    output_field=IntegerField(),
                )
            )
            .order_by("healthy", "vendor__name")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Findings")
    def finding_count(self, obj):
        return len(obj.findings)

    @admin.display(description="Findings")
    def findings_list(self, obj):
        if not obj.findings:
            return "None: every name answered as expected."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><strong>{}</strong> {} <code>{}</code>: {}</li>",
                ((f["severity"], f["code"], f["name"], f["detail"]) for f in obj.findings),
            ),
        )
