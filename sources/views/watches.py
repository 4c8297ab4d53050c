"""Watched domains: the dashboard, a page per watch, and the account's webhooks."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sources.forms.watches import WatchForm, WebhookForm
from sources.models import Watch, WatchState, WebhookEndpoint
from sources.ratelimit import rate_limited, too_many_requests, wait_message
from sources.selectors import watch_state_counts, watches_for
from sources.services.checks import CheckInputError
from sources.services.watches import watch_check_now, watch_create, watch_delete, watch_update
from sources.services.webhooks import WebhookRefused, endpoint_create, endpoint_enable

PAGE_SIZE = 50


@login_required
def dashboard(request):
    state = request.GET.get("state", "")[:20]
    vendor = request.GET.get("vendor", "")[:60]
    query = request.GET.get("q", "")[:253]
    watches = watches_for(owner=request.user, state=state, vendor=vendor, query=query)
    page = Paginator(watches, PAGE_SIZE).get_page(request.GET.get("page"))
    vendors = (
        Watch.objects.filter(owner=request.user)
        .exclude(vendor_slug="")
        .order_by("vendor_name")
        .values_list("vendor_slug", "vendor_name")
        .distinct()
    )
    return render(
        request,
        "watches/dashboard.html",
        {
            "page": page,
            "counts": watch_state_counts(owner=request.user),
            "states": WatchState.choices,
            "vendors": list(vendors),
            "filters": {"state": state, "vendor": vendor, "q": query},
            "filtered": bool(state or vendor or query),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def watch_new(request):
    initial = {key: request.GET.get(key, "")[:300] for key in ("domain", "vendor")}
    form = WatchForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            watch = watch_create(
                owner=request.user,
                domain=data["domain"],
                vendor=data["vendor"] or None,
                method=data["method"] or None,
                params=data["parameters"],
                interval_minutes=data["interval"],
                reference=data["reference"],
            )
        except CheckInputError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, f"Watching {watch.domain}: its first check runs shortly.")
            return redirect(watch)
    return render(request, "watches/new.html", {"form": form})


def _own_watch(request, pk) -> Watch:
    watch = get_object_or_404(Watch, pk=pk)
    if watch.owner_id != request.user.pk:
        raise Http404("No such watch")
    return watch


def _watch_page(request, watch: Watch, status: int = 200):
    return render(
        request,
        "watches/detail.html",
        {
            "watch": watch,
            "records": watch.records.all(),
            "events": watch.events.all()[:100],
            "intervals": WatchForm.base_fields["interval"].choices,
            "flip_after": settings.WATCH_FLIP_AFTER,
        },
        status=status,
    )


@login_required
def watch_detail(request, pk):
    return _watch_page(request, _own_watch(request, pk))


@login_required
@require_POST
def watch_verify(request, pk):
    watch = _own_watch(request, pk)
    limited = rate_limited(request, "watch-verify")
    if limited:
        messages.error(request, wait_message(limited))
        return too_many_requests(request, limited, _watch_page(request, watch))
    outcome = watch_check_now(watch=watch)
    changed = len([e for e in outcome.events if e.requirement_id])
    messages.success(
        request,
        f"Checked now: {outcome.watch.get_state_display().lower()}"
        + (f", {changed} record{'s' if changed != 1 else ''} changed." if changed else "."),
    )
    return redirect(watch)


@login_required
@require_POST
def watch_settings(request, pk):
    watch = _own_watch(request, pk)
    action = request.POST.get("action", "")
    try:
        if action == "pause":
            watch_update(watch=watch, active=False)
        elif action == "resume":
            watch_update(watch=watch, active=True)
        else:
            watch_update(watch=watch, interval_minutes=request.POST.get("interval", ""))
    except CheckInputError as exc:
        messages.error(request, exc.first_message())
        return _watch_page(request, watch, status=400)
    messages.success(request, "Saved.")
    return redirect(watch)


@login_required
@require_POST
def watch_remove(request, pk):
    watch = _own_watch(request, pk)
    watch_delete(watch=watch)
    messages.success(request, f"No longer watching {watch.domain}.")
    return redirect("watches")


# -- webhooks -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def webhooks(request):
    form = WebhookForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = endpoint_create(owner=request.user, url=form.cleaned_data["url"])
        except WebhookRefused as exc:
            form.add_error("url", str(exc)[:1].upper() + str(exc)[1:] + ".")
        else:
            form = WebhookForm()
    endpoints = WebhookEndpoint.objects.filter(owner=request.user)
    return render(
        request,
        "watches/webhooks.html",
        {"form": form, "endpoints": endpoints, "created": created},
        status=400 if form.errors else 200,
    )


def _own_endpoint(request, pk) -> WebhookEndpoint:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    if endpoint.owner_id != request.user.pk:
        raise Http404("No such webhook")
    return endpoint


@login_required
def webhook_detail(request, pk):
    endpoint = _own_endpoint(request, pk)
    return render(
        request,
        "watches/webhook.html",
        {"endpoint": endpoint, "deliveries": endpoint.deliveries.all()[:100]},
    )


@login_required
@require_POST
def webhook_action(request, pk):
    endpoint = _own_endpoint(request, pk)
    if request.POST.get("action") == "delete":
        endpoint.delete()
        messages.success(request, "Webhook deleted.")
        return redirect("webhooks")
    try:
        endpoint_enable(endpoint=endpoint)
    except WebhookRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Webhook enabled again.")
    return redirect("webhook", pk=endpoint.pk)
