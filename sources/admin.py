"""Admin for the catalog. Derived fields are recomputed after every save, and a save
that would leave the entry invalid (so that `export_catalog` would fail) is rolled back."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect

from sources.catalogfile import CatalogError, normalise_text
from sources.models import (
    ApiToken,
    Category,
    DocumentationLink,
    MethodParameter,
    RecordRequirement,
    SetupMethod,
    Vendor,
)
from sources.services.catalog import vendor_refresh_derived, vendor_validate_stored
from sources.services.revisions import revision_after_edit, vendors_set_published
from sources.services.submissions import current_data


def _refusal(exc: CatalogError) -> str:
    return (
        "Not saved: the entry would no longer be a valid catalog entry "
        f"({exc.field}: {exc.message})."
        if exc.field
        else f"Not saved: {exc.message}."
    )


class NormalisedTextForm(forms.ModelForm):
    """Text as every other way in stores it: LF line endings, no trailing spaces."""

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                cleaned[name] = normalise_text(value)
            elif isinstance(value, list) and all(isinstance(item, str) for item in value):
                cleaned[name] = [normalise_text(item) for item in value]
        return cleaned


class CatalogValidatedAdmin(admin.ModelAdmin):
    """Text is normalised and edits are checked by the catalog validator before they are committed.

    `save_related` runs inside the change view's transaction; when the validator
    refuses the stored entry, the transaction is rolled back and the form is shown
    again with what was typed and the validator's message.
    """

    form = NormalisedTextForm

    def entry_saved(self, request, vendor: Vendor) -> None:
        """Derived fields, the validator (raises CatalogError), then the revision."""
        vendor_refresh_derived(vendor)
        vendor_validate_stored(vendor=vendor)
        revision_after_edit(
            vendor=vendor,
            before=getattr(request, "vendor_before_edit", None),
            user=request.user,
            summary="Edited in the admin",
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except CatalogError as exc:
            # The view's atomic block has rolled the save back: show the form again.
            request.catalog_refusal = _refusal(exc)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "catalog_refusal", None)
        if refusal is None:
            return form

        class RefusedForm(form):
            def clean(self):
                super().clean()
                raise forms.ValidationError(refusal)

        return RefusedForm


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


class DocumentationInline(admin.TabularInline):
    model = DocumentationLink
    form = NormalisedTextForm
    extra = 0


class MethodInline(admin.StackedInline):
    model = SetupMethod
    form = NormalisedTextForm
    extra = 0
    show_change_link = True
    fields = ["kind", "title", "recommended", "order", "steps", "sources"]


@admin.register(Vendor)
class VendorAdmin(CatalogValidatedAdmin):
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
        self.entry_saved(request, form.instance)

    @admin.action(description="Publish selected vendors")
    def publish(self, request, queryset):
        vendors_set_published(vendors=queryset, published=True, user=request.user)

    @admin.action(description="Unpublish selected vendors")
    def unpublish(self, request, queryset):
        vendors_set_published(vendors=queryset, published=False, user=request.user)


class ParameterInline(admin.TabularInline):
    model = MethodParameter
    form = NormalisedTextForm
    extra = 0


class RecordInline(admin.StackedInline):
    model = RecordRequirement
    form = NormalisedTextForm
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
class SetupMethodAdmin(CatalogValidatedAdmin):
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
        self.entry_saved(request, form.instance.vendor)

    def delete_model(self, request, obj):
        request.vendor_before_edit = current_data(obj.vendor)
        super().delete_model(request, obj)
        self.entry_saved(request, obj.vendor)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except CatalogError as exc:
            # Rolled back by the view's atomic block (a vendor's last method, say).
            self.message_user(request, _refusal(exc), messages.ERROR)
            return redirect("admin:sources_setupmethod_change", object_id)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are listed and revoked (deleted) here; only their owner sees a key, once."""

    list_display = ["prefix", "user", "created_at", "expires_at"]
    search_fields = ["user__username", "user__email", "prefix"]
    list_select_related = ["user"]
    readonly_fields = ["user", "prefix", "created_at", "expires_at"]
    exclude = ["digest", "password_marker"]

    def has_add_permission(self, request) -> bool:
        return False


# The moderation queue (submissions, revisions, reports, verified domains), the drift
# monitor's results, and watched domains with their webhooks.
from sources import admin_drift, admin_moderation, admin_monitoring  # noqa: E402, F401
