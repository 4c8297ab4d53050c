"""Request ids and structured logs.

Every request gets an id: the proxy's `X-Request-ID` when it is a sane token,
otherwise a new one. It is sent back in the response's `X-Request-ID`, and every
log record written while the request runs carries it, so one grep finds a
request's whole story. `JsonFormatter` writes one JSON object per line (set
LOG_FORMAT=json; it is the default when DEBUG is off).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from sources.ops.metrics import observe_request

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
access_log = logging.getLogger("directory.access")

_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")
# Record attributes every LogRecord has: anything else was passed in `extra=` and is logged.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


def incoming_request_id(headers) -> str:
    """The proxy's request id when it is a plain token; a new one otherwise."""
    given = headers.get("X-Request-ID", "")
    return given if _SANE_ID.match(given) else uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (a dash outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


JsonFormatter.converter = time.gmtime


def _log_access(request, status: int, started: float) -> None:
    access_log.info(
        "%s %s %s",
        request.method,
        request.path,
        status,
        extra={
            "method": request.method,
            "path": request.path,
            "status": status,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        },
    )


class RequestIdMiddleware:
    """Sets the request id for the logs, returns it, and writes one access-log line."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        token = request_id_var.set(incoming_request_id(request.headers))
        started = time.monotonic()
        try:
            response = self.get_response(request)
            return self._finish(request, response, started)
        finally:
            request_id_var.reset(token)

    async def _acall(self, request):
        token = request_id_var.set(incoming_request_id(request.headers))
        started = time.monotonic()
        try:
            response = await self.get_response(request)
            return self._finish(request, response, started)
        finally:
            request_id_var.reset(token)

    def _finish(self, request, response, started: float):
        response["X-Request-ID"] = request_id_var.get()
        _log_access(request, response.status_code, started)
        observe_request(request.method, response.status_code, time.monotonic() - started)
        return response
