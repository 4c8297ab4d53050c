"""DNS checks over the API: one domain now, or many in the background.

    POST /api/v1/checks                      run a check; 201 + Location
    GET  /api/v1/checks/{id}                 a stored check
    POST /api/v1/bulk-checks                 queue a bulk check; 202 + Location
    GET  /api/v1/bulk-checks/{id}            its progress
    GET  /api/v1/bulk-checks/{id}/results    its results, JSON or CSV, once done

The same services as the web pages and the command line
(sources/services/checks.py, bulkchecks.py): a check's JSON is exactly the
command line's `check_domain --format json`, plus `id`, `url` and `created_at`.
Checks are rate limited per client, with the web form's counters.
"""

from __future__ import annotations

import contextlib
import math

from adrf.decorators import api_view as async_api_view
from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import exceptions, status
from rest_framework.decorators import api_view, renderer_classes, throttle_classes
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from sources.api.checkserializers import (
    CHECK_EXAMPLE,
    BulkCheckInputSerializer,
    BulkCheckSerializer,
    CheckInputSerializer,
    CheckReportSerializer,
)
from sources.api.errors import error_body
from sources.api.renderers import CSVRenderer
from sources.api.schema import error_responses
from sources.api.serializers import ErrorSerializer, absolute
from sources.api.throttling import RateLimitThrottle
from sources.checkslots import check_slot
from sources.models import BulkCheck, CheckResult
from sources.ratelimit import client_key
from sources.services.bulkchecks import (
    bulk_create,
    bulk_csv_lines,
    bulk_json_chunks,
    bulk_status,
)
from sources.services.checks import check_run_async, check_store

TAG = "checks"


# -- rate limits: the API's own limit, and the checks' limit shared with the web form --

CHECK_THROTTLES = [RateLimitThrottle, RateLimitThrottle.of("check", methods=["POST"])]
BULK_THROTTLES = [RateLimitThrottle, RateLimitThrottle.of("bulk-check", methods=["POST"])]


def require_json_unless_token(request) -> None:
    """Refuse a write that any web page could make its visitors' browsers send.

    A page on another site can post a form (urlencoded, multipart or text/plain)
    here without asking; JSON needs a CORS preflight, which this API refuses for
    writes. So without an API token only JSON is accepted: the site's own pages and
    scripts send JSON, and a token holder may send forms.
    """
    # A body over the size limit is a 413 first, whatever its type; an unknown type is
    # answered below, saying what is accepted.
    with contextlib.suppress(exceptions.UnsupportedMediaType):
        request.data  # noqa: B018
    if request.content_type.partition(";")[0].strip().lower() == "application/json":
        return
    if request.auth is not None:  # an API token, which another site cannot attach
        return
    raise exceptions.UnsupportedMediaType(
        request.content_type,
        detail="Send JSON (Content-Type: application/json); other bodies need an API token.",
    )


class NotFinished(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_finished"
    default_detail = "The bulk check has not finished yet: follow its progress and ask again."


def _check_body(result: CheckResult, request) -> dict:
    url = absolute(request, reverse("api:check", args=[result.pk]))
    return {"id": str(result.pk), "url": url, "created_at": result.created_at, **result.result}


def _bulk_body(bulk: BulkCheck, request) -> dict:
    body = bulk_status(bulk)
    body["url"] = absolute(request, reverse("api:bulk-check", args=[bulk.pk]))
    body["results_url"] = (
        absolute(request, reverse("api:bulk-check-results", args=[bulk.pk]))
        if bulk.is_finished
        else None
    )
    return body


ID_PARAMETER = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)


@extend_schema(
    operation_id="checks_create",
    summary="Check a domain",
    description="Looks up the domain's DNS now and tests it against the vendor's setup method "
    "(or, without a vendor, reports its DMARC, SPF, DKIM and MX). The answer is the same JSON "
    "as `manage.py check_domain --format json`; it is also stored, at the `Location` given. "
    "A lookup that timed out is a requirement with status `error` (retry), never a missing "
    "record. Rate limited per client (CHECK_RATE, shared with the web form).",
    request=CheckInputSerializer,
    responses={
        (201, "application/json"): OpenApiResponse(
            CheckReportSerializer,
            examples=[OpenApiExample("A partial set-up", value=CHECK_EXAMPLE)],
        ),
        **error_responses(400, 401, 429),
    },
    examples=[
        OpenApiExample(
            "A vendor check",
            value={
                "domain": "example.com",
                "vendor": "zendesk",
                "method": "dkim-cname",
                "parameters": {
                    "selector1": "zd1",
                    "target1": "zd1._domainkey.example-target.com",
                    "selector2": "zd2",
                    "target2": "zd2._domainkey.example-target.com",
                },
            },
            request_only=True,
        ),
        OpenApiExample("A general report", value={"domain": "example.com"}, request_only=True),
    ],
    tags=[TAG],
)
@async_api_view(["POST"])
@throttle_classes(CHECK_THROTTLES)
async def check_create_view(request):
    # Authentication, throttles and validation use the database, in a thread;
    # the lookups run on the event loop, so a slow domain holds no server thread.
    check = await sync_to_async(_validated_check)(request)
    async with check_slot(client_key(request)) as admitted:
        if not admitted:
            return _too_many_at_once()
        data = await check_run_async(check)
    result = await sync_to_async(check_store)(check=check, data=data, source="api")
    response = Response(_check_body(result, request), status=status.HTTP_201_CREATED)
    response["Location"] = reverse("api:check", args=[result.pk])
    return response


def _validated_check(request):
    require_json_unless_token(request)
    serializer = CheckInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["check"]


