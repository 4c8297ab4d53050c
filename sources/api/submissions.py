"""Submissions over the API: POST /api/v1/submissions and GET /api/v1/submissions/{id}.

The same service, validation and states as the HTML form: the entry is in
catalog-file form and is checked by the catalog validator, whose field path
names the field at fault in the error's `fields` (`entry.methods[0].records[1].host`).
Token authentication (`Authorization: Token <key>`, from the account page); a
submitter sees only their own submissions, moderators see all.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from sources.api.schema import error_responses
from sources.api.serializers import CatalogVendorSerializer, ErrorSerializer, absolute
from sources.catalogfile import CatalogError
from sources.models import Submission, SubmissionEvent, Vendor
from sources.permissions import can_view_submission
from sources.ratelimit import ratelimit_named
from sources.services.submissions import (
    MAX_NOTE,
    MAX_PROVENANCE,
    DuplicateSubmission,
    submission_create,
    submission_is_revisable,
)

TAG = "submissions"


class Duplicate(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "duplicate"
    default_detail = "This duplicates a submission of yours that is still open."


class SubmissionInputSerializer(serializers.Serializer):
    """The request's shape; the entry itself is checked by the catalog validator."""

    vendor = serializers.SlugField(
        required=False,
        allow_null=True,
        max_length=60,
        help_text="The slug of the entry to change; leave out (or null) for a new vendor.",
    )
    entry = serializers.JSONField(
        help_text="The whole entry in catalog-file form (sources/catalog/FORMAT.md), as "
        "/api/v1/catalog.json gives it. `published` is ignored: moderators decide.",
    )
    provenance = serializers.ListField(
        child=serializers.CharField(max_length=1000),
        allow_empty=False,
        max_length=MAX_PROVENANCE,
        help_text="https URLs of the vendor documentation that supports the facts.",
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_NOTE,
        default="",
        help_text="An optional note to the moderators.",
    )

    def validate_entry(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("Must be an object in catalog-file form.")
        return value


class SubmissionRequestSerializer(SubmissionInputSerializer):
    """The request body as documented: the entry typed as a catalog vendor."""

    entry = CatalogVendorSerializer(
        help_text="The whole entry in catalog-file form (sources/catalog/FORMAT.md). "
        "`published` is ignored: moderators decide."
    )


class SubmissionEventSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=SubmissionEvent.Action.choices)
    comment = serializers.CharField(allow_blank=True)
    at = serializers.DateTimeField(source="created_at")


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Submission.Kind.choices)
    state = serializers.ChoiceField(
        choices=Submission.State.choices,
        help_text="pending, then approved, rejected or changes_requested; a revision on the "
        "site goes back to pending.",
    )
    vendor = serializers.SerializerMethodField(
        help_text="The entry's slug: the one to change, or the one created once approved."
    )
    slug = serializers.SlugField()
    name = serializers.CharField()
    entry = serializers.SerializerMethodField()
    provenance = serializers.ListField(child=serializers.URLField())
    note = serializers.CharField(allow_blank=True)
    moderator_comment = serializers.CharField(
        allow_blank=True, help_text="The moderator's latest comment."
    )
    events = SubmissionEventSerializer(many=True, help_text="The submission's timeline.")
    submitted_at = serializers.DateTimeField(help_text="When it last entered review.")
    reviewed_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField(help_text="This submission in the API.")
    page_url = serializers.SerializerMethodField(help_text="This submission on the site.")
    revisable = serializers.SerializerMethodField(
        help_text="Whether you may revise it now on the site (your own, still open, and the "
        "entry it changes still exists)."
    )

    def get_vendor(self, submission: Submission) -> str | None:
        return submission.vendor.slug if submission.vendor is not None else None

    @extend_schema_field(CatalogVendorSerializer)
    def get_entry(self, submission: Submission) -> dict:
        return submission.data

    def get_url(self, submission: Submission) -> str:
        path = reverse("api:submission", args=[submission.pk])
        return absolute(self.context.get("request"), path)

    def get_page_url(self, submission: Submission) -> str:
        return absolute(self.context.get("request"), submission.get_absolute_url())

    def get_revisable(self, submission: Submission) -> bool:
        user = getattr(self.context.get("request"), "user", None)
        return submission_is_revisable(submission=submission, user=user)


def _with_details(queryset):
    return queryset.select_related("vendor").prefetch_related(
        Prefetch("events", queryset=SubmissionEvent.objects.order_by("created_at", "id"))
    )


