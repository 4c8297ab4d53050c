"""The DNS checker's pages: the check form, stored results, bulk checks and their progress."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models.fields.json import KT
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from sources.checker import explain_policy
from sources.checkslots import check_slot
from sources.forms.checks import PARAM_PREFIX, BulkCheckForm, CheckForm
from sources.models import BulkCheck, CheckResult, Vendor
from sources.ratelimit import (
    RateResult,
    client_key,
    rate_limited,
    too_many_requests,
)
from sources.services.bulkchecks import (
    bulk_create,
    bulk_csv_lines,
    bulk_json_chunks,
    bulk_status,
)
from sources.services.checks import (
    UnknownVendor,
    check_run_async,
    check_store,
    vendor_lookup_data,
)

RECENT_IN_SESSION = 10
BULK_PAGE_ROWS = 100


def _vendor_choices() -> list[tuple[str, str]]:
    return list(Vendor.objects.published().order_by("name").values_list("slug", "name"))


def _vendor_from(data: Mapping[str, Any]) -> tuple[dict | None, str | None]:
    text = str(data.get("vendor") or "").strip()
    if not text:
        return None, None
    try:
        return vendor_lookup_data(text, fuzzy=True), None
    except UnknownVendor as exc:
        return None, str(exc)


def _remember(request: HttpRequest, result: CheckResult) -> None:
    recent = [item for item in request.session.get("recent_checks", []) if item != str(result.pk)]
    request.session["recent_checks"] = [str(result.pk), *recent][:RECENT_IN_SESSION]


def _recent(request: HttpRequest) -> list[CheckResult]:
    ids = request.session.get("recent_checks", [])
    if not ids:
        return []
    found = {
        str(r.pk): r
        for r in CheckResult.objects.filter(pk__in=ids)
        .select_related("vendor")
        .only("id", "domain", "vendor_slug", "verdict", "created_at", "vendor__name")
    }
    return [found[i] for i in ids if i in found]


def _check_form(
    request: HttpRequest, *, error: str = ""
) -> tuple[CheckForm, dict[str, Any] | None, str | None]:
    """The check form, bound to what was posted, or filled in from the query string."""
    posted = request.method == "POST"
    vendor_data, vendor_error = _vendor_from(request.POST if posted else request.GET)
    if posted:
        form = CheckForm(request.POST, vendor_data=vendor_data, vendor_error=vendor_error)
    else:
        # A link (a vendor page's, a result's "Change the check") fills the form in; only
        # a POST, with its CSRF token, runs a check. "edit" is what older links added.
        initial = {key: request.GET.get(key, "") for key in request.GET if key != "edit"}
        form = CheckForm(initial=initial, vendor_data=vendor_data, vendor_error=vendor_error)
        kinds = [m["kind"] for m in (vendor_data or {}).get("methods") or []]
        if request.GET.get("method") in kinds:
            form.fields["method"].initial = request.GET["method"]
    if error and form.is_valid():
        form.add_error(None, error)
    return form, vendor_data, vendor_error


def _form_page(request: HttpRequest, *, error: str = "") -> HttpResponse:
    form, vendor_data, vendor_error = _check_form(request, error=error)
    context = {
        "form": form,
        "vendor": vendor_data,
        "vendors": _vendor_choices(),
        "vendor_error": vendor_error if request.method != "POST" else None,
        "recent": _recent(request),
    }
    return render(request, "checks/form.html", context)


def _check_prepare(request: HttpRequest) -> HttpResponse | tuple[Any, str]:
    """Validate a posted check (and count it against the rate limit): the page to show,
    or (the cleaned check, the client's key) when the check should run."""
    if request.method != "POST":
        return _form_page(request)
    form, _, _ = _check_form(request)
    if not form.is_valid():
        return _form_page(request)
    limited = rate_limited(request, "check")
    if limited:
        # The form comes back filled in, so nothing typed is lost.
        error = f"Too many checks from you for now: try again in {limited.retry_after} seconds."
        return too_many_requests(request, limited, _form_page(request, error=error))
    return form.check, client_key(request)


def _too_many_at_once(request: HttpRequest) -> HttpResponse:
    wait = max(1, math.ceil(settings.CHECK_TIME_BUDGET))
    error = (
        f"You already have {settings.CHECK_CONCURRENCY} checks running: try again when one "
        f"has finished, in about {wait} seconds."
    )
    limited = RateResult(False, wait, 0, settings.CHECK_CONCURRENCY)
    return too_many_requests(request, limited, _form_page(request, error=error))


def _check_save(request: HttpRequest, check, data: dict) -> HttpResponse:
    result = check_store(check=check, data=data, source="web")
    _remember(request, result)
    return redirect(result)


@require_http_methods(["GET", "HEAD", "POST"])
async def check(request: HttpRequest) -> HttpResponse:
    """The check form (filled in from the query string); a POST runs the check and
    redirects to its result.

    The lookups run on the event loop (under ASGI), so a slow domain holds no
    server thread; reading the form and storing the result use the database
    in a thread.
    """
    prepared = await sync_to_async(_check_prepare)(request)
    if isinstance(prepared, HttpResponse):
        return prepared
    check_input, client = prepared
    async with check_slot(client) as admitted:
        if not admitted:
            return await sync_to_async(_too_many_at_once)(request)
        data = await check_run_async(check_input)
    return await sync_to_async(_check_save)(request, check_input, data)


def _result_context(result: CheckResult) -> dict[str, Any]:
    data = result.result
    return {
        "result": result,
        "report": data,
        "policy": explain_policy(data),
        "plan": data.get("change_plan") or {},
        "rerun_query": urlencode(_rerun_params(result)),
        "errors_to_retry": [r for r in data.get("requirements") or [] if r["status"] == "error"],
        "untested": [r for r in data.get("requirements") or [] if r.get("untested")],
        "retention_days": settings.CHECK_RETENTION_DAYS,
        "expires_at": result.created_at + timedelta(days=settings.CHECK_RETENTION_DAYS),
        "vendor_url": reverse("vendor", args=[result.vendor_slug]) if result.vendor_slug else "",
        "time_budget": settings.CHECK_TIME_BUDGET,
    }


def _rerun_params(result: CheckResult) -> list[tuple[str, str]]:
    params = [("domain", result.domain)]
    if result.vendor_slug:
        params.append(("vendor", result.vendor_slug))
    if result.method_kind:
        params.append(("method", result.method_kind))
    params += [(PARAM_PREFIX + name, value) for name, value in sorted(result.parameters.items())]
    return params


@require_GET
def check_result(request: HttpRequest, pk) -> HttpResponse:
    """A stored check at its permanent address."""
    result = get_object_or_404(CheckResult.objects.select_related("bulk"), pk=pk)
    context = _result_context(result)
    context["rerun_fields"] = _rerun_params(result)
    return render(request, "checks/result.html", context)


@require_GET
def check_result_json(request: HttpRequest, pk) -> HttpResponse:
    """A stored check as JSON (the same shape as the API and the command line)."""
    result = get_object_or_404(CheckResult, pk=pk)
    data = {"id": str(result.pk), "created_at": result.created_at.isoformat(), **result.result}
    response = JsonResponse(data, json_dumps_params={"indent": 2})
    if "download" in request.GET:
        name = f"check-{result.domain}-{result.created_at:%Y%m%d-%H%M%S}.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
def bulk_check(request: HttpRequest) -> HttpResponse:
    """Upload a CSV of domains; the check runs in the background."""
    source = request.POST if request.method == "POST" else request.GET
    vendor_data, vendor_error = _vendor_from(source)
    limited = None
    if request.method == "POST":
        form = BulkCheckForm(
            request.POST, request.FILES, vendor_data=vendor_data, vendor_error=vendor_error
        )
        if form.is_valid():
            limited = rate_limited(request, "bulk-check")
            if not limited:
                bulk = bulk_create(
                    check=form.check,
                    rows=form.rows,
                    filename=form.filename,
                    client=client_key(request),
                )
                return redirect(bulk)
            # The form comes back filled (a file must be chosen again: browsers insist).
            form.add_error(
                None,
                f"Too many bulk checks from you for now: try again in {limited.retry_after} "
                "seconds.",
            )
    else:
        form = BulkCheckForm(
            initial={"vendor": request.GET.get("vendor", "")},
            vendor_data=vendor_data,
            vendor_error=vendor_error,
        )
    context = {
        "form": form,
        "vendor": vendor_data,
        "vendors": _vendor_choices(),
        "invalid_rows": form.rows.invalid if getattr(form, "rows", None) else [],
        "invalid_count": form.rows.invalid_count if getattr(form, "rows", None) else 0,
        "max_domains": settings.BULK_CHECK_MAX_DOMAINS,
    }
    response = render(request, "checks/bulk_form.html", context)
    return too_many_requests(request, limited, response) if limited else response


@require_GET
def bulk_detail(request: HttpRequest, pk) -> HttpResponse:
    """Progress of a bulk check, then its results, a page at a time."""
    bulk = get_object_or_404(BulkCheck, pk=pk)
    page = None
    if bulk.is_finished:
        rows = (
            bulk.results.order_by("line", "domain")
            .annotate(headline=KT("result__headline"), verdict_label=KT("result__verdict_label"))
            .only("id", "domain", "verdict", "line", "bulk_id")
        )
        page = Paginator(rows, BULK_PAGE_ROWS).get_page(request.GET.get("page"))
    context = {
        "bulk": bulk,
        "status": bulk_status(bulk),
        "results": page.object_list if page else [],
        "page": page,
    }
    return render(request, "checks/bulk_detail.html", context)


@require_GET
def bulk_status_json(request: HttpRequest, pk) -> HttpResponse:
    """Progress as JSON, for the page's script."""
    bulk = get_object_or_404(BulkCheck, pk=pk)
    response = JsonResponse(bulk_status(bulk))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def bulk_results(request: HttpRequest, pk, fmt: str) -> HttpResponse:
    """A finished bulk check's results as CSV or JSON, streamed."""
    bulk = get_object_or_404(BulkCheck, pk=pk)
    if not bulk.is_finished:
        raise Http404("The bulk check has not finished yet.")
    base = request.build_absolute_uri("/").rstrip("/")
    name = f"bulk-check-{bulk.vendor_slug or 'domains'}-{bulk.created_at:%Y%m%d-%H%M}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            bulk_csv_lines(bulk, base_url=base), content_type="text/csv; charset=utf-8"
        )
    else:
        response = StreamingHttpResponse(
            bulk_json_chunks(bulk, base_url=base), content_type="application/json"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
