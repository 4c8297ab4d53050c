"""Catalog endpoints: fetch, validate, call a selector, serialize. No rules of their own."""

from __future__ import annotations

from django.conf import settings
from django.http import StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.decorators import api_view, renderer_classes
from rest_framework.exceptions import APIException, NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from sources.api.caching import public_read
from sources.api.filters import (
    LookupParameters,
    NoParameters,
    VendorListParameters,
    read_parameters,
    vendor_filters,
)
from sources.api.pagination import paginate
from sources.api.renderers import CSVRenderer, csv_stream
from sources.api.schema import (
    CACHING_HEADERS,
    FORMAT_PARAMETER,
    JSON_FORMAT_PARAMETER,
    csv_response,
    public_responses,
)
from sources.api.serializers import (
    ROUTES,
    CatalogSerializer,
    CategorySerializer,
    LookupSerializer,
    MethodKindSerializer,
    VendorDetailSerializer,
    VendorListSerializer,
    VendorPageSerializer,
)
from sources.capability import method_routes
from sources.catalogfile import METHOD_KINDS
from sources.demandselectors import demand_version, vendor_demand
from sources.models import Vendor
from sources.selectors import (
    catalog_data,
    categories_with_counts,
    vendor_dns_checked_at,
    vendor_listing,
    vendor_lookup,
    vendor_to_data,
    vendors_by_ids,
)
from sources.services.lookups import vendor_ip_lookup

# The model fields VendorListSerializer reads.
LIST_FIELDS = ["slug", "name", "summary", "website", "dmarc_capability", "spf_routes"]
LIST_FIELDS += ["dkim_routes", "method_kinds", "last_verified", "updated_at"]
LIST_FIELDS += ["not_aligned", "no_compliant_option"]  # for each route's state
DATA_LICENSE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "attribution": "Email sources directory contributors",
}
TAGS = ["catalog"]
CSV_BATCH = 500  # vendors read (and serialised) at a time for a whole-list CSV


class TooManyRows(APIException):
    status_code = 400
    default_code = "too_many_rows"
    default_detail = "The list is too long for one CSV: narrow the filters or use pages."


@extend_schema(
    operation_id="vendors_list",
    summary="List and search vendors",
    description="Published vendors, filtered, searched and ordered, one page at a time. "
    "`q` is the site's own search (names and aliases tolerate typos). The `Link` header "
    "carries the next and previous pages too. As CSV (`?format=csv` or `Accept: text/csv`) "
    "without `page` or `page_size`, the response is the whole filtered list, streamed, "
    "with its row count in `X-Total-Count`; a list longer than `API_CSV_MAX_ROWS` (50,000 "
    "by default) is refused with a 400 `too_many_rows` rather than cut short.",
    parameters=[VendorListParameters, FORMAT_PARAMETER, *CACHING_HEADERS],
    responses=public_responses(
        {
            (200, "application/json"): VendorPageSerializer,
            **csv_response(
                "Every vendor of the filtered list as CSV (or the page asked for with page "
                "or page_size); lists are joined with '; '."
            ),
        },
        400,
    ),
    examples=[
        OpenApiExample(
            "A page of vendors",
            value={
                "count": 1,
                "next": None,
                "previous": None,
                "results": [
                    {
                        "slug": "sendgrid",
                        "name": "SendGrid",
                        "summary": "Transactional and marketing email.",
                        "website": "https://sendgrid.com/",
                        "categories": ["transactional-email"],
                        "dmarc_capability": "full",
                        "has_spf_route": True,
                        "has_dkim_route": True,
                        "method_kinds": ["cname-delegation"],
                        "last_verified": "2026-11-01",
                        "updated_at": "2026-11-02T09:30:00Z",
                        "url": "https://example.org/api/v1/vendors/sendgrid",
                        "page_url": "https://example.org/vendors/sendgrid/",
                    }
                ],
            },
            response_only=True,
            status_codes=["200"],
            media_type="application/json",
        )
    ],
    tags=TAGS,
)
@api_view(["GET", "HEAD"])
@renderer_classes([JSONRenderer, CSVRenderer])
@public_read
def vendor_list(request):
    query = read_parameters(VendorListParameters, request)
    ids = vendor_listing(
        query=query.get("q", ""),
        filters=vendor_filters(query),
        ordering=query.get("ordering", ""),
    )
    paged = "page" in request.query_params or "page_size" in request.query_params
    if request.accepted_renderer.format == "csv" and not paged:
        return _vendor_csv(request, ids)
    page = paginate(ids, request, page=query["page"], page_size=query["page_size"])
    queryset = Vendor.objects.prefetch_related("categories").only(*LIST_FIELDS)
    vendors = VendorListSerializer(
        vendors_by_ids(page.ids, queryset), many=True, context={"request": request}
    )
    data = {"count": page.count, "next": page.next, "previous": page.previous}
    response = Response({**data, "results": vendors.data})
    if page.next or page.previous:
        response["Link"] = page.links_header()
    return response


