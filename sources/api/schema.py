"""OpenAPI pieces shared by the endpoints: error responses, the format parameter, examples."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from sources.api.serializers import ErrorSerializer

ERROR_DESCRIPTIONS = {
    400: "Invalid query parameters: `fields` names each one at fault.",
    401: "The API token given is not valid.",
    404: "Not found.",
    406: "None of the formats in the Accept header can be given.",
    429: "Too many requests: wait for the number of seconds in Retry-After.",
}
ERROR_EXAMPLES = {
    400: OpenApiExample(
        "Invalid parameter",
        value={
            "error": "invalid",
            "detail": "Invalid input: see page_size.",
            "fields": {"page_size": ["Ensure this value is less than or equal to 100."]},
        },
        response_only=True,
        status_codes=["400"],
    ),
    429: OpenApiExample(
        "Throttled",
        value={"error": "throttled", "detail": "Too many requests: try again in 42 seconds."},
        response_only=True,
        status_codes=["429"],
    ),
}
NOT_MODIFIED = OpenApiResponse(
    description="Not modified since the ETag in If-None-Match (or the If-Modified-Since date)."
)


def error_responses(*codes: int) -> dict:
    """The documented error answers, all in the one error shape (JSON whatever the format)."""
    return {
        (code, "application/json"): OpenApiResponse(
            ErrorSerializer,
            description=ERROR_DESCRIPTIONS[code],
            examples=[ERROR_EXAMPLES[code]] if code in ERROR_EXAMPLES else [],
        )
        for code in codes
    }


def public_responses(ok: dict, *errors: int) -> dict:
    """Responses of a cached public read: `ok` (by status or (status, media type)),
    304, and the errors given plus 401, 406 and 429, which any of them can answer."""
    return {**ok, 304: NOT_MODIFIED, **error_responses(*sorted({*errors, 401, 406, 429}))}


def csv_response(description: str) -> dict:
    return {(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=description)}


CACHING_HEADERS = [
    OpenApiParameter(
        "ETag",
        str,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="Send it back in If-None-Match to get a 304 while nothing changed.",
    ),
    OpenApiParameter(
        "Last-Modified",
        str,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="When the catalog last changed.",
    ),
    OpenApiParameter(
        "Cache-Control",
        str,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="public, max-age=300",
    ),
    OpenApiParameter(
        "Retry-After",
        int,
        OpenApiParameter.HEADER,
        response=[429],
        description="Seconds to wait before asking again.",
    ),
]
FORMAT_PARAMETER = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv"],
    description="The response format; the Accept header (application/json or text/csv) works too.",
)
JSON_FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=["json"], description="The response format (JSON only)."
)
