"""Admin for the catalog. Derived fields are recomputed after every save."""

from django.contrib import admin

from sources.models import (
    Category,
    DocumentationLink,
    MethodParameter,
    RecordRequirement,
    SetupMethod,
    Vendor,
)
from sources.services.catalog import vendor_refresh_derived
from sources.services.submissions import current_data, revision_after_edit


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


class DocumentationInline(admin.TabularInline):
    model = DocumentationLink
    extra = 0


class MethodInline(admin.StackedInline):
    model = SetupMethod
    extra = 0
    show_change_link = True
    fields = ["kind", "title", "recommended", "order", "steps", "sources"]


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "dmarc_capability", "published", "last_verified"]
    list_filter = ["published", "dmarc_capability", "categories"]
    search_fields = ["name", "slug", "search_names"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["categories"]
    readonly_fields = ["dmarc_capability", "spf_routes", "dkim_routes", "updated_at"]
    inlines = [MethodInline, DocumentationInline]
    actions = ["publish", "unpublish"]

    def save_model(self, request, obj, form, change):
        # The entry as it was, for the revision history (kept on the request: the
        # ModelAdmin instance is shared between requests).
        request.vendor_before_edit = current_data(obj) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        vendor_refresh_derived(form.instance)
        revision_after_edit(
            vendor=form.instance,
            before=getattr(request, "vendor_before_edit", None),
            user=request.user,
            summary="Edited in the admin",
        )

    @admin.action(description="Publish selected vendors")
    def publish(self, request, queryset):
        queryset.update(published=True)

    @admin.action(description="Unpublish selected vendors")
    def unpublish(self, request, queryset):
        queryset.update(published=False)


class ParameterInline(admin.TabularInline):
    model = MethodParameter
    extra = 0


class RecordInline(admin.StackedInline):
    model = RecordRequirement
    extra = 0
    fields = [
        ("record_id", "rtype", "purpose", "check_type", "required"),
        "host",
        "value",
        ("pattern", "selector", "priority"),
        "note",
        "position",
    ]


@admin.register(SetupMethod)
class SetupMethodAdmin(admin.ModelAdmin):
    list_display = ["title", "vendor", "kind", "recommended"]
    list_filter = ["kind"]
    search_fields = ["title", "vendor__name"]
    list_select_related = ["vendor"]
    inlines = [ParameterInline, RecordInline]

    def save_model(self, request, obj, form, change):
        request.vendor_before_edit = current_data(obj.vendor)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        vendor_refresh_derived(form.instance.vendor)
        revision_after_edit(
            vendor=form.instance.vendor,
            before=getattr(request, "vendor_before_edit", None),
            user=request.user,
            summary="Edited in the admin",
        )


# The moderation queue (submissions, revisions, reports, verified domains).
from sources import admin_moderation  # noqa: E402, F401
