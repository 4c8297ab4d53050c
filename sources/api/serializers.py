"""Output serializers: explicit fields, read only. The query parameters are in filters.py."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sources.api.scorecardserializers import DemandSerializer, ScorecardSerializer
from sources.capability import (
    CAPABILITY_LABELS,
    NO,
    NOT_DOCUMENTED,
    ROUTE_STATE_LABELS,
    ROUTES,
    YES,
    method_routes,
    route_state,
    vendor_capability,
)
from sources.catalogfile import CHECKS, EVIDENCE, METHOD_KINDS, PURPOSES, RECORD_TYPES
from sources.models import MethodParameter, RecordRequirement, SetupMethod, Vendor
from sources.scorecard import vendor_scorecard
from sources.selectors import vendor_dns_check

# The list's has_*_route booleans: null when the route is not documented either way.
ROUTE_STATE_VALUES = {YES: True, NO: False, NOT_DOCUMENTED: None}
# Named once in the schema (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
METHOD_KIND_CHOICES = list(METHOD_KINDS.items())
CAPABILITY_CHOICES = list(CAPABILITY_LABELS.items())


def _route_state(vendor: Vendor, route: str) -> str:
    methods = vendor.spf_routes if route == "spf" else vendor.dkim_routes
    return route_state(
        route, methods, vendor.not_aligned, no_compliant_option=vendor.no_compliant_option
    )


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
    known_selectors = serializers.ListField(
        child=serializers.CharField(),
        help_text="Selector names the sources give, when the selector is a parameter.",
    )
    sources = serializers.ListField(
        child=serializers.URLField(),
        help_text="The record's own sources; empty when they are its method's.",
    )
    evidence = serializers.ChoiceField(
        choices=["", *EVIDENCE],
        allow_blank=True,
        help_text="The record's own evidence tier; empty when it is its method's.",
    )

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
            "known_selectors",
            "sources",
            "evidence",
        ]
        extra_kwargs = {
            "host": {"help_text": "A template: {domain} is the customer's domain."},
            "value": {"help_text": "The value to create; {parameters} are the customer's."},
            "pattern": {"help_text": "A regex the value matches when parameters are unknown."},
        }


class EvidencedRecordSerializer(RecordSerializer):
    """A record with the evidence it rests on: its own sources, else its method's."""

    sources = serializers.SerializerMethodField(
        help_text="The pages this record comes from (its own, else its method's)."
    )
    evidence = serializers.SerializerMethodField(
        help_text="vendor-docs, secondary (two or more independent guides that agree) or "
        "vendor-verified (its own, else its method's)."
    )

    @extend_schema_field(serializers.ListField(child=serializers.URLField()))
    def get_sources(self, record: RecordRequirement) -> list[str]:
        return list(record.sources or record.method.sources)

    @extend_schema_field(serializers.ChoiceField(choices=EVIDENCE))
    def get_evidence(self, record: RecordRequirement) -> str:
        if record.sources:
            return record.evidence or "vendor-docs"
        return record.method.evidence


class CatalogMethodSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=METHOD_KIND_CHOICES)
    sources = serializers.ListField(child=serializers.URLField())
    evidence = serializers.ChoiceField(
        choices=EVIDENCE,
        help_text="vendor-docs, secondary (two or more independent guides that agree) or "
        "vendor-verified: the tier of the sources.",
    )
    aligns = serializers.ListField(
        child=serializers.ChoiceField(choices=ROUTES),
        allow_null=True,
        help_text="The routes the sources document this method to align; null: derived "
        "from its kind and records.",
    )
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
            "evidence",
            "aligns",
            "steps",
            "parameters",
            "records",
        ]
        extra_kwargs = {"steps": {"help_text": "Markdown."}}


class MethodSerializer(CatalogMethodSerializer):
    kind_label = serializers.SerializerMethodField()
    routes = serializers.SerializerMethodField(
        help_text="The DMARC routes this method is documented to align."
    )
    records = EvidencedRecordSerializer(many=True)

    class Meta(CatalogMethodSerializer.Meta):
        fields = [*CatalogMethodSerializer.Meta.fields[:2], "kind_label", "routes"]
        fields += CatalogMethodSerializer.Meta.fields[2:]

    def get_kind_label(self, method: SetupMethod) -> str:
        return METHOD_KINDS[method.kind]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ROUTES)))
    def get_routes(self, method: SetupMethod) -> list[str]:
        purposes = (r.purpose for r in method.records.all())
        routes = method_routes(method.kind, purposes, method.aligns)
        return [route for route in ROUTES if route in routes]


