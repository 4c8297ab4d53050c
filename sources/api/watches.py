"""Domain verification for onboarding flows: watched domains and webhooks over the API.

An ESP (or any service that sends on its customers' behalf) registers a
customer's domain for a vendor, shows the customer the records to publish,
then polls the per-record states (or receives the webhook) until the domain
is verified. The same services as the site's watch pages; token
authentication as the rest of the API; every watch belongs to the token's
account.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from sources.api.schema import error_responses
from sources.api.watchserializers import (
    WatchEventSerializer,
    WatchInputSerializer,
    WatchListSerializer,
    WatchSerializer,
    WatchUpdateSerializer,
    WebhookCreatedSerializer,
    WebhookDeliverySerializer,
    WebhookInputSerializer,
    WebhookSerializer,
)
from sources.models import Watch, WatchState, WebhookEndpoint
from sources.ratelimit import client_key, ratelimit_named
from sources.selectors import watches_for
from sources.services.checks import CheckInputError
from sources.services.watches import watch_check_now, watch_create, watch_delete, watch_update
from sources.services.webhooks import WebhookRefused, endpoint_create

TAG = "domain verification"
MAX_PAGE_SIZE = 200

ONBOARDING = """
**An onboarding flow**, as an ESP's domain-verification screen runs it:

1. `POST /api/v1/watches` with the customer's domain, your vendor's slug and the
   customer's per-account values:
   `{"domain": "shop.example", "vendor": "mailhawk", "parameters": {"account_id": "7001"},
   "reference": "customer-42"}`. The answer (201) lists `records`: each one's `host`,
   `type`, `value` and `zone_line` to show the customer, all `pending`.
2. The customer publishes them. Poll `GET /api/v1/watches/{id}` (the watch is checked on
   its schedule, `interval_minutes`), or register a webhook once
   (`POST /api/v1/webhooks`) and receive `watch.state_changed` when a record changes.
3. When the customer clicks "Verify" in your screen, `POST /api/v1/watches/{id}/verify`
   checks the DNS at once and answers with the new states (rate-limited per account).
4. Each record is `verified` when found. Later, a record that disappears turns `failed`
   only after two checks agree, and a DNS timeout or SERVFAIL gives `temporary_failure`,
   never `failed`. The watch's own `state` sums its required records up.