def _entry_errors(exc: CatalogError) -> exceptions.ValidationError:
    field = exc.field if exc.field not in ("", "(top level)") else ""
    if field.startswith(("provenance", "note")):
        key = field
    else:
        key = f"entry.{field}" if field else "entry"
    message = exc.message[0].upper() + exc.message[1:]
    if not message.endswith("."):
        message += "."
    return exceptions.ValidationError({key: [message]})


EXAMPLE_ENTRY = {
    "slug": "postlark",
    "name": "PostLark",
    "aliases": [],
    "website": "https://www.postlark.example/",
    "categories": ["transactional-email"],
    "summary": "PostLark sends transactional email for apps.",
    "description": "",
    "last_verified": "2026-11-01",
    "undocumented": [],
    "no_compliant_option": False,
    "no_compliant_explanation": "",
    "documentation": [{"title": "Domains", "url": "https://docs.postlark.example/domains"}],
    "methods": [
        {
            "kind": "cname-delegation",
            "title": "Domain authentication",
            "recommended": True,
            "order": 1,
            "sources": ["https://docs.postlark.example/domains"],
            "steps": "1. Add the records.\n2. Click **Verify**.",
            "parameters": [],
            "records": [
                {
                    "id": "dkim-s1",
                    "type": "CNAME",
                    "host": "s1._domainkey.{domain}",
                    "value": "s1.dkim.postlark.example",
                    "check": "equals",
                    "purpose": "dkim",
                    "selector": "s1",
                }
            ],
        }
    ],
}


def _errors(*codes: int) -> dict:
    extra = {
        403: "Not allowed.",
        409: "Exactly this is already open for review (or another submission of yours for "
        "the same entry is): the detail says which.",
    }
    known = {c: c for c in codes if c not in extra}
    responses = error_responses(*known)
    for code in codes:
        if code in extra:
            responses[(code, "application/json")] = OpenApiResponse(
                ErrorSerializer, description=extra[code]
            )
    return responses


@extend_schema(
    operation_id="submission_create",
    tags=[TAG],
    summary="Submit a new vendor or changes to an entry",
    description=(
        "Saves the entry for review by a moderator (state `pending`); the moderators are "
        "notified. The entry is validated exactly as the catalog files and the site's form "
        "are, and errors name the field at fault as `entry.<path>`. Needs an API token "
        "(`Authorization: Token <key>`, from the account page)."
    ),
    request=SubmissionRequestSerializer,
    responses={201: SubmissionSerializer, **_errors(400, 401, 406, 409, 429)},
    examples=[
        OpenApiExample(
            "A new vendor",
            value={
                "entry": EXAMPLE_ENTRY,
                "provenance": ["https://docs.postlark.example/domains"],
                "note": "I am PostLark's product manager.",
            },
            request_only=True,
        ),
        OpenApiExample(
            "A field at fault",
            value={
                "error": "invalid",
                "detail": "Invalid input: see entry.methods[0].records[0].host.",
                "fields": {
                    "entry.methods[0].records[0].host": [
                        "Must contain {domain} (records live in the customer's zone)."
                    ]
                },
            },
            response_only=True,
            status_codes=["400"],
        ),
    ],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def submission_create_view(request):
    limited = ratelimit_named("submission", key=f"user:{request.user.pk}")
    if not limited.allowed:
        raise exceptions.Throttled(wait=limited.retry_after)
    payload = SubmissionInputSerializer(data=request.data)
    payload.is_valid(raise_exception=True)
    data = payload.validated_data
    vendor = None
    if data.get("vendor"):
        vendor = Vendor.objects.published().filter(slug=data["vendor"]).first()
        if vendor is None:
            raise exceptions.ValidationError({"vendor": ["No published vendor has this slug."]})
    try:
        submission = submission_create(
            user=request.user,
            data=data["entry"],
            provenance=data["provenance"],
            note=data.get("note", ""),
            vendor=vendor,
        )
    except CatalogError as exc:
        raise _entry_errors(exc) from None
    except DuplicateSubmission as exc:
        raise Duplicate(f"{exc.message} It is at {exc.existing.get_absolute_url()}") from None
    submission = _with_details(Submission.objects).get(pk=submission.pk)
    body = SubmissionSerializer(submission, context={"request": request}).data
    return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


@extend_schema(
    operation_id="submission_retrieve",
    tags=[TAG],
    summary="A submission's state, comments and content",
    description="Submitters see their own submissions; moderators see every one.",
    responses={200: SubmissionSerializer, **_errors(401, 404, 406, 429)},
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def submission_detail_view(request, pk: int):
    submission = _with_details(Submission.objects).filter(pk=pk).first()
    if submission is None or not can_view_submission(request.user, submission):
        raise exceptions.NotFound(f"You have no submission #{pk}.")
    return Response(SubmissionSerializer(submission, context={"request": request}).data)