class VendorListSerializer(serializers.ModelSerializer):
    """Flat, so that it reads well as CSV too."""

    categories = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    dmarc_capability = serializers.ChoiceField(choices=CAPABILITY_CHOICES)
    has_spf_route = serializers.SerializerMethodField(
        help_text="true: an SPF-aligned route is documented; false: documented as not "
        "possible; null: not documented."
    )
    has_dkim_route = serializers.SerializerMethodField(
        help_text="true: a DKIM-aligned route is documented; false: documented as not "
        "possible; null: not documented."
    )
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

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_has_spf_route(self, vendor: Vendor) -> bool | None:
        return ROUTE_STATE_VALUES[_route_state(vendor, "spf")]

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_has_dkim_route(self, vendor: Vendor) -> bool | None:
        return ROUTE_STATE_VALUES[_route_state(vendor, "dkim")]

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=METHOD_KIND_CHOICES))
    )
    def get_method_kinds(self, vendor: Vendor) -> list[str]:
        return vendor.method_kinds.split()

    def get_url(self, vendor: Vendor) -> str:
        return absolute(self.context.get("request"), reverse("api:vendor", args=[vendor.slug]))

    def get_page_url(self, vendor: Vendor) -> str:
        return absolute(self.context.get("request"), vendor.get_absolute_url())


class RouteEvidenceSerializer(serializers.Serializer):
    method = serializers.CharField(
        allow_blank=True, help_text="The method's title; empty for a documented 'no'."
    )
    evidence = serializers.ChoiceField(choices=EVIDENCE)
    sources = serializers.ListField(child=serializers.URLField())
    note = serializers.CharField(allow_blank=True, help_text="For a documented 'no': why.")


class RouteSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=list(ROUTE_STATE_LABELS.items()),
        help_text="yes: a cited method aligns it; no: a source says it cannot be aligned; "
        "unknown: not documented.",
    )
    label = serializers.CharField()
    methods = serializers.ListField(
        child=serializers.CharField(), help_text="Titles of the methods that align it."
    )
    evidence = RouteEvidenceSerializer(many=True, help_text="What the state rests on.")


class NotAlignedSerializer(serializers.Serializer):
    route = serializers.ChoiceField(choices=ROUTES)
    evidence = serializers.ChoiceField(choices=EVIDENCE)
    sources = serializers.ListField(child=serializers.URLField())
    note = serializers.CharField()


class RoutesSerializer(serializers.Serializer):
    spf = RouteSerializer(source="spf_route")
    dkim = RouteSerializer(source="dkim_route")


class CapabilitySerializer(serializers.Serializer):
    overall = serializers.ChoiceField(choices=CAPABILITY_CHOICES)
    label = serializers.CharField()
    spf = serializers.ListField(
        child=serializers.CharField(),
        help_text="Titles of the methods that give SPF alignment.",
    )
    dkim = serializers.ListField(
        child=serializers.CharField(),
        help_text="Titles of the methods that give DKIM alignment.",
    )
    routes = RoutesSerializer(source="*", help_text="Each route's state and its evidence.")


DNS_SEVERITIES = ["error", "warning", "notice"]


class DnsFindingSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="What was found: target-nxdomain, spf-missing, spf-invalid, "
        "spf-include-costly, spf-void-lookups, dkim-key-missing, dkim-key-invalid, "
        "dkim-key-revoked, dkim-key-too-short, dkim-key-short, return-path-no-spf, "
        "host-no-address, lookup-failed."
    )
    name = serializers.CharField(help_text="The vendor's DNS name it concerns.")
    detail = serializers.CharField(help_text="One sentence saying what is wrong.")
    severity = serializers.ChoiceField(
        choices=DNS_SEVERITIES,
        help_text="error: customers following the entry get a failing set-up; warning: it "
        "works but costs customers; notice: worth knowing, or the lookup failed.",
    )
    since = serializers.DateTimeField(help_text="When a check first found it.")
    new = serializers.BooleanField(help_text="Not found by the check before this one.")
    unconfirmed = serializers.BooleanField(
        help_text="Found earlier; this check's lookup failed, so it stands unconfirmed."
    )


class DnsClearedSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    detail = serializers.CharField()
    severity = serializers.ChoiceField(choices=DNS_SEVERITIES)


class DnsTargetSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["spf-include", "dkim", "return-path", "mx", "ns", "host"],
        help_text="How customers use the name: an SPF include, a DKIM CNAME target, a "
        "bounce-domain CNAME target, an MX or NS host, another CNAME target.",
    )
    name = serializers.CharField()
    summary = serializers.CharField(help_text="What the lookup showed, in a few words.")