def _vendor_csv(request, ids: list[int]) -> StreamingHttpResponse:
    """Every vendor of the filtered list as CSV, streamed a batch at a time."""
    limit = settings.API_CSV_MAX_ROWS
    if len(ids) > limit:
        raise TooManyRows(
            f"This list has {len(ids)} vendors; a CSV holds at most {limit}. Narrow the "
            "filters, or fetch it in pages with page and page_size."
        )
    queryset = Vendor.objects.prefetch_related("categories").only(*LIST_FIELDS)
    context = {"request": request}

    def batches():
        for start in range(0, len(ids), CSV_BATCH):
            chunk = vendors_by_ids(ids[start : start + CSV_BATCH], queryset)
            yield VendorListSerializer(chunk, many=True, context=context).data

    columns = list(VendorListSerializer(context=context).fields)
    response = StreamingHttpResponse(
        csv_stream(columns, batches()), content_type="text/csv; charset=utf-8"
    )
    response["X-Total-Count"] = str(len(ids))
    return response


def _vendor_detail_version(slug: str):
    """What a vendor's detail shows besides the catalog: its demand and its last DNS check."""
    version, changed = demand_version(slug)
    checked = vendor_dns_checked_at(slug)
    if checked is not None:
        version = f"{version}:{checked.isoformat()}"
        if changed is None or checked > changed:
            changed = checked
    return version, changed


@extend_schema(
    operation_id="vendors_retrieve",
    summary="One vendor, with its setup methods",
    description="Everything the vendor's page shows: its methods with the DNS records to "
    "create (templates: `{domain}` is the customer's domain, other `{names}` are the "
    "method's parameters), documentation links and the DMARC capability derived from "
    "the methods, its scorecard against the checklist for vendors and the demand for it "
    "(checks and votes). The ETag changes with the demand figures too.",
    parameters=[
        OpenApiParameter(
            "slug",
            str,
            OpenApiParameter.PATH,
            description="The vendor's slug, as in /vendors/{slug}/ on the site.",
            examples=[OpenApiExample("SendGrid", value="sendgrid")],
        ),
        JSON_FORMAT_PARAMETER,
        *CACHING_HEADERS,
    ],
    responses=public_responses({200: VendorDetailSerializer}, 400, 404),
    tags=TAGS,
)
@api_view(["GET", "HEAD"])
@public_read(extra=lambda request, slug: _vendor_detail_version(slug))
def vendor_detail(request, slug):
    read_parameters(NoParameters, request)
    vendors = Vendor.objects.published().with_details().select_related("dns_check")
    vendor = vendors.filter(slug=slug).first()
    if vendor is None:
        raise NotFound(f"No published vendor {slug!r}.")
    context = {
        "request": request,
        "data": vendor_to_data(vendor),
        "demand": vendor_demand(vendor.pk),
    }
    return Response(VendorDetailSerializer(vendor, context=context).data)


@extend_schema(
    operation_id="categories_list",
    summary="Categories",
    description="Every category, in the site's order, with its number of published vendors.",
    parameters=[FORMAT_PARAMETER, *CACHING_HEADERS],
    responses=public_responses(
        {
            (200, "application/json"): CategorySerializer(many=True),
            **csv_response("The categories as CSV."),
        },
        400,
    ),
    tags=TAGS,
)
@api_view(["GET", "HEAD"])
@renderer_classes([JSONRenderer, CSVRenderer])
@public_read
def category_list(request):
    read_parameters(NoParameters, request)
    categories = categories_with_counts()
    return Response(CategorySerializer(categories, many=True, context={"request": request}).data)


@extend_schema(
    operation_id="method_kinds_list",
    summary="Setup method kinds",
    description="The ways a vendor can send for a customer's domain, best first.",
    parameters=[FORMAT_PARAMETER, *CACHING_HEADERS],
    responses=public_responses(
        {
            (200, "application/json"): MethodKindSerializer(many=True),
            **csv_response("The method kinds as CSV."),
        },
        400,
    ),
    tags=TAGS,
)
@api_view(["GET", "HEAD"])
@renderer_classes([JSONRenderer, CSVRenderer])
@public_read
def method_kind_list(request):
    read_parameters(NoParameters, request)
    kinds = [
        {
            "kind": kind,
            "label": label,
            "routes": [route for route in ROUTES if route in method_routes(kind, ())],
        }
        for kind, label in METHOD_KINDS.items()
    ]
    return Response(MethodKindSerializer(kinds, many=True).data)


