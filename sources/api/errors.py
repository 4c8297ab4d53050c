"""One error shape for everything under /api/:

    {"error": "<code>", "detail": "<message>", "fields": {"<field>": ["<message>", ...]}}

`fields` is there only for invalid input. DRF views get it from
`exception_handler` (settings.REST_FRAMEWORK["EXCEPTION_HANDLER"]); unknown
URLs under /api/ from `not_found`, and server errors from `server_error`
(directory/urls.py). Error bodies are always JSON, whatever format was asked for.
"""

from __future__ import annotations

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler as drf_exception_handler

from sources.api.parsers import too_large
from sources.views import pages

API_PREFIX = "/api/"


def error_body(code: str, detail: str, fields: dict | None = None) -> dict:
    body = {"error": code, "detail": detail}
    if fields:
        body["fields"] = fields
    return body


def _fields(detail) -> dict[str, list[str]]:
    """Validation messages by field, flattened to strings ("a.b" for nested fields)."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                flat.update({f"{key}.{k}": v for k, v in _fields(value).items()})
            else:
                flat[str(key)] = [str(m) for m in (value if isinstance(value, list) else [value])]
        return flat
    return {"non_field_errors": [str(m) for m in detail]}


def exception_handler(exc, context):
    """DRF's handler, with the body reshaped to the API's one error shape."""
    if isinstance(exc, RequestDataTooBig):
        exc = too_large()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a server error: answered by server_error below
    request = context.get("request")
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        body = error_body("invalid", f"Invalid input: see {', '.join(fields)}.", fields)
    elif isinstance(exc, exceptions.Throttled):
        wait = max(1, math.ceil(exc.wait or 1))
        response["Retry-After"] = str(wait)
        detail = f"Too many requests: try again in {wait} seconds."
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated):
            detail += " Clients with an API token get a higher limit."
        body = error_body("throttled", detail)
    else:
        detail = exc.detail if isinstance(exc.detail, str) else exc.default_detail
        body = error_body(exc.default_code, str(detail))
    response.data = body
    if request is not None:
        # finalize_response renders with the request's renderer: errors are JSON.
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response


def not_found(request, *args, **kwargs):
    """A JSON 404 for any unknown URL under /api/."""
    detail = f"No API endpoint at {request.path}."
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            detail += f" Did you mean {request.path}/ (with a slash)?"
    detail += " The API is described at /api/v1/docs/."
    return JsonResponse(error_body("not_found", detail), status=404)


def server_error(request, *args, **kwargs):
    """The site's 500 page, or the API's JSON error under /api/."""
    if request.path.startswith(API_PREFIX):
        body = error_body("server_error", "Something went wrong on our side; it has been logged.")
        return JsonResponse(body, status=500)
    return pages.server_error(request, *args, **kwargs)
