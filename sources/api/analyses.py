"""Message analyses over the API.

    POST /api/v1/analyses          analyse a message; 200 (or 201 + Location when kept)
    GET  /api/v1/analyses/{id}     a kept analysis

The same service as the /analyze/ page and `manage.py analyze_message`
(sources/services/analyses.py): the answer is exactly the command's
`--format json`. Analyses do DNS work, so they share the checks' rate limit and
per-client concurrency.
"""

from __future__ import annotations

import math
from datetime import timedelta

from adrf.decorators import api_view as async_api_view
from asgiref.sync import sync_to_async
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import api_view, throttle_classes
from rest_framework.response import Response

from sources.analysis import MAX_MESSAGE_BYTES, MessageInputError
from sources.analysismodels import MessageAnalysis
from sources.analysiswords import input_error
from sources.api.checks import CHECK_THROTTLES, ID_PARAMETER, require_json_unless_token
from sources.api.errors import error_body
from sources.api.schema import error_responses
from sources.api.serializers import absolute
from sources.checkslots import check_slot
from sources.ratelimit import client_key
from sources.services.analyses import analysis_run_async, analysis_store

TAG = "analyses"


class AnalysisInputSerializer(serializers.Serializer):
    message = serializers.CharField(
        trim_whitespace=False,
        help_text="The message: its header fields alone, or the whole RFC 5322 message "
        "(.eml, up to 2 MB). With the whole message, DKIM signatures are verified.",
    )
    permalink = serializers.BooleanField(
        default=False,
        help_text="Keep the analysis (never the body) at a link for CHECK_RETENTION_DAYS days.",
    )

    def validate_message(self, text: str) -> bytes:
        raw = text.encode("utf-8", errors="surrogateescape")
        if len(raw) > MAX_MESSAGE_BYTES:
            params = {"size": len(raw), "limit": MAX_MESSAGE_BYTES}
            raise serializers.ValidationError(input_error("too-large", params))
        return raw


ANALYSIS_EXAMPLE = {
    "mode": "message",
    "verdict": "fail",
    "verdict_basis": "verified",
    "dmarc_pass_routes": [],
    "from": {
        "addresses": [{"address": "orders@example.com", "domain": "example.com"}],
        "domain": "example.com",
    },
    "return_path": {
        "address": "bounces+4242@sendgrid.net",
        "domain": "sendgrid.net",
        "source": "return-path",
    },
    "dkim": [
        {
            "index": 0,
            "domain": "sendgrid.net",
            "selector": "smtpapi",
            "algorithm": "rsa-sha256",
            "canonicalization": "relaxed/relaxed",
            "headers": ["from", "to", "subject", "date"],
            "length": None,
            "timestamp": 1796220000,
            "expires": None,
            "identity": "",
            "missing_tags": [],
            "key": {
                "name": "smtpapi._domainkey.sendgrid.net",
                "status": "found",
                "cname_target": None,
                "key_type": "rsa",
                "bits": 2048,
            },
            "verification": {"status": "pass", "detail": ""},
            "aligned": False,
            "passes": True,
        }
    ],
    "spf": {
        "ip": "167.89.10.20",
        "helo": "o1.ptr4242.sendgrid.net",
        "sender": "bounces+4242@sendgrid.net",
        "domain": "sendgrid.net",
        "result": "pass",
        "aligned": False,
    },
    "dmarc": {"domain": "example.com", "status": "found", "policy": "quarantine"},
    "receiver": {"authserv_id": "mx.example.net", "dmarc": "fail", "dkim": "pass", "spf": "pass"},
    "disagreements": [],
    "vendors": [
        {
            "slug": "sendgrid",
            "name": "SendGrid",
            "evidence": [
                {"signal": "dkim-domain", "value": "sendgrid.net"},
                {"signal": "return-path", "value": "sendgrid.net"},
            ],
            "unaligned": [
                {"code": "dkim-vendor-domain", "domain": "sendgrid.net"},
                {"code": "bounce-vendor-domain", "domain": "sendgrid.net"},
            ],
            "recipe": {
                "kind": "cname-delegation",
                "title": "Domain Authentication with Automated Security (three CNAMEs)",
                "aligns": ["spf", "dkim"],
                "records": [
                    {
                        "id": "dkim-s1",
                        "type": "CNAME",
                        "host": "s1._domainkey.example.com",
                        "value": "s1.domainkey.{mail_target}",
                        "purpose": "dkim",
                    }
                ],
            },
        }
    ],
    "timed_out": False,
}