class DnsCheckSerializer(serializers.Serializer):
    checked_at = serializers.DateTimeField()
    previous_checked_at = serializers.DateTimeField(allow_null=True)
    changed_at = serializers.DateTimeField(
        allow_null=True, help_text="When the findings last changed."
    )
    names_checked = serializers.IntegerField(help_text="The vendor's fixed DNS names looked up.")
    templates_skipped = serializers.IntegerField(
        help_text="Records whose value differs per account, so not looked up."
    )
    findings = DnsFindingSerializer(many=True, help_text="The most severe first.")
    cleared = DnsClearedSerializer(
        many=True, help_text="Findings of the check before that this one no longer has."
    )
    targets = DnsTargetSerializer(many=True)


class VendorDetailSerializer(VendorListSerializer):
    capability = serializers.SerializerMethodField(
        help_text="Derived from the methods and the entry's documented 'no's; "
        "'unknown' when neither route is documented."
    )
    documentation = DocumentationSerializer(many=True)
    methods = MethodSerializer(many=True)
    not_aligned = NotAlignedSerializer(
        many=True, help_text="Cited statements that a route cannot be aligned."
    )
    related = serializers.ListField(
        child=serializers.SlugField(), help_text="Slugs of entries sharing this sending system."
    )
    scorecard = serializers.SerializerMethodField(
        help_text="Each point of the checklist for vendors, met, not met or unknown, judged "
        "from the entry's cited documentation, with the evidence and the vendor's actions."
    )
    demand = serializers.SerializerMethodField(
        help_text="Checks run for the vendor in the last 30 and 90 days, the requirement "
        "failing most, and domain owners' confirmed 'I need this' votes."
    )
    dns_check = serializers.SerializerMethodField(
        help_text="The last check of the names this entry points customers at (SPF "
        "includes, DKIM, bounce, MX and NS targets) against the vendor's own DNS; null "
        "when never checked."
    )

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
            "not_aligned",
            "related",
            "scorecard",
            "demand",
            "dns_check",
        ]
        extra_kwargs = {
            "description": {"help_text": "Markdown."},
            "undocumented": {"help_text": "What the vendor's documentation does not say."},
        }

    @extend_schema_field(CapabilitySerializer)
    def get_capability(self, vendor: Vendor) -> dict:
        return CapabilitySerializer(vendor_capability(vendor)).data

    @extend_schema_field(ScorecardSerializer)
    def get_scorecard(self, vendor: Vendor) -> dict:
        return ScorecardSerializer(vendor_scorecard(self.context["data"])).data

    @extend_schema_field(DemandSerializer)
    def get_demand(self, vendor: Vendor) -> dict:
        return DemandSerializer(self.context["demand"]).data

    @extend_schema_field(DnsCheckSerializer(allow_null=True))
    def get_dns_check(self, vendor: Vendor) -> dict | None:
        check = vendor_dns_check(vendor)
        return None if check is None else DnsCheckSerializer(check).data


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
    matched = serializers.CharField(
        help_text="The include, value template or pattern; for `domain`, the vendor's name in "
        "the same registrable domain; for `ip`, the network and the include that authorises it."
    )
    how = serializers.ChoiceField(
        choices=["include", "value", "pattern", "domain", "ip"],
        help_text="include, value, pattern: the record gives the name; domain: the name is in "
        "the same registrable domain as the vendor's (a PTR name); ip: the include's SPF "
        "authorises the address.",
    )


class RelatedVendorSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class VendorMatchSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField()
    credited = serializers.BooleanField(
        help_text="True for the vendor that runs the system the name belongs to (the most "
        "specific match; among entries sharing a system, the one the others name); false "
        "for entries that use it."
    )
    also_used_by = RelatedVendorSerializer(
        many=True, help_text="Catalog entries that send through this vendor's system."
    )
    records = RecordMatchSerializer(many=True)

    def get_url(self, match) -> str:
        return absolute(self.context.get("request"), reverse("api:vendor", args=[match.slug]))


class LookupSerializer(serializers.Serializer):
    name = serializers.CharField(
        allow_null=True, help_text="The name as looked up (normalised); null for an ip lookup."
    )
    ip = serializers.CharField(
        required=False, allow_null=True, help_text="The address looked up; null for a name."
    )
    includes_only = serializers.BooleanField(
        help_text="True when written include:<domain>: only SPF includes were matched."
    )
    incomplete = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="For an ip lookup: catalog includes whose SPF could not be read this time "
        "(DNS errors); the answer may miss their vendors.",
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
