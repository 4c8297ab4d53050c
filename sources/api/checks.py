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
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import api_view, renderer_classes, throttle_classes
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from sources.api.renderers import CSVRenderer
from sources.api.schema import error_responses
from sources.api.serializers import ErrorSerializer, absolute
from sources.api.throttling import ClientRateThrottle
from sources.checker.check import SECTIONS
from sources.models import BulkCheck, CheckResult
from sources.ratelimit import client_key
from sources.services.bulkchecks import (
    ParsedRows,
    bulk_create,
    bulk_csv_lines,
    bulk_json_chunks,
    bulk_rows_parse,
    bulk_status,
)
from sources.services.checks import (
    CheckInputError,
    check_create,
    check_input_clean,
    check_rate_hit,
)

TAG = "checks"
VERDICTS = ["pass", "partial", "fail", "error"]
STATUSES = ["pass", "fail", "warn", "error"]


# -- rate limits -----------------------------------------------------------------


class CheckRateThrottle(BaseThrottle):
    """CHECK_RATE per client, shared with the web form."""

    bulk = False
    retry_after = 0

    def allow_request(self, request, view) -> bool:
        if request.method != "POST":
            return True
        result = check_rate_hit(client=client_key(request), bulk=self.bulk)
        self.retry_after = result.retry_after
        return result.allowed

    def wait(self) -> float:
        return self.retry_after


class BulkCheckRateThrottle(CheckRateThrottle):
    """BULK_CHECK_RATE per client, shared with the web form."""

    bulk = True


class NotFinished(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_finished"
    default_detail = "The bulk check has not finished yet: follow its progress and ask again."


# -- input -------------------------------------------------------------------------


class CheckInputSerializer(serializers.Serializer):
    domain = serializers.CharField(
        max_length=1000,
        help_text="The domain to check. A URL or an e-mail address works too; the report's "
        "`domain` is the normalised name.",
    )
    vendor = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=200,
        help_text="A vendor's slug (or name). Leave out for a general domain report.",
    )
    method = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=30,
        help_text="The vendor's setup method kind; default: its recommended method.",
    )
    parameters = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=255),
        required=False,
        help_text="Values from the customer's vendor account that the method's records use "
        "(see the vendor's `methods[].parameters`).",
    )
    only = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(SECTIONS)),
        required=False,
        allow_empty=False,
        help_text="Limit the report to these checks.",
    )

    def validate(self, attrs):
        try:
            attrs["check"] = check_input_clean(
                domain=attrs["domain"],
                vendor=attrs.get("vendor") or None,
                method=attrs.get("method") or None,
                params=attrs.get("parameters") or {},
                only=attrs.get("only"),
            )
        except CheckInputError as exc:
            raise serializers.ValidationError(_field_errors(exc)) from None
        return attrs


class BulkCheckInputSerializer(serializers.Serializer):
    domains = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=1000),
        required=False,
        help_text="The domains (URLs and e-mail addresses work too). Entries that are not "
        "domains are reported in `invalid_rows` by position (1 = the first) and skipped.",
    )
    csv = serializers.CharField(
        required=False,
        max_length=2_000_000,
        help_text="Or CSV text: a `domain` column if there is a header, else the first "
        "column; `invalid_rows` then gives line numbers.",
    )
    vendor = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=200,
        help_text="A vendor's slug (or name); leave out for general domain reports.",
    )
    method = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=30,
        help_text="The vendor's setup method kind; default: its recommended method.",
    )
    parameters = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=255),
        required=False,
        help_text="Values from the customer's vendor account, the same for every domain.",
    )

    def validate(self, attrs):
        domains, text = attrs.get("domains"), attrs.get("csv")
        if (domains is None) == (text is None):
            raise serializers.ValidationError({"domains": ["Give either `domains` or `csv`."]})
        limit = settings.BULK_CHECK_MAX_DOMAINS
        if domains is not None and len(domains) > limit:
            raise serializers.ValidationError(
                {"domains": [f"At most {limit} domains per bulk check; this has {len(domains)}."]}
            )
        try:
            attrs["check"] = check_input_clean(
                domain=None,
                vendor=attrs.get("vendor") or None,
                method=attrs.get("method") or None,
                params=attrs.get("parameters") or {},
            )
        except CheckInputError as exc:
            raise serializers.ValidationError(_field_errors(exc)) from None
        try:
            rows = (
                bulk_rows_parse(text, limit=limit)
                if text is not None
                else _rows_from_list(domains or [])
            )
        except ValueError as exc:
            raise serializers.ValidationError({"csv": [str(exc)]}) from None
        if not rows.domains:
            field = "csv" if text is not None else "domains"
            raise serializers.ValidationError(
                {field: ["No domains to check: every entry is empty or invalid."]}
            )
        attrs["rows"] = rows
        return attrs


