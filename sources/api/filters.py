"""Query parameters of the read endpoints, validated: bad input is a 400 naming the field."""

from __future__ import annotations

from rest_framework import serializers

from sources.api.serializers import CAPABILITY_CHOICES, METHOD_KIND_CHOICES
from sources.capability import NO, NOT_DOCUMENTED, YES
from sources.catalogknowledge import InvalidName, parse_lookup_name
from sources.checker.spfranges import parse_address
from sources.models import Category
from sources.search import MAX_QUERY
from sources.selectors import ORDERINGS, VendorFilters

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
# Handled by content negotiation (?format=csv), so allowed everywhere.
COMMON_PARAMETERS = {"format"}


def read_parameters(serializer_class: type[serializers.Serializer], request) -> dict:
    """Validate the query string: unknown or repeated parameters are errors too."""
    params = request.query_params
    known = set(serializer_class().fields) | COMMON_PARAMETERS
    errors = {}
    for name in params:
        if name not in known:
            errors[name] = ["Unknown parameter."]
        elif len(params.getlist(name)) > 1:
            errors[name] = ["Give this parameter once."]
    # A plain dict: a QueryDict would make absent booleans False (HTML form rules).
    given = {name: params[name] for name in params if name in known - COMMON_PARAMETERS}
    serializer = serializer_class(data=given)
    if not serializer.is_valid():
        errors = {**serializer.errors, **errors}
    if errors:
        raise serializers.ValidationError(errors)
    return serializer.validated_data


class PageParameters(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, default=1, help_text="From 1.")
    page_size = serializers.IntegerField(
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        default=DEFAULT_PAGE_SIZE,
        help_text=f"Vendors per page, at most {MAX_PAGE_SIZE}.",
    )


class RouteStateField(serializers.ChoiceField):
    """A route filter: true, false (the boolean spellings DRF accepts) or unknown."""

    default_error_messages = {"invalid_choice": "Must be true, false or unknown."}
    STATES = {"true": YES, "false": NO, "unknown": NOT_DOCUMENTED}

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=list(self.STATES), required=False, **kwargs)

    def to_internal_value(self, data) -> str:
        text = str(data).strip().lower()
        if text in {str(v).lower() for v in serializers.BooleanField.TRUE_VALUES}:
            return YES
        if text in {str(v).lower() for v in serializers.BooleanField.FALSE_VALUES}:
            return NO
        if text == "unknown":
            return NOT_DOCUMENTED
        self.fail("invalid_choice", input=data)


class VendorListParameters(PageParameters):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_QUERY,
        help_text="Search names, aliases (typos tolerated) and summaries.",
    )
    category = serializers.SlugField(required=False, help_text="A category slug.")
    method = serializers.ChoiceField(
        choices=METHOD_KIND_CHOICES, required=False, help_text="Vendors offering this method."
    )
    capability = serializers.ChoiceField(
        choices=CAPABILITY_CHOICES, required=False, help_text="The derived DMARC capability."
    )
    has_spf_route = RouteStateField(
        help_text="true: an SPF-aligned route is documented; false: documented as not "
        "possible; unknown: not documented."
    )
    has_dkim_route = RouteStateField(
        help_text="true: a DKIM-aligned route is documented; false: documented as not "
        "possible; unknown: not documented."
    )
    updated_since = serializers.DateTimeField(
        required=False,
        help_text="Changed at or after this ISO 8601 date or date-time (UTC when no zone; "
        "write a + in the offset as %2B).",
    )
    ordering = serializers.ChoiceField(
        choices=list(ORDERINGS),
        required=False,
        help_text="Default: relevance when searching, else name. '-' reverses.",
    )

    def validate_category(self, slug: str) -> str:
        if not Category.objects.filter(slug=slug).exists():
            raise serializers.ValidationError(
                f"No category {slug!r}: see /api/v1/categories for the list."
            )
        return slug


def vendor_filters(data: dict) -> VendorFilters:
    """The selector's filters from validated VendorListParameters data."""
    return VendorFilters(
        category=data.get("category", ""),
        method=data.get("method", ""),
        capability=data.get("capability", ""),
        has_spf_route=data.get("has_spf_route", ""),
        has_dkim_route=data.get("has_dkim_route", ""),
        updated_since=data.get("updated_since"),
    )


class LookupParameters(serializers.Serializer):
    name = serializers.CharField(
        max_length=300,
        required=False,
        help_text="An SPF include (sendgrid.net or include:sendgrid.net), a DKIM CNAME "
        "target (s1.domainkey.u123.wl.sendgrid.net), an MX host, or a host name such as "
        "the PTR name of a sending IP (o1.ptr1234.sendgrid.net). Give `name` or `ip`.",
    )
    ip = serializers.CharField(
        max_length=60,
        required=False,
        help_text="An IPv4 or IPv6 address, such as a DMARC aggregate report's source IP: "
        "the vendors whose SPF include authorises it. Give `name` or `ip`.",
    )

    def validate_name(self, text: str):
        try:
            return parse_lookup_name(text)
        except InvalidName as exc:
            raise serializers.ValidationError(f"{text[:60]!r} {exc}") from None

    def validate_ip(self, text: str):
        try:
            return parse_address(text)
        except ValueError as exc:
            raise serializers.ValidationError(f"{text[:60]!r} {exc}") from None

    def validate(self, attrs):
        if "name" in attrs and "ip" in attrs:
            raise serializers.ValidationError({"ip": ["Give name or ip, not both."]})
        if "name" not in attrs and "ip" not in attrs:
            raise serializers.ValidationError({"name": ["This field is required (or give ip)."]})
        return attrs


class NoParameters(serializers.Serializer):
    """Endpoints that take no parameters (besides format)."""
