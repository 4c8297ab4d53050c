"""The guided entry form: plain questions, a live preview, the same submission service.

Without JavaScript the Preview button posts the form and the page comes back with the
entry as the public page will show it; with it, static/js/guided-form.js posts the
same form with `fragment=1` as the answers change and swaps in the preview alone.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sources.catalogfile import CatalogError
from sources.forms.guided import GuidedEntryForm
from sources.models import Category
from sources.ratelimit import rate_limited, too_many_requests, wait_message
from sources.services.submissions import (
    DuplicateSubmission,
    ModerationError,
    submission_create,
    submission_preview,
)
from sources.templatetags.entries import entry_from_data

logger = logging.getLogger(__name__)

GUIDED_TEMPLATE = "submissions/guided_form.html"
FRAGMENT_TEMPLATE = "submissions/_guided_preview.html"


def _form(data=None) -> GuidedEntryForm:
    categories = list(Category.objects.values_list("slug", "name"))
    initial = {"last_verified": dt.date.today(), "together": True, "dkim_fixed": "fixed"}
    return GuidedEntryForm(data, initial=initial, categories=categories)


def _page(request, form: GuidedEntryForm, *, fragment: bool, preview=None, limited=None):
    """The whole page, or only its preview region for the live preview."""
    context = {"form": form, "preview": preview, "errors": form.error_summary()}
    template = FRAGMENT_TEMPLATE if fragment else GUIDED_TEMPLATE
    response = render(request, template, context)
    return too_many_requests(request, limited, response) if limited else response


@login_required
@require_http_methods(["GET", "POST"])
def submission_guided(request):
    if request.method != "POST":
        return render(request, GUIDED_TEMPLATE, {"form": _form()})
    form = _form(request.POST)
    fragment = request.POST.get("fragment") == "1"
    if form.honeypot_filled:
        logger.info("guided form honeypot filled; ignored")
        messages.success(request, "Thank you: your submission was received.")
        return redirect("submissions")
    action = "submit" if request.POST.get("action") == "submit" and not fragment else "preview"
    limited = rate_limited(request, "submission" if action == "submit" else "preview")
    if limited:
        form.is_valid()
        form.non_field_messages.append(wait_message(limited))
        return _page(request, form, fragment=fragment, limited=limited)
    if not form.is_valid():
        return _page(request, form, fragment=fragment)
    data = form.to_data()
    provenance = form.provenance
    try:
        validated, _ = submission_preview(data=data, provenance=provenance, vendor=None)
    except CatalogError as exc:
        form.add_catalog_error(exc)
        return _page(request, form, fragment=fragment)
    if action == "preview":
        return _page(request, form, fragment=fragment, preview=entry_from_data(validated))
    try:
        saved = submission_create(
            user=request.user,
            data=data,
            provenance=provenance,
            note=form.cleaned_data["note"],
            vendor=None,
        )
    except DuplicateSubmission as exc:
        messages.info(request, exc.message)
        return redirect(exc.existing)
    except CatalogError as exc:
        form.add_catalog_error(exc)
        return _page(request, form, fragment=False)
    except ModerationError as exc:
        form.non_field_messages.append(str(exc))
        return _page(request, form, fragment=False)
    messages.success(
        request,
        f"Thank you! Submission #{saved.pk} is waiting for a moderator. "
        "We will e-mail you when it is reviewed.",
    )
    return redirect(saved)
