"""Output serializers: explicit fields, read only. The query parameters are in filters.py."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sources.capability import CAPABILITY_LABELS, method_routes
from sources.catalogfile import CHECKS, METHOD_KINDS, PURPOSES, RECORD_TYPES
from sources.models import MethodParameter, RecordRequirement, SetupMethod, Vendor

ROUTES = ("spf", "dkim")
# Named once in the schema (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
METHOD_KIND_CHOICES = list(METHOD_KINDS.items())
CAPABILITY_CHOICES = list(CAPABILITY_LABELS.items())


def absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None else url


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="A stable code: invalid, not_found, throttled, ...")
    detail = serializers.CharField(help_text="What went wrong, for people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For invalid input only: the messages for each field at fault.",
    )


class DocumentationSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.URLField()


class ParameterSerializer(serializers.ModelSerializer):
    class Meta:
        model = MethodParameter
        fields = ["name", "label", "help", "pattern", "example", "required"]
        extra_kwargs = {
            "name": {"help_text": "Used as {name} in the record templates."},
            "pattern": {"help_text": "A Python regex the customer's value must fully match."},
        }


class RecordSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="record_id", help_text="Unique within the method.")
    type = serializers.ChoiceField(source="rtype", choices=RECORD_TYPES)
    check = serializers.ChoiceField(source="check_type", choices=CHECKS)
    purpose = serializers.ChoiceField(choices=PURPOSES)
    priority = serializers.IntegerField(allow_null=True, help_text="MX records only.")

    class Meta:
        model = RecordRequirement
        fields = [
            "id",
            "type",
            "host",
            "value",
            "check",
            "pattern",
            "purpose",
            "selector",
            "priority",
            "required",
            "note",
        ]
        extra_kwargs = {
            "host": {"help_text": "A template: {domain} is the customer's domain."},
            "value": {"help_text": "The value to create; {parameters} are the customer's."},
            "pattern": {"help_text": "A regex the value matches when parameters are unknown."},
        }


class CatalogMethodSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=METHOD_KIND_CHOICES)
    sources = serializers.ListField(child=serializers.URLField())
    parameters = ParameterSerializer(many=True)
    records = RecordSerializer(many=True)

    class Meta:
        model = SetupMethod
        fields = [
            "kind",
            "title",
            "recommended",
            "order",
            "sources",
            "steps",
            "parameters",
            "records",
        ]
        extra_kwargs = {"steps": {"help_text": "Markdown."}}


class MethodSerializer(CatalogMethodSerializer):
    kind_label = serializers.SerializerMethodField()
    routes = serializers.SerializerMethodField(help_text="The DMARC routes this method gives.")

    class Meta(CatalogMethodSerializer.Meta):
        fields = [*CatalogMethodSerializer.Meta.fields[:2], "kind_label", "routes"]
        fields += CatalogMethodSerializer.Meta.fields[2:]

    def get_kind_label(self, method: SetupMethod) -> str:
        return METHOD_KINDS[method.kind]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ROUTES)))
    def get_routes(self, method: SetupMethod) -> list[str]:
        routes = method_routes(method.kind, (r.purpose for r in method.records.all()))
        return [route for route in ROUTES if route in routes]


class VendorListSerializer(serializers.ModelSerializer):
    """Flat, so that it reads well as CSV too."""

    categories = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    dmarc_capability = serializers.ChoiceField(choices=CAPABILITY_CHOICES)
    has_spf_route = serializers.SerializerMethodField()
    has_dkim_route = serializers.SerializerMethodField()
    method_kinds = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="This vendor in the API.")
    page_url = serializers.SerializerMethodField(help_text="This vendor's page on the site.")

    class Meta:
        model = Vendor
        fields = [
            "slug",
            "name",
            "summary",
            "website",
            "categories",
            "dmarc_capability",
            "has_spf_route",
            "has_dkim_route",
            "method_kinds",
            "last_verified",
            "updated_at",
            "url",
            "page_url",
        ]

    def get_has_spf_route(self, vendor: Vendor) -> bool:
        return bool(vendor.spf_routes)

    def get_has_dkim_route(self, vendor: Vendor) -> bool:
        return bool(vendor.dkim_routes)

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=METHOD_KIND_CHOICES))
    )
    def get_method_kinds(self, vendor: Vendor) -> list[str]:
        return vendor.method_kinds.split()

    def get_url(self, vendor: Vendor) -> str:
        return absolute(self.context.get("request"), reverse("api:vendor", args=[vendor.slug]))

    def get_page_url(self, vendor: Vendor) -> str:
        return absolute(self.context.get("request"), vendor.get_absolute_url())


class CapabilitySerializer(serializers.Serializer):
    overall = serializers.ChoiceField(source="dmarc_capability", choices=CAPABILITY_CHOICES)
    label = serializers.CharField(source="capability_label")
    spf = serializers.ListField(
        source="spf_routes",
        child=serializers.CharField(),
        help_text="Titles of the methods that give SPF alignment.",
    )
    dkim = serializers.ListField(
        source="dkim_routes",
        child=serializers.CharField(),
        help_text="Titles of the methods that give DKIM alignment.",
    )


class VendorDetailSerializer(VendorListSerializer):
    capability = CapabilitySerializer(source="*", help_text="Derived from the methods.")
    documentation = DocumentationSerializer(many=True)
    methods = MethodSerializer(many=True)

    class Meta(VendorListSerializer.Meta):
        fields = [
            *VendorListSerializer.Meta.fields,
            "aliases",
            "description",
            "undocumented",
            "no_compliant_option",
            "no_compliant_explanation",
            "capability",
            "documentation",
            "methods",
        ]
        extra_kwargs = {
            "description": {"help_text": "Markdown."},
            "undocumented": {"help_text": "What the vendor's documentation does not say."},
        }


class VendorPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Vendors matching, on all pages.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = VendorListSerializer(many=True)


class CategorySerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    vendor_count = serializers.IntegerField(source="n", help_text="Published vendors in it.")
    vendors_url = serializers.SerializerMethodField(help_text="Its vendors in the API.")

    def get_vendors_url(self, category) -> str:
        url = reverse("api:vendors") + f"?category={category.slug}"
        return absolute(self.context.get("request"), url)


class MethodKindSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=METHOD_KIND_CHOICES)
    label = serializers.CharField()
    routes = serializers.ListField(
        child=serializers.ChoiceField(choices=ROUTES),
        help_text="The DMARC routes a method of this kind gives by its kind alone.",
    )


class RecordMatchSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=METHOD_KIND_CHOICES, help_text="The method's kind.")
    record = serializers.CharField(help_text="The record's id within the method.")
    type = serializers.ChoiceField(choices=RECORD_TYPES)
    purpose = serializers.ChoiceField(choices=PURPOSES)
    matched = serializers.CharField(help_text="The include, value template or pattern.")
    how = serializers.ChoiceField(choices=["include", "value", "pattern"])


class VendorMatchSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField()
    records = RecordMatchSerializer(many=True)

    def get_url(self, match) -> str:
        return absolute(self.context.get("request"), reverse("api:vendor", args=[match.slug]))


class LookupSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The name as looked up (normalised).")
    includes_only = serializers.BooleanField(
        help_text="True when written include:<domain>: only SPF includes were matched."
    )
    vendors = VendorMatchSerializer(many=True)


class CatalogVendorSerializer(serializers.Serializer):
    """A vendor in catalog-file form (sources/catalog/FORMAT.md)."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    website = serializers.URLField()
    categories = serializers.ListField(child=serializers.SlugField())
    summary = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    last_verified = serializers.DateField()
    published = serializers.BooleanField()
    undocumented = serializers.ListField(child=serializers.CharField())
    no_compliant_option = serializers.BooleanField()
    no_compliant_explanation = serializers.CharField(allow_blank=True)
    documentation = DocumentationSerializer(many=True)
    methods = CatalogMethodSerializer(many=True)


class CategoryDataSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)


class LicenseSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.URLField()
    attribution = serializers.CharField()


class CatalogSerializer(serializers.Serializer):
    license = LicenseSerializer()
    categories = CategoryDataSerializer(many=True)
    vendors = CatalogVendorSerializer(many=True)