"""


def _page(request, queryset):
    try:
        size = int(request.query_params.get("page_size", 50))
        number = int(request.query_params.get("page", 1))
    except ValueError:
        raise exceptions.ValidationError(
            {"page": ["Give page and page_size as numbers."]}
        ) from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise exceptions.ValidationError({"page_size": [f"Between 1 and {MAX_PAGE_SIZE}."]})
    paginator = Paginator(queryset, size)
    if number < 1 or number > paginator.num_pages:
        raise exceptions.ValidationError(
            {"page": [f"Page {number} is past the last page ({paginator.num_pages})."]}
        )
    page = paginator.page(number)
    url = request.build_absolute_uri()

    def link(n: int) -> str:
        return remove_query_param(url, "page") if n == 1 else replace_query_param(url, "page", n)

    return page, {
        "count": paginator.count,
        "next": link(number + 1) if page.has_next() else None,
        "previous": link(number - 1) if page.has_previous() else None,
    }


def _own_watch(request, pk) -> Watch:
    watch = Watch.objects.filter(pk=pk, owner=request.user).prefetch_related("records").first()
    if watch is None:
        raise exceptions.NotFound("You have no such watch.")
    return watch


def _body(request, watch: Watch) -> dict:
    return WatchSerializer(watch, context={"request": request}).data


CREATE_EXAMPLE = OpenApiExample(
    "A customer's domain for a vendor",
    value={
        "domain": "shop.example",
        "vendor": "mailhawk",
        "parameters": {"account_id": "7001"},
        "reference": "customer-42",
    },
    request_only=True,
)


@extend_schema(
    methods=["POST"],
    operation_id="watch_create",
    tags=[TAG],
    summary="Register a customer's domain: the records to publish",
    description="Starts watching the domain and answers with the records to publish, all "
    "`pending`; the first check runs within the scheduler's next run.\n" + ONBOARDING,
    request=WatchInputSerializer,
    responses={201: WatchSerializer, **error_responses(400, 401, 406, 429)},
    examples=[CREATE_EXAMPLE],
)
@extend_schema(
    methods=["GET"],
    operation_id="watch_list",
    tags=[TAG],
    summary="Your watched domains",
    parameters=[
        OpenApiParameter("state", str, enum=list(WatchState.values)),
        OpenApiParameter("vendor", str, description="A vendor slug; `-` for watches without one."),
        OpenApiParameter("q", str, description="Part of the domain."),
        OpenApiParameter("page", int),
        OpenApiParameter("page_size", int, description=f"1 to {MAX_PAGE_SIZE} (default 50)."),
    ],
    responses={200: WatchListSerializer, **error_responses(400, 401, 406, 429)},
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticated])
def watch_list_view(request):
    if request.method == "GET":
        state = request.query_params.get("state", "")
        if state and state not in WatchState.values:
            raise exceptions.ValidationError({"state": [f"One of {', '.join(WatchState.values)}."]})
        watches = watches_for(
            owner=request.user,
            state=state,
            vendor=request.query_params.get("vendor", "")[:60],
            query=request.query_params.get("q", "")[:253],
        ).prefetch_related("records")
        page, links = _page(request, watches)
        return Response({**links, "results": [_body(request, watch) for watch in page.object_list]})
    payload = WatchInputSerializer(data=request.data)
    payload.is_valid(raise_exception=True)
    data = payload.validated_data
    try:
        watch = watch_create(
            owner=request.user,
            domain=data["domain"],
            vendor=data.get("vendor") or None,
            method=data.get("method") or None,
            params=data.get("parameters") or {},
            interval_minutes=data.get("interval_minutes"),
            reference=data.get("reference", ""),
            source="api",
        )
    except CheckInputError as exc:
        raise exceptions.ValidationError(_field_errors(exc.errors)) from None
    body = _body(request, _own_watch(request, watch.pk))
    return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


def _field_errors(errors: dict) -> dict:
    out = {}
    for name, message in errors.items():
        if isinstance(message, dict):
            out[name] = {param: [str(text)] for param, text in message.items()}
        else:
            text = str(message)
            out[name] = [text[:1].upper() + text[1:]]
    return out


@extend_schema(
    methods=["GET"],
    operation_id="watch_retrieve",
    tags=[TAG],
    summary="A watch: its state and each record's",
    responses={200: WatchSerializer, **error_responses(401, 404, 406, 429)},
)
@extend_schema(
    methods=["PATCH"],
    operation_id="watch_update",
    tags=[TAG],
    summary="Change its interval, pause or resume it",
    request=WatchUpdateSerializer,
    responses={200: WatchSerializer, **error_responses(400, 401, 404, 406, 429)},
)
@extend_schema(
    methods=["DELETE"],
    operation_id="watch_destroy",
    tags=[TAG],
    summary="Stop watching (its history goes too)",
    responses={204: None, **error_responses(401, 404, 429)},
)
@api_view(["GET", "PATCH", "DELETE"])
@permission_classes([IsAuthenticated])
def watch_detail_view(request, pk):
    watch = _own_watch(request, pk)
    if request.method == "DELETE":
        watch_delete(watch=watch)
        return Response(status=status.HTTP_204_NO_CONTENT)
    if request.method == "PATCH":
        payload = WatchUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            watch_update(
                watch=watch,
                interval_minutes=payload.validated_data.get("interval_minutes"),
                active=payload.validated_data.get("active"),
            )
        except CheckInputError as exc:
            raise exceptions.ValidationError(_field_errors(exc.errors)) from None
    return Response(_body(request, watch))


@extend_schema(
    operation_id="watch_verify",
    tags=[TAG],
    summary="Re-verify now",
    description="Checks the domain's DNS at once and answers with the new states (what your "
    "customer's Verify button calls). Limited per account (`WATCH_VERIFY_RATE`, default "
    "20 an hour): a 429 says when to try again.",
    request=None,
    responses={200: WatchSerializer, **error_responses(401, 404, 406, 429)},
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def watch_verify_view(request, pk):
    watch = _own_watch(request, pk)
    limited = ratelimit_named("watch-verify", key=client_key(request))
    if not limited.allowed:
        raise exceptions.Throttled(wait=limited.retry_after)
    outcome = watch_check_now(watch=watch)
    return Response(_body(request, _own_watch(request, outcome.watch.pk)))


@extend_schema(
    operation_id="watch_events",
    tags=[TAG],
    summary="A watch's history: its state changes, newest first",
    responses={200: WatchEventSerializer(many=True), **error_responses(401, 404, 406, 429)},
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def watch_events_view(request, pk):
    watch = _own_watch(request, pk)
    return Response(WatchEventSerializer(watch.events.all()[:500], many=True).data)


# -- webhooks ---------------------------------------------------------------------------

WEBHOOKS = """
Each state change of a watch is POSTed as JSON (`event: "watch.state_changed"`, the watch
with its records' states, and `changes`) to every active webhook of the account, signed:
`X-Webhook-Timestamp` (unix seconds) and `X-Webhook-Signature: v1=<hex>`, the HMAC-SHA256 of
`<timestamp>.<body>` with the webhook's `secret`. Verify it before trusting the body (README,
"Webhooks"). Answer 2xx; anything else is retried with exponential backoff, and a webhook whose
deliveries keep failing is disabled. Only https:// addresses resolving to public addresses are
accepted.
"""


@extend_schema(
    methods=["POST"],
    operation_id="webhook_create",
    tags=[TAG],
    summary="Register a webhook",
    description=WEBHOOKS,
    request=WebhookInputSerializer,
    responses={201: WebhookCreatedSerializer, **error_responses(400, 401, 406, 429)},
)
@extend_schema(
    methods=["GET"],
    operation_id="webhook_list",
    tags=[TAG],
    summary="Your webhooks",
    responses={200: WebhookSerializer(many=True), **error_responses(401, 406, 429)},
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticated])
def webhook_list_view(request):
    if request.method == "GET":
        endpoints = WebhookEndpoint.objects.filter(owner=request.user)
        return Response(WebhookSerializer(endpoints, many=True).data)
    payload = WebhookInputSerializer(data=request.data)
    payload.is_valid(raise_exception=True)
    try:
        endpoint = endpoint_create(owner=request.user, url=payload.validated_data["url"])
    except WebhookRefused as exc:
        raise exceptions.ValidationError(
            {"url": [str(exc)[:1].upper() + str(exc)[1:] + "."]}
        ) from None
    return Response(WebhookCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)


def _own_endpoint(request, pk) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(pk=pk, owner=request.user).first()
    if endpoint is None:
        raise exceptions.NotFound("You have no such webhook.")
    return endpoint


@extend_schema(
    methods=["GET"],
    operation_id="webhook_retrieve",
    tags=[TAG],
    summary="A webhook, with its secret",
    responses={200: WebhookCreatedSerializer, **error_responses(401, 404, 406, 429)},
)
@extend_schema(
    methods=["DELETE"],
    operation_id="webhook_destroy",
    tags=[TAG],
    summary="Delete a webhook",
    responses={204: None, **error_responses(401, 404, 429)},
)
@api_view(["GET", "DELETE"])
@permission_classes([IsAuthenticated])
def webhook_detail_view(request, pk: int):
    endpoint = _own_endpoint(request, pk)
    if request.method == "DELETE":
        endpoint.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
    return Response(WebhookCreatedSerializer(endpoint).data)


@extend_schema(
    operation_id="webhook_deliveries",
    tags=[TAG],
    summary="A webhook's delivery log: each attempt's response code, newest first",
    responses={200: WebhookDeliverySerializer(many=True), **error_responses(401, 404, 406, 429)},
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def webhook_deliveries_view(request, pk: int):
    endpoint = _own_endpoint(request, pk)
    return Response(WebhookDeliverySerializer(endpoint.deliveries.all()[:200], many=True).data)
