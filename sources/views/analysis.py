"""The message analyzer's pages (/analyze/, a kept analysis) and reverse identification
(/identify/)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from sources.analysis import MessageInputError
from sources.analysismodels import MessageAnalysis
from sources.analysiswords import input_error, presented
from sources.checkslots import check_slot
from sources.forms.analysis import AnalyzeForm, IdentifyForm
from sources.ratelimit import RateResult, client_key, rate_limited, too_many_requests
from sources.services.analyses import analysis_run_async, analysis_store
from sources.services.identify import identify


def _form_page(request: HttpRequest, form: AnalyzeForm, *, status: int = 200) -> HttpResponse:
    context = {"form": form, "retention_days": settings.CHECK_RETENTION_DAYS}
    return render(request, "analysis/form.html", context, status=status)


def _prepare(request: HttpRequest) -> HttpResponse | tuple[AnalyzeForm, str]:
    """The page to show, or (the valid form, the client's key) when the analysis should run."""
    if request.method != "POST":
        return _form_page(request, AnalyzeForm())
    form = AnalyzeForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_page(request, form)
    limited = rate_limited(request, "check")
    if limited:
        form.add_error(
            None,
            f"Too many analyses and checks from you for now: try again in "
            f"{limited.retry_after} seconds.",
        )
        return too_many_requests(request, limited, _form_page(request, form))
    return form, client_key(request)


def _too_many_at_once(request: HttpRequest, form: AnalyzeForm) -> HttpResponse:
    wait = max(1, math.ceil(settings.CHECK_TIME_BUDGET))
    form.add_error(
        None,
        f"You already have {settings.CHECK_CONCURRENCY} checks or analyses running: try again "
        f"when one has finished, in about {wait} seconds.",
    )
    limited = RateResult(False, wait, 0, settings.CHECK_CONCURRENCY)
    return too_many_requests(request, limited, _form_page(request, form))


def _input_error(request: HttpRequest, form: AnalyzeForm, exc: MessageInputError) -> HttpResponse:
    form.add_error(form.input_field, input_error(exc.code, exc.params))
    return _form_page(request, form)


def _result_context(report: dict[str, Any], kept: MessageAnalysis | None) -> dict[str, Any]:
    context = {
        "report": report,
        "words": presented(report),
        "kept": kept,
        "retention_days": settings.CHECK_RETENTION_DAYS,
        "time_budget": settings.CHECK_TIME_BUDGET,
    }
    if kept is not None:
        context["expires_at"] = kept.created_at + timedelta(days=settings.CHECK_RETENTION_DAYS)
    return context


def _show(request: HttpRequest, form: AnalyzeForm, report: dict[str, Any]) -> HttpResponse:
    if form.cleaned_data.get("permalink"):
        kept = analysis_store(data=report, source="web")
        return redirect(kept)
    response = render(request, "analysis/result.html", _result_context(report, None))
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
async def analyze(request: HttpRequest) -> HttpResponse:
    """The analyzer's form; a POST analyses the message and shows the report (kept only
    when a permalink is asked for)."""
    prepared = await sync_to_async(_prepare)(request)
    if isinstance(prepared, HttpResponse):
        return prepared
    form, client = prepared
    async with check_slot(client) as admitted:
        if not admitted:
            return await sync_to_async(_too_many_at_once)(request, form)
        try:
            report = await analysis_run_async(form.raw)
        except MessageInputError as exc:
            return await sync_to_async(_input_error)(request, form, exc)
    return await sync_to_async(_show)(request, form, report)


@require_GET
def analysis_result(request: HttpRequest, pk) -> HttpResponse:
    """A kept analysis at its permalink (not indexed; gone after CHECK_RETENTION_DAYS)."""
    kept = get_object_or_404(MessageAnalysis, pk=pk)
    if kept.created_at < timezone.now() - timedelta(days=settings.CHECK_RETENTION_DAYS):
        raise Http404("This analysis has expired.")
    response = render(request, "analysis/result.html", _result_context(kept.result, kept))
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def identify_page(request: HttpRequest) -> HttpResponse:
    """Paste SPF records, includes, DKIM targets or selectors, IPs or PTR names: the vendors."""
    found = None
    limited = None
    if request.method == "POST":
        form = IdentifyForm(request.POST)
        if form.is_valid():
            limited = rate_limited(request, "check")
            if limited:
                form.add_error(
                    None,
                    f"Too many look-ups from you for now: try again in "
                    f"{limited.retry_after} seconds.",
                )
            else:
                found = identify(lines=form.cleaned_data["items"])
    else:
        form = IdentifyForm()
    response = render(request, "analysis/identify.html", {"form": form, "found": found})
    return too_many_requests(request, limited, response) if limited else response