def _rows_from_list(domains: list[str]) -> ParsedRows:
    """A JSON list read like a one-column CSV without a header: positions as line numbers."""
    rows = ParsedRows()
    for position, text in enumerate(domains, start=1):
        parsed = bulk_rows_parse('"' + text.replace('"', '""') + '"' if text.strip() else "")
        if parsed.domains:
            domain = parsed.domains[0][1]
            if any(domain == seen for _, seen in rows.domains):
                line = next(line for line, seen in rows.domains if seen == domain)
                rows.invalid.append(
                    {
                        "line": position,
                        "text": text[:200],
                        "error": f"duplicate of entry {line} (checked once)",
                    }
                )
            else:
                rows.domains.append((position, domain))
        else:
            error = parsed.invalid[0]["error"] if parsed.invalid else "empty"
            rows.invalid.append({"line": position, "text": text[:200], "error": error})
    return rows


def _field_errors(exc: CheckInputError) -> dict:
    errors: dict = {}
    for name, message in exc.errors.items():
        if isinstance(message, dict):
            errors["parameters"] = {param: [text] for param, text in message.items()}
        else:
            errors[name] = [message]
    return errors


# -- output (documentation of the report's shape) --------------------------------------


class RequirementSerializer(serializers.Serializer):
    id = serializers.CharField()
    purpose = serializers.CharField(help_text="return-path, dkim, spf, delegation, tracking, ...")
    status = serializers.ChoiceField(choices=STATUSES, help_text="error: the lookup failed; retry.")
    expected = serializers.CharField()
    observed = serializers.ListField(child=serializers.CharField())
    fix = serializers.CharField(allow_null=True, help_text="The zone-file line that fixes it.")
    type = serializers.CharField()
    check = serializers.CharField()
    host = serializers.CharField(allow_null=True)
    required = serializers.BooleanField()
    selector = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class SPFSectionSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="ok, none, invalid (permerror) or error (retry)")
    record = serializers.CharField(allow_null=True)
    lookups = serializers.IntegerField(help_text="DNS-querying terms in the whole tree (max 10)")
    void_lookups = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.CharField())
    warnings = serializers.ListField(child=serializers.CharField())
    tree = serializers.JSONField(allow_null=True, help_text="The include tree, with costs.")


class DMARCSectionSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="found, none, invalid, multiple or error")
    record = serializers.CharField(allow_null=True)
    policy = serializers.CharField(allow_null=True, help_text="none, quarantine or reject")
    policy_tag = serializers.CharField(allow_null=True, help_text="p, sp or np")
    policy_domain = serializers.CharField(allow_null=True)
    organisational_domain = serializers.CharField(allow_null=True)
    warnings = serializers.ListField(child=serializers.CharField())
    errors = serializers.ListField(child=serializers.CharField())


class DKIMKeySerializer(serializers.Serializer):
    status = serializers.CharField(help_text="found, missing, invalid, revoked or error")
    key_type = serializers.CharField(allow_null=True)
    bits = serializers.IntegerField(allow_null=True)
    warnings = serializers.ListField(child=serializers.CharField())
    errors = serializers.ListField(child=serializers.CharField())
    name = serializers.CharField()
    cname_target = serializers.CharField(allow_null=True)


