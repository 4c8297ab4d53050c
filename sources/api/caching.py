"""HTTP caching for public catalog reads: ETag, Last-Modified, 304s and Cache-Control.

Every public read is derived from the published catalog, whose version (count
and latest `updated_at` of published vendors) costs one query. The ETag hashes
that version with the request's path, query and chosen format, so a client
revalidating an unchanged catalog gets a 304 before any other work is done.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from sources.selectors import catalog_version

MAX_AGE = 300
# Bump when a representation changes without the data changing, so ETags change too.
REPRESENTATION = "1"


def public_read(view=None, *, extra=None):
    """Decorate a DRF function view's inner function: conditional GET and caching headers.

    `extra(request, *args, **kwargs)`, for a read that depends on more than the catalog,
    returns (a version string, when it last changed or None): both go into the ETag
    and Last-Modified.
    """
    if view is None:
        return lambda inner: public_read(inner, extra=extra)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        count, last_modified = catalog_version()
        version = ""
        if extra is not None:
            version, changed = extra(request, *args, **kwargs)
            if changed is not None and (last_modified is None or changed > last_modified):
                last_modified = changed
        seed = "|".join(
            [
                REPRESENTATION,
                str(count),
                last_modified.isoformat() if last_modified else "",
                version,
                request.get_full_path(),
                request.accepted_media_type or "",
            ]
        )
        etag = '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'
        timestamp = last_modified.timestamp() if last_modified else None
        response = get_conditional_response(
            request, etag=etag, last_modified=timestamp and int(timestamp)
        )
        if response is None:
            response = view(request, *args, **kwargs)
        if response.status_code in (200, 304):
            response["ETag"] = etag
            if timestamp:
                response["Last-Modified"] = http_date(timestamp)
            response["Cache-Control"] = f"public, max-age={MAX_AGE}"
            patch_vary_headers(response, ["Accept"])
        return response

    return wrapped