def _too_many_at_once() -> Response:
    wait = max(1, math.ceil(settings.CHECK_TIME_BUDGET))
    detail = (
        f"Too many checks running at once from you (at most {settings.CHECK_CONCURRENCY}): "
        f"try again when one has finished, in about {wait} seconds."
    )
    response = Response(error_body("throttled", detail), status=status.HTTP_429_TOO_MANY_REQUESTS)
    response["Retry-After"] = str(wait)
    return response


@extend_schema(
    operation_id="checks_retrieve",
    summary="A stored check",
    description="A check as it was when it ran (it is not run again). Checks are kept for "
    "CHECK_RETENTION_DAYS days.",
    parameters=[ID_PARAMETER],
    responses={200: CheckReportSerializer, **error_responses(401, 404, 429)},
    tags=[TAG],
)
@api_view(["GET"])
def check_detail_view(request, pk):
    result = CheckResult.objects.filter(pk=pk).first()
    if result is None:
        raise exceptions.NotFound(f"No check {pk}.")
    return Response(_check_body(result, request))


@extend_schema(
    operation_id="bulk_checks_create",
    summary="Check many domains in the background",
    description=f"Queues a check of every domain (at most BULK_CHECK_MAX_DOMAINS, "
    f"{settings.BULK_CHECK_MAX_DOMAINS} here) against one vendor's method. Entries that are "
    "not domains are skipped: the first 100 are listed in `invalid_rows`, and `invalid_count` "
    "counts them all; duplicates are checked once. A text of more than twice "
    "BULK_CHECK_MAX_DOMAINS lines (and a list longer than it) is refused unread. "
    "Follow the `Location` for progress; results are at `results_url` once `status` is "
    "`done`. Rate limited per client (BULK_CHECK_RATE).",
    request=BulkCheckInputSerializer,
    responses={
        (202, "application/json"): BulkCheckSerializer,
        **error_responses(400, 401, 429),
    },
    examples=[
        OpenApiExample(
            "Domains for one vendor",
            value={
                "domains": ["example.com", "https://example.org/", "not a domain"],
                "vendor": "mailchimp",
            },
            request_only=True,
        ),
        OpenApiExample(
            "Queued",
            value={
                "id": "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
                "url": "https://example.org/api/v1/bulk-checks/3f2504e0-4f89-11d3-9a0c-0305e82c3301",
                "status": "queued",
                "vendor": "mailchimp",
                "method": "cname-delegation",
                "total": 2,
                "done": 0,
                "percent": 0,
                "counts": {"pass": 0, "partial": 0, "fail": 0, "error": 0},
                "invalid_rows": [
                    {"line": 3, "text": "not a domain", "error": "the label ... contains ' '"}
                ],
                "error": None,
                "results_url": None,
                "created_at": "2026-11-29T10:00:00Z",
                "started_at": None,
                "finished_at": None,
            },
            response_only=True,
            status_codes=["202"],
        ),
    ],
    tags=[TAG],
)
@api_view(["POST"])
@throttle_classes(BULK_THROTTLES)
def bulk_check_create_view(request):
    require_json_unless_token(request)
    serializer = BulkCheckInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    bulk = bulk_create(
        check=data["check"], rows=data["rows"], source="api", client=client_key(request)
    )
    bulk.refresh_from_db()  # the task may already have run (an immediate backend)
    response = Response(_bulk_body(bulk, request), status=status.HTTP_202_ACCEPTED)
    response["Location"] = reverse("api:bulk-check", args=[bulk.pk])
    return response


@extend_schema(
    operation_id="bulk_checks_retrieve",
    summary="Progress of a bulk check",
    parameters=[ID_PARAMETER],
    responses={200: BulkCheckSerializer, **error_responses(401, 404, 429)},
    tags=[TAG],
)
@api_view(["GET"])
def bulk_check_detail_view(request, pk):
    bulk = BulkCheck.objects.filter(pk=pk).first()
    if bulk is None:
        raise exceptions.NotFound(f"No bulk check {pk}.")
    response = Response(_bulk_body(bulk, request))
    response["Cache-Control"] = "no-store"
    return response


@extend_schema(
    operation_id="bulk_checks_results",
    summary="Results of a finished bulk check",
    description="JSON: the bulk check's status with `results`, one report per domain in "
    "file order (each as `POST /checks` gives it, plus `line`). CSV (`?format=csv` or "
    "`Accept: text/csv`): one row per domain with its verdict, failing requirements and "
    "fixes, then the invalid rows. Streamed, so a large bulk starts arriving at once.",
    parameters=[
        ID_PARAMETER,
        OpenApiParameter("format", str, enum=["json", "csv"], description="Or use Accept."),
    ],
    responses={
        (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT),
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
        **error_responses(400, 401, 404, 406, 429),
        (409, "application/json"): OpenApiResponse(
            ErrorSerializer, description="The bulk check has not finished yet."
        ),
    },
    tags=[TAG],
)
@api_view(["GET"])
@renderer_classes([JSONRenderer, CSVRenderer])
def bulk_check_results_view(request, pk):
    bulk = BulkCheck.objects.filter(pk=pk).first()
    if bulk is None:
        raise exceptions.NotFound(f"No bulk check {pk}.")
    if not bulk.is_finished:
        raise NotFinished()
    base = request.build_absolute_uri("/").rstrip("/")
    if request.accepted_renderer.format == "csv":
        return StreamingHttpResponse(
            bulk_csv_lines(bulk, base_url=base), content_type="text/csv; charset=utf-8"
        )
    return StreamingHttpResponse(
        bulk_json_chunks(bulk, base_url=base), content_type="application/json"
    )
