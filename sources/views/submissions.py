"""Submitting and revising vendor entries, history, restores and reports."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sources.catalogdiff import diff_entries, real_changes
from sources.catalogfile import CatalogError
from sources.forms.entryfile import EntryFileError, entry_file_read
from sources.forms.reports import ReportForm
from sources.forms.submissions import EntryForm, initial_from_data
from sources.models import Category, Revision, Submission, Vendor
from sources.permissions import can_moderate, can_restore_revision, can_view_submission
from sources.ratelimit import rate_limited, too_many_requests, wait_message
from sources.selectors import vendor_to_data
from sources.services.reports import report_create
from sources.services.submissions import (
    DuplicateSubmission,
    ModerationError,
    NotTheSubmitter,
    current_data,
    data_from_json,
    revision_restore,
    submission_create,
    submission_is_revisable,
    submission_preview,
    submission_revisable,
    submission_revise,
    submission_validate,
)
from sources.templatetags.entries import entry_from_data

logger = logging.getLogger(__name__)

PAGE_SIZE = 20


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _category_choices() -> list[tuple[str, str]]:
    return list(Category.objects.values_list("slug", "name"))


# -- the submitter's list ------------------------------------------------------------------------


@login_required
def submission_list(request):
    submissions = Submission.objects.filter(submitter=request.user).select_related("vendor")
    page = Paginator(submissions, PAGE_SIZE).get_page(_page_number(request))
    return render(request, "submissions/list.html", {"page": page})


# -- the entry form ------------------------------------------------------------------------------


ENTRY_TEMPLATE = "submissions/entry_form.html"


def _entry_page(request, *, vendor: Vendor | None, submission: Submission | None, initial):
    """Show the entry form, grow it ("add another"), or preview or submit what was posted."""
    fixed_slug = vendor.slug if vendor is not None else None
    options = {"categories": _category_choices(), "fixed_slug": fixed_slug}
    context = {"vendor": vendor, "submission": submission}
    if request.method != "POST":
        form = EntryForm(initial=initial, **options)
        return render(request, ENTRY_TEMPLATE, {**context, "form": form})

    post = request.POST
    if post.get("action") == "load":
        return _entry_load(request, options, context, vendor=vendor)
    if post.get("add"):
        form = EntryForm.with_row_added(post, post["add"], **options)
        context["focus"] = post["add"]
        return render(request, ENTRY_TEMPLATE, {**context, "form": form})

    form = EntryForm(post, **options)
    if form.honeypot_filled:
        logger.info("entry form honeypot filled; ignored")
        messages.success(request, "Thank you: your submission was received.")
        return redirect("submissions")
    action = post.get("action", "preview")
    # Counted before validation, which runs the entry's patterns: an invalid entry costs
    # the server as much as a valid one.
    limited = rate_limited(request, "submission" if action == "submit" else "preview")
    if limited:
        form.non_field_errors.append(wait_message(limited))
        return _entry_form_again(request, form, context, limited)
    if not form.is_valid():
        return _entry_form_again(request, form, context)
    if action == "submit":
        return _entry_submit(request, form, context, vendor=vendor, submission=submission)
    return _entry_preview(request, form, context, vendor=vendor)


def _entry_load(request, options: dict, context: dict, *, vendor: Vendor | None):
    """Fill the form from an uploaded TOML or JSON entry file, checked as a submission
    is; a file that cannot be used is refused beside the file field, keeping what was
    typed."""
    posted = EntryForm(request.POST, **options)
    upload = request.FILES.get("entry_file")

    def refuse(message: str, limited=None):
        form = EntryForm(None, initial=posted.raw_initial(), extra=False, **options)
        response = render(request, ENTRY_TEMPLATE, {**context, "form": form, "load_error": message})
        return too_many_requests(request, limited, response) if limited else response

    if upload is None:
        return refuse("Choose a .toml or .json entry file to load.")
    limited = rate_limited(request, "preview")
    if limited:
        return refuse(wait_message(limited), limited)
    try:
        loaded = entry_file_read(upload)
        # A catalog file carries no submission sources: it offers the pages it cites.
        provenance = loaded.provenance or _cited(
            submission_validate(data=loaded.data, vendor=vendor)
        )
        validated, changes = submission_preview(
            data=loaded.data, provenance=provenance, vendor=vendor
        )
    except EntryFileError as exc:
        return refuse(str(exc))
    except CatalogError as exc:
        where = exc.field if exc.field not in ("", "(top level)") else "the entry"
        return refuse(f"{upload.name} was not loaded: {where}: {exc.message}.")
    initial = initial_from_data(validated, provenance=provenance, note=loaded.note)
    form = EntryForm(initial=initial, extra=False, **options)
    context.update(preview=entry_from_data(validated), loaded=upload.name)
    if changes is not None:
        context["changes"] = changes
    return render(request, ENTRY_TEMPLATE, {**context, "form": form})


def _cited(data: dict) -> list[str]:
    """The pages an entry cites, as the sources a submission of it offers by default."""
    urls = [doc["url"] for doc in data.get("documentation") or []]
    for method in data.get("methods") or []:
        urls += method.get("sources") or []
    return list(dict.fromkeys(urls))


def _entry_form_again(request, form: EntryForm, context: dict, limited=None):
    """The form with its errors (a 429 when a rate limit refused it)."""
    context["errors"] = form.error_summary()
    response = render(request, ENTRY_TEMPLATE, {**context, "form": form})
    return too_many_requests(request, limited, response) if limited else response


def _entry_preview(request, form: EntryForm, context: dict, *, vendor: Vendor | None):
    """The entry as it would be published and, for a proposal, its changes; nothing saved."""
    try:
        validated, changes = submission_preview(
            data=form.to_data(), provenance=form.provenance, vendor=vendor
        )
    except CatalogError as exc:
        form.add_catalog_error(exc)
        return _entry_form_again(request, form, context)
    context["preview"] = entry_from_data(validated)
    if changes is not None:
        context["changes"] = changes
    return _entry_form_again(request, form, context)


def _entry_submit(request, form: EntryForm, context: dict, *, vendor: Vendor | None, submission):
    """Save a new submission or a revision; the services hold every rule."""
    data = form.to_data()
    try:
        submission_preview(data=data, provenance=form.provenance, vendor=vendor)
    except CatalogError as exc:
        form.add_catalog_error(exc)
        return _entry_form_again(request, form, context)
    details = {"user": request.user, "data": data, "provenance": form.provenance}
    try:
        if submission is None:
            saved = submission_create(**details, note=form.note, vendor=vendor)
            messages.success(
                request,
                f"Thank you! Submission #{saved.pk} is waiting for a moderator. "
                "We will e-mail you when it is reviewed.",
            )
        else:
            saved = submission_revise(submission=submission, **details, note=form.note)
            messages.success(request, f"Submission #{saved.pk} is revised and back in review.")
        return redirect(saved)
    except DuplicateSubmission as exc:
        messages.info(request, exc.message)
        return redirect(exc.existing)
    except CatalogError as exc:
        form.add_catalog_error(exc)
    except ModerationError as exc:
        form.non_field_errors.append(str(exc))
    return _entry_form_again(request, form, context)


@login_required
@require_http_methods(["GET", "POST"])
def submission_new(request):
    return _entry_page(request, vendor=None, submission=None, initial=None)


@login_required
@require_http_methods(["GET", "POST"])
def submission_propose(request, slug: str):
    vendor = get_object_or_404(Vendor.objects.published().with_details(), slug=slug)
    if request.method == "GET":
        mine = Submission.objects.open().filter(
            submitter=request.user, kind=Submission.Kind.CHANGE, vendor=vendor
        )
        existing = mine.first()
        if existing is not None:
            messages.info(
                request,
                f"You already have proposal #{existing.pk} open for {vendor.name}: "
                "continue with it here.",
            )
            return redirect("submission-edit", existing.pk)
    initial = initial_from_data(vendor_to_data(vendor))
    return _entry_page(request, vendor=vendor, submission=None, initial=initial)


def _visible_submission(request, pk: int) -> Submission:
    submission = get_object_or_404(
        Submission.objects.select_related("vendor", "submitter", "reviewed_by"), pk=pk
    )
    if not can_view_submission(request.user, submission):
        raise Http404("No such submission")
    return submission


@login_required
@require_http_methods(["GET", "POST"])
def submission_edit(request, pk: int):
    submission = _visible_submission(request, pk)
    try:
        submission_revisable(submission=submission, user=request.user)
    except NotTheSubmitter as exc:
        raise PermissionDenied(str(exc)) from None
    except ModerationError as exc:
        messages.error(request, str(exc))
        return redirect(submission)
    initial = initial_from_data(
        data_from_json(submission.data), provenance=submission.provenance, note=submission.note
    )
    return _entry_page(
        request,
        vendor=submission.vendor if submission.kind == "change" else None,
        submission=submission,
        initial=initial,
    )


@login_required
def submission_detail(request, pk: int):
    submission = _visible_submission(request, pk)
    data = data_from_json(submission.data)
    changes = None
    if (
        submission.kind == Submission.Kind.CHANGE
        and submission.vendor is not None
        and submission.state != Submission.State.APPROVED
    ):
        changes = diff_entries(current_data(submission.vendor), data)
    return render(
        request,
        "submissions/detail.html",
        {
            "submission": submission,
            "events": submission.events.select_related("actor"),
            "preview": entry_from_data(data),
            "changes": changes,
            "is_owner": submission.submitter_id == request.user.pk,
            "revisable": submission_is_revisable(submission=submission, user=request.user),
            "can_moderate": can_moderate(request.user),
        },
    )


# -- history and restore -------------------------------------------------------------------------


def _history_vendor(request, slug: str) -> Vendor:
    queryset = Vendor.objects.all()
    if not can_moderate(request.user):
        queryset = queryset.published()
    return get_object_or_404(queryset, slug=slug)


def vendor_history(request, slug: str):
    vendor = _history_vendor(request, slug)
    revisions = vendor.revisions.select_related("submission", "restored_from").defer("data")
    page = Paginator(revisions, PAGE_SIZE).get_page(_page_number(request))
    for revision in page.object_list:
        revision.change_list = real_changes(revision.changes)
    return render(
        request,
        "submissions/history.html",
        {
            "vendor": vendor,
            "page": page,
            "can_restore": can_restore_revision(request.user),
        },
    )


def vendor_revision(request, slug: str, number: int):
    vendor = _history_vendor(request, slug)
    revision = get_object_or_404(
        Revision.objects.select_related("submission", "restored_from", "created_by"),
        vendor=vendor,
        number=number,
    )
    latest = vendor.revisions.order_by("-number").values_list("number", flat=True).first()
    return render(
        request,
        "submissions/revision.html",
        {
            "vendor": vendor,
            "revision": revision,
            "changes": real_changes(revision.changes),
            "entry": entry_from_data(data_from_json(revision.data)),
            "is_latest": revision.number == latest,
            "can_restore": can_restore_revision(request.user),
        },
    )


@login_required
@require_POST
def vendor_revision_restore(request, slug: str, number: int):
    if not can_restore_revision(request.user):
        raise PermissionDenied("Only moderators can restore revisions.")
    vendor = get_object_or_404(Vendor, slug=slug)
    revision = get_object_or_404(Revision, vendor=vendor, number=number)
    try:
        new = revision_restore(revision=revision, user=request.user)
    except ModerationError as exc:
        messages.error(request, str(exc))
        return redirect(revision)
    messages.success(request, f"Revision {number} is restored as revision {new.number}.")
    return redirect("vendor-history", vendor.slug)


# -- reports -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def vendor_report(request, slug: str):
    vendor = get_object_or_404(Vendor.objects.published(), slug=slug)
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    form = ReportForm(request.POST or None, initial=initial)
    context = {"vendor": vendor, "form": form}
    if request.method == "POST":
        limited = rate_limited(request, "report")
        if limited:
            form.is_valid()
            form.add_error(None, wait_message(limited))
            return too_many_requests(
                request, limited, render(request, "submissions/report.html", context)
            )
        if form.is_valid():
            if form.cleaned_data["homepage"]:
                logger.info("report honeypot filled; ignored")
            else:
                report_create(
                    vendor=vendor,
                    note=form.cleaned_data["note"],
                    email=form.cleaned_data["email"],
                    user=request.user,
                )
            messages.success(
                request, "Thank you: the moderators will check the entry against your report."
            )
            return redirect(vendor)
    return render(request, "submissions/report.html", context)