class PlanRowSerializer(serializers.Serializer):
    host = serializers.CharField()
    name = serializers.CharField(help_text="Relative to `zone` (@ for the apex).")
    type = serializers.CharField()
    value = serializers.CharField(help_text="As typed into a DNS provider's form.")
    ttl = serializers.IntegerField()
    zone_line = serializers.CharField()
    action = serializers.ChoiceField(choices=["add", "replace"])
    replaces = serializers.ListField(child=serializers.CharField())


class ChangePlanSerializer(serializers.Serializer):
    zone = serializers.CharField()
    rows = PlanRowSerializer(many=True)
    zone_file = serializers.CharField(help_text="Every change in master-file syntax.")
    warnings = serializers.ListField(
        child=serializers.CharField(), help_text="E.g. a merged SPF record over 10 lookups."
    )


class StatsSerializer(serializers.Serializer):
    queries = serializers.IntegerField()
    elapsed_ms = serializers.FloatField()


class CheckReportSerializer(serializers.Serializer):
    """The report, as `manage.py check_domain --format json` prints it (keys may be added)."""

    id = serializers.UUIDField()
    url = serializers.URLField()
    created_at = serializers.DateTimeField()
    domain = serializers.CharField()
    vendor = serializers.CharField(allow_null=True)
    verdict = serializers.ChoiceField(choices=VERDICTS)
    headline = serializers.CharField(help_text="The verdict in one sentence.")
    dmarc_pass_routes = serializers.ListField(
        child=serializers.CharField(), help_text='The aligned routes in place: "dkim", "spf".'
    )
    requirements = RequirementSerializer(many=True)
    spf = SPFSectionSerializer(allow_null=True)
    dmarc = DMARCSectionSerializer(allow_null=True)
    dkim = serializers.DictField(child=DKIMKeySerializer(), help_text="By selector.")
    change_plan = ChangePlanSerializer()
    stats = StatsSerializer()


class BulkCheckSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.URLField()
    status = serializers.ChoiceField(choices=BulkCheck.Status.values)
    vendor = serializers.CharField(allow_null=True)
    method = serializers.CharField(allow_null=True)
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    percent = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="By verdict.")
    invalid_rows = serializers.ListField(child=serializers.DictField())
    error = serializers.CharField(allow_null=True)
    results_url = serializers.URLField(allow_null=True, help_text="Set once the check is done.")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


CHECK_EXAMPLE = {
    "id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
    "url": "https://example.org/api/v1/checks/1b4e28ba-2fa1-11d2-883f-0016d3cca427",
    "created_at": "2026-11-29T10:00:00Z",
    "domain": "example.com",
    "vendor": "zendesk",
    "verdict": "partial",
    "headline": "Mail that Zendesk sends for example.com will pass DMARC through DKIM "
    "alignment, but 1 required record needs attention.",
    "dmarc_pass_routes": ["dkim"],
    "requirements": [
        {
            "id": "dkim-2",
            "purpose": "dkim",
            "status": "fail",
            "expected": "CNAME zd2._domainkey.example-target.com",
            "observed": [],
            "fix": "zd2._domainkey.example.com. 3600 IN CNAME zd2._domainkey.example-target.com.",
        }
    ],
    "spf": {"record": "v=spf1 include:mail.zendesk.com -all", "lookups": 3, "void_lookups": 0},
    "dmarc": {"record": "v=DMARC1; p=reject", "policy": "reject"},
    "dkim": {"zd1": {"status": "found", "key_type": "rsa", "bits": 2048, "warnings": []}},
    "change_plan": {"zone": "example.com", "warnings": []},
    "stats": {"queries": 14, "elapsed_ms": 61.2},
}


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
@api_view(["POST"])
@throttle_classes([ClientRateThrottle, CheckRateThrottle])
def check_create_view(request):
    serializer = CheckInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    result = check_create(check=serializer.validated_data["check"], source="api")
    response = Response(_check_body(result, request), status=status.HTTP_201_CREATED)
    response["Location"] = reverse("api:check", args=[result.pk])
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
    "not domains are listed in `invalid_rows` and skipped; duplicates are checked once. "
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
@throttle_classes([ClientRateThrottle, BulkCheckRateThrottle])
def bulk_check_create_view(request):
    serializer = BulkCheckInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    bulk = bulk_create(check=data["check"], rows=data["rows"], source="api")
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
