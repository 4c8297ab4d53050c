"""Request bodies of the API, read within bounds.

DRF's parsers read a JSON body of any size and hand Python's decoder any
depth (100,000 nested arrays end in RecursionError, a 500), and Django's
form parsers raise RequestDataTooBig, which Django answers with an HTML 400.
These parsers answer all of it in the API's error shape instead:

- a body over settings.DATA_UPLOAD_MAX_MEMORY_SIZE: 413 `payload_too_large`,
  read no further than one byte past the limit;
- JSON nested deeper than MAX_DEPTH, or holding a lone surrogate (which no
  database or encoder accepts): 400 `parse_error`.
"""

from __future__ import annotations

import io
import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from rest_framework import exceptions, parsers, status

MAX_DEPTH = 32


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def too_large() -> PayloadTooLarge:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return PayloadTooLarge(f"The request body is larger than {limit:,} bytes.")


def read_bounded(stream) -> bytes:
    """The whole body, or PayloadTooLarge as soon as it passes the limit."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:
        return stream.read()
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise too_large()
    return raw


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def check_structure(data, *, max_depth: int = MAX_DEPTH) -> None:
    """ParseError when `data` nests deeper than `max_depth` or holds a lone surrogate."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            _check_text(value)
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > max_depth:
            raise exceptions.ParseError(
                f"JSON parse error - nested deeper than {max_depth} levels."
            )
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key)
                stack.append((item, depth + 1))
        else:
            stack.extend((item, depth + 1) for item in value)


def _check_text(text: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise exceptions.ParseError(
            "JSON parse error - a string holds a lone surrogate (\\ud800-\\udfff), "
            "which is not a character."
        ) from None


class BoundedJSONParser(parsers.JSONParser):
    """JSON bodies up to DATA_UPLOAD_MAX_MEMORY_SIZE and MAX_DEPTH levels."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        raw = read_bounded(stream)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise exceptions.ParseError(f"JSON parse error - not {encoding} text: {exc}") from None
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except RecursionError:
            raise exceptions.ParseError(
                f"JSON parse error - nested deeper than {MAX_DEPTH} levels."
            ) from None
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        check_structure(data)
        return data


class BoundedFormParser(parsers.FormParser):
    """Form bodies within Django's upload limits, answered in the API's error shape."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = read_bounded(stream)
        try:
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except TooManyFieldsSent as exc:
            raise exceptions.ParseError(str(exc)) from None


class BoundedMultiPartParser(parsers.MultiPartParser):
    """Multipart bodies (uploads are capped while they stream: sources/uploads.py)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RequestDataTooBig:
            raise too_large() from None
        except TooManyFieldsSent as exc:
            raise exceptions.ParseError(str(exc)) from None