def _body(kept: MessageAnalysis, request) -> dict:
    url = absolute(request, reverse("api:analysis", args=[kept.pk]))
    return {"id": str(kept.pk), "url": url, "created_at": kept.created_at, **kept.result}


def too_many_at_once() -> Response:
    wait = max(1, math.ceil(settings.CHECK_TIME_BUDGET))
    detail = (
        f"Too many checks and analyses running at once from you (at most "
        f"{settings.CHECK_CONCURRENCY}): try again when one has finished, in about {wait} seconds."
    )
    response = Response(error_body("throttled", detail), status=status.HTTP_429_TOO_MANY_REQUESTS)
    response["Retry-After"] = str(wait)
    return response


def _validated(request) -> dict:
    require_json_unless_token(request)
    serializer = AnalysisInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema(
    operation_id="analyses_create",
    summary="Analyse a message",
    description="Reads a message (its header fields, or the whole message) and reports: the "
    "From domain, Return-Path, each DKIM signature (verified when the body is given, with "
    "its key looked up now), ARC sets, the Authentication-Results and Received-SPF the "
    "receiver recorded, the Received chain with per-hop delay, SPF evaluated again for the "
    "connecting address, DMARC alignment per route with the From domain's record fetched "
    "now, where the receiver's results and ours differ and why, and the vendor that sent "
    "it with its recipe. The answer is `manage.py analyze_message --format json`. Nothing "
    "is stored unless `permalink` is true (201 with `Location`; the body is never kept). "
    "Input that is not a message is a 400 naming why. Rate limited per client with the "
    "checks (CHECK_RATE, CHECK_CONCURRENCY).",
    request=AnalysisInputSerializer,
    responses={
        (200, "application/json"): OpenApiResponse(
            OpenApiTypes.OBJECT,
            examples=[OpenApiExample("A vendor's unaligned message", value=ANALYSIS_EXAMPLE)],
        ),
        (201, "application/json"): OpenApiResponse(
            OpenApiTypes.OBJECT, description="Kept: the same with `id`, `url`, `created_at`."
        ),
        **error_responses(400, 401, 429),
    },
    examples=[
        OpenApiExample(
            "Header fields",
            value={
                "message": "Return-Path: <bounces+4242@sendgrid.net>\r\n"
                "Authentication-Results: mx.example.net; dkim=pass header.d=sendgrid.net\r\n"
                "Received: from o1.ptr4242.sendgrid.net (o1.ptr4242.sendgrid.net "
                "[167.89.10.20]) by mx.example.net; Wed, 2 Dec 2026 10:00:05 +0000\r\n"
                "DKIM-Signature: v=1; a=rsa-sha256; d=sendgrid.net; s=smtpapi; h=from:to; "
                "bh=...; b=...\r\nFrom: Orders <orders@example.com>\r\n",
                "permalink": False,
            },
            request_only=True,
        )
    ],
    tags=[TAG],
)
@async_api_view(["POST"])
@throttle_classes(CHECK_THROTTLES)
async def analysis_create_view(request):
    data = await sync_to_async(_validated)(request)
    async with check_slot(client_key(request)) as admitted:
        if not admitted:
            return too_many_at_once()
        try:
            report = await analysis_run_async(data["message"])
        except MessageInputError as exc:
            raise exceptions.ValidationError(
                {"message": [input_error(exc.code, exc.params)]}
            ) from None
    if not data["permalink"]:
        return Response(report)
    kept = await sync_to_async(analysis_store)(data=report, source="api")
    response = Response(_body(kept, request), status=status.HTTP_201_CREATED)
    response["Location"] = reverse("api:analysis", args=[kept.pk])
    return response


@extend_schema(
    operation_id="analyses_retrieve",
    summary="A kept analysis",
    description="An analysis kept with `permalink`, as it was made (its lookups are not run "
    "again). Kept for CHECK_RETENTION_DAYS days.",
    parameters=[ID_PARAMETER],
    responses={200: OpenApiTypes.OBJECT, **error_responses(401, 404, 429)},
    tags=[TAG],
)
@api_view(["GET"])
def analysis_detail_view(request, pk):
    cutoff = timezone.now() - timedelta(days=settings.CHECK_RETENTION_DAYS)
    kept = MessageAnalysis.objects.filter(pk=pk, created_at__gte=cutoff).first()
    if kept is None:
        raise exceptions.NotFound(f"No analysis {pk}.")
    return Response(_body(kept, request))