@extend_schema(
    operation_id="lookup",
    summary="Which vendors a DNS name or an IP address belongs to",
    description="Give `name`: an SPF include domain (`sendgrid.net` or "
    "`include:sendgrid.net`), a DKIM CNAME target (`s1.domainkey.u123.wl.sendgrid.net`), "
    "an MX host or another host from a DNS record. It is matched against the catalog's "
    "record values (parameters match any label or labels) and patterns; written as "
    "`include:`, only SPF includes match. A name no record gives (a PTR name such as "
    "`o1.ptr1234.sendgrid.net`), or a registrable domain itself, also finds the vendors "
    "whose names are in its registrable domain (`how: domain`). Or give `ip`: the vendors "
    "whose catalog SPF include authorises the address (their include trees are walked "
    "through DNS and kept for an hour). `credited` marks the vendor that runs the system; "
    "entries sending through it are listed in `also_used_by`.",
    parameters=[
        LookupParameters,
        OpenApiParameter(
            "name",
            str,
            required=False,
            description=LookupParameters().fields["name"].help_text,
            examples=[
                OpenApiExample("An SPF include", value="include:sendgrid.net"),
                OpenApiExample("A DKIM CNAME target", value="s1.domainkey.u123.wl.sendgrid.net"),
                OpenApiExample("A return-path host", value="u123.wl.sendgrid.net"),
                OpenApiExample("A PTR name", value="o1.ptr1234.sendgrid.net"),
            ],
        ),
        OpenApiParameter(
            "ip",
            str,
            required=False,
            description=LookupParameters().fields["ip"].help_text,
            examples=[OpenApiExample("A report's source IP", value="192.0.2.10")],
        ),
        JSON_FORMAT_PARAMETER,
        *CACHING_HEADERS,
    ],
    responses=public_responses({200: LookupSerializer}, 400),
    examples=[
        OpenApiExample(
            "A DKIM CNAME target",
            value={
                "name": "s1.domainkey.u123.wl.sendgrid.net",
                "ip": None,
                "includes_only": False,
                "vendors": [
                    {
                        "slug": "sendgrid",
                        "name": "SendGrid",
                        "url": "https://example.org/api/v1/vendors/sendgrid",
                        "credited": True,
                        "also_used_by": [{"slug": "jobvite", "name": "Jobvite"}],
                        "records": [
                            {
                                "method": "cname-delegation",
                                "record": "dkim-s1",
                                "type": "CNAME",
                                "purpose": "dkim",
                                "matched": "s1.domainkey.u{account_id}.wl.sendgrid.net",
                                "how": "value",
                            }
                        ],
                    }
                ],
            },
            response_only=True,
            status_codes=["200"],
        )
    ],
    tags=TAGS,
)
@api_view(["GET", "HEAD"])
@public_read
def lookup(request):
    params = read_parameters(LookupParameters, request)
    if "ip" in params:
        vendors, incomplete = vendor_ip_lookup(ip=params["ip"])
        data = {
            "name": None,
            "ip": str(params["ip"]),
            "includes_only": True,
            "incomplete": incomplete,
            "vendors": vendors,
        }
    else:
        name = params["name"]
        data = {
            "name": name.name,
            "ip": None,
            "includes_only": name.includes_only,
            "vendors": vendor_lookup(query=name),
        }
    return Response(LookupSerializer(data, context={"request": request}).data)


@extend_schema(
    operation_id="catalog_export",
    summary="The whole catalog",
    description="Every published vendor in the catalog-file form (sources/catalog/FORMAT.md), "
    "with the categories. The data is licensed under CC BY 4.0, as `license` says (and the "
    '`Link: rel="license"` header).',
    parameters=[JSON_FORMAT_PARAMETER, *CACHING_HEADERS],
    responses=public_responses({200: CatalogSerializer}, 400),
    tags=TAGS,
)
@api_view(["GET", "HEAD"])
@public_read
def catalog(request):
    read_parameters(NoParameters, request)
    response = Response({"license": DATA_LICENSE, **catalog_data()})
    response["Link"] = f'<{DATA_LICENSE["url"]}>; rel="license"'
    return response


@extend_schema(exclude=True)
@api_view(["GET", "HEAD"])
def api_root(request):
    """Where everything is."""
    names = ["vendors", "categories", "method-kinds", "lookup", "catalog", "schema", "docs"]
    urls = {name: request.build_absolute_uri(reverse(f"api:{name}")) for name in names}
    return Response(urls)
