"""Writes for submissions, moderation and revision history.

Every front end (the HTML forms, the API, the admin) goes through these
functions. Validation is the catalog's own (`validate_vendor`), plus the rules
that only make sense against the database (a new vendor's slug and names must
be free; a proposal cannot rename an entry) and size limits. A submission is
saved first; e-mail is queued after the transaction commits and can never undo
or block the save.
"""

from __future__ import annotations

import hashlib
import json
import logging

from django.db import transaction
from django.utils import timezone

from sources.catalogdiff import diff_entries
from sources.catalogfile import CatalogError, check_url, validate_vendor
from sources.models import (
    Category,
    DocumentationLink,
    MethodParameter,
    RecordRequirement,
    Revision,
    SetupMethod,
    Submission,
    SubmissionEvent,
    Vendor,
)
from sources.permissions import can_revise_submission
from sources.services import notifications
from sources.services.catalog import (
    current_data,
    data_from_json,
    data_to_json,
    same_entry,
    vendor_save_data,
)
from sources.services.revisions import (  # noqa: F401 - the latter two re-exported
    ModerationError,
    revision_after_edit,
    revision_record,
    revision_restore,
)

logger = logging.getLogger(__name__)

SOURCE = "submission"

# Generous ceilings (the largest catalog entry has 4 methods, 4 records, 7 parameters)
# that keep one submission's size, and the page that edits it, bounded.
MAX_METHODS = 10
MAX_RECORDS = 20
MAX_PARAMETERS = 10
MAX_DOCUMENTATION = 20
MAX_LIST_ITEMS = 30  # aliases, undocumented points, a method's sources
MAX_PROVENANCE = 20
MAX_NOTE = 2000
MAX_COMMENT = 5000


class DuplicateSubmission(Exception):
    """The same user already has this submission (or one for this entry) open."""

    def __init__(self, message: str, existing: Submission) -> None:
        super().__init__(message)
        self.message = message
        self.existing = existing


class NotTheSubmitter(ModerationError):
    """Only the submitter may revise a submission."""


# -- data in storage ------------------------------------------------------------


def fingerprint_for(data: dict, provenance: list[str]) -> str:
    """A digest of what was submitted, to recognise an identical resubmission."""
    text = json.dumps([data_to_json(data), provenance], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# -- validation -----------------------------------------------------------------


def _check_count(items, field: str, limit: int, what: str) -> None:
    if isinstance(items, list) and len(items) > limit:
        raise CatalogError(SOURCE, field, f"has {len(items)} {what}; at most {limit} are accepted")


def _check_limits(data: dict) -> None:
    _check_count(data.get("aliases"), "aliases", MAX_LIST_ITEMS, "aliases")
    _check_count(data.get("undocumented"), "undocumented", MAX_LIST_ITEMS, "points")
    _check_count(data.get("documentation"), "documentation", MAX_DOCUMENTATION, "links")
    methods = data.get("methods")
    _check_count(methods, "methods", MAX_METHODS, "methods")
    for i, method in enumerate(methods if isinstance(methods, list) else []):
        if not isinstance(method, dict):
            continue
        _check_count(method.get("records"), f"methods[{i}].records", MAX_RECORDS, "records")
        _check_count(
            method.get("parameters"), f"methods[{i}].parameters", MAX_PARAMETERS, "parameters"
        )
        _check_count(method.get("sources"), f"methods[{i}].sources", MAX_LIST_ITEMS, "sources")


def max_length(model, field: str) -> int | None:
    """A column's length limit (a few are tighter than the catalog format's own)."""
    return model._meta.get_field(field).max_length


def _check_lengths(data: dict) -> None:
    def fits(value, model, field: str, path: str) -> None:
        limit = max_length(model, field)
        if isinstance(value, str) and limit and len(value) > limit:
            raise CatalogError(SOURCE, path, f"is longer than {limit} characters")

    for key in ("name", "website", "summary"):
        fits(data[key], Vendor, key, key)
    for i, doc in enumerate(data["documentation"]):
        for key in ("title", "url"):
            fits(doc[key], DocumentationLink, key, f"documentation[{i}].{key}")
    for i, method in enumerate(data["methods"]):
        fits(method["title"], SetupMethod, "title", f"methods[{i}].title")
        for j, param in enumerate(method["parameters"]):
            for key in ("name", "label", "pattern", "example"):
                fits(param[key], MethodParameter, key, f"methods[{i}].parameters[{j}].{key}")
        for j, record in enumerate(method["records"]):
            for key, column in RECORD_COLUMNS.items():
                fits(record[key], RecordRequirement, column, f"methods[{i}].records[{j}].{key}")


RECORD_COLUMNS = {
    "id": "record_id",
    "type": "rtype",
    "host": "host",
    "value": "value",
    "pattern": "pattern",
    "selector": "selector",
    "note": "note",
}


def _check_names_free(data: dict) -> None:
    """Names and aliases must not belong to another vendor (the catalog import's rule)."""
    taken: dict[str, str] = {}
    for slug, name, aliases in Vendor.objects.exclude(slug=data["slug"]).values_list(
        "slug", "name", "aliases"
    ):
        for label in [name, *(aliases or [])]:
            taken[str(label).casefold()] = f"{name} ({slug})"
    for i, label in enumerate([data["name"], *data["aliases"]]):
        owner = taken.get(label.casefold())
        if owner:
            field = "name" if i == 0 else f"aliases[{i - 1}]"
            raise CatalogError(SOURCE, field, f"{label!r} is already used by {owner}")


def submission_validate(*, data: dict, vendor: Vendor | None) -> dict:
    """Validate a proposed entry exactly as the catalog import does, plus database rules.

    `vendor` is the entry being changed, or None for a new vendor. Returns the
    canonical data; raises CatalogError naming the field at fault.
    """
    if not isinstance(data, dict):
        raise CatalogError(SOURCE, "(top level)", "must be an object")
    _check_limits(data)
    # Publication is the moderators' decision: an approved new vendor is published,
    # a change keeps the entry's current state.
    data = {**data_from_json(data), "published": True if vendor is None else vendor.published}
    categories = set(Category.objects.values_list("slug", flat=True))
    validated = validate_vendor(data, source=SOURCE, categories=categories)
    if vendor is None:
        existing = Vendor.objects.filter(slug=validated["slug"]).first()
        if existing is not None:
            raise CatalogError(
                SOURCE,
                "slug",
                f"is already used by {existing.name}: propose changes to that entry instead",
            )
    elif validated["slug"] != vendor.slug:
        raise CatalogError(SOURCE, "slug", "cannot be changed by a proposal")
    _check_lengths(validated)
    _check_names_free(validated)
    return validated


def provenance_validate(urls) -> list[str]:
    """At least one https documentation URL supporting the facts; duplicates dropped."""
    if not isinstance(urls, list) or not urls:
        raise CatalogError(SOURCE, "provenance", "must cite at least one documentation URL")
    _check_count(urls, "provenance", MAX_PROVENANCE, "URLs")
    clean = []
    for i, url in enumerate(urls):
        if not isinstance(url, str) or not url.strip():
            raise CatalogError(SOURCE, f"provenance[{i}]", "must be a non-empty string")
        if len(url) > 1000:
            raise CatalogError(SOURCE, f"provenance[{i}]", "is longer than 1000 characters")
        clean.append(check_url(url.strip(), SOURCE, f"provenance[{i}]"))
    return list(dict.fromkeys(clean))


def note_validate(note) -> str:
    if note is None:
        return ""
    if not isinstance(note, str):
        raise CatalogError(SOURCE, "note", "must be text")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise CatalogError(SOURCE, "note", f"is longer than {MAX_NOTE} characters")
    return note


# -- submitting -------------------------------------------------------------------


def _find_duplicate(
    *, user, data: dict, fingerprint: str, vendor: Vendor | None, exclude: int | None = None
) -> None:
    open_ones = Submission.objects.open().filter(submitter=user)
    if exclude is not None:
        open_ones = open_ones.exclude(pk=exclude)
    same = open_ones.filter(fingerprint=fingerprint).first()
    if same is not None:
        raise DuplicateSubmission(
            f"You already submitted exactly this (submission #{same.pk}, "
            f"{same.get_state_display().lower()}). It has not been duplicated.",
            same,
        )
    if vendor is not None:
        rival = open_ones.filter(kind=Submission.Kind.CHANGE, vendor=vendor).first()
    else:
        rival = open_ones.filter(kind=Submission.Kind.NEW, slug=data["slug"]).first()
    if rival is not None:
        raise DuplicateSubmission(
            f"You already have submission #{rival.pk} open for {rival.name}: "
            "revise that one instead of starting another.",
            rival,
        )


def submission_create(
    *,
    user,
    data: dict,
    provenance: list[str],
    note: str = "",
    vendor: Vendor | None = None,
) -> Submission:
    """Save a new submission for review (new vendor when `vendor` is None)."""
    validated = submission_validate(data=data, vendor=vendor)
    provenance = provenance_validate(provenance)
    note = note_validate(note)
    if vendor is not None and same_entry(validated, current_data(vendor)):
        raise CatalogError(SOURCE, "", "This proposal does not change anything in the entry.")
    fingerprint = fingerprint_for(validated, provenance)
    _find_duplicate(user=user, data=validated, fingerprint=fingerprint, vendor=vendor)
    with transaction.atomic():
        submission = Submission.objects.create(
            submitter=user,
            kind=Submission.Kind.NEW if vendor is None else Submission.Kind.CHANGE,
            vendor=vendor,
            slug=validated["slug"],
            name=validated["name"],
            data=data_to_json(validated),
            provenance=provenance,
            note=note,
            fingerprint=fingerprint,
            submitted_at=timezone.now(),
        )
        SubmissionEvent.objects.create(
            submission=submission, actor=user, action=SubmissionEvent.Action.SUBMITTED
        )
        transaction.on_commit(notifications.moderators_digest_schedule)
        if vendor is not None:
            notify = notifications.maintainers_proposal_schedule
            transaction.on_commit(lambda: notify(submission_id=submission.pk))
    return submission


def submission_revisable(*, submission: Submission, user) -> None:
    """Whether `user` may revise `submission` now: raises ModerationError saying why not
    (NotTheSubmitter when it is not theirs). The one rule for the site, the API and the
    admin."""
    if not can_revise_submission(user, submission):
        raise NotTheSubmitter("Only the submitter can revise a submission.")
    if not submission.is_open:
        raise ModerationError(
            f"This submission is {submission.get_state_display().lower()}: it can no longer "
            "be revised. Start a new one instead."
        )
    if submission.kind == Submission.Kind.CHANGE and submission.vendor is None:
        raise ModerationError("The entry this proposal changes no longer exists.")


def submission_is_revisable(*, submission: Submission, user) -> bool:
    """`submission_revisable` as a yes or no, for pages and API fields."""
    try:
        submission_revisable(submission=submission, user=user)
    except ModerationError:
        return False
    return True


def submission_preview(
    *, data: dict, provenance: list[str], vendor: Vendor | None
) -> tuple[dict, list | None]:
    """What submitting would save, without saving: the validated entry and, for a
    proposal, its changes to the current entry. Raises CatalogError like a submission."""
    validated = submission_validate(data=data, vendor=vendor)
    provenance_validate(provenance)
    changes = diff_entries(current_data(vendor), validated) if vendor is not None else None
    return validated, changes


def submission_revise(
    *, submission: Submission, user, data: dict, provenance: list[str], note: str = ""
) -> Submission:
    """Replace an open submission's content; it goes back to pending review."""
    submission_revisable(submission=submission, user=user)
    vendor = submission.vendor
    validated = submission_validate(data=data, vendor=vendor)
    provenance = provenance_validate(provenance)
    note = note_validate(note)
    if vendor is not None and same_entry(validated, current_data(vendor)):
        raise CatalogError(SOURCE, "", "This proposal does not change anything in the entry.")
    fingerprint = fingerprint_for(validated, provenance)
    if (
        fingerprint == submission.fingerprint
        and note == submission.note
        and submission.state == Submission.State.PENDING
    ):
        raise DuplicateSubmission(
            "Nothing changed: this is exactly what is already waiting for review.", submission
        )
    _find_duplicate(
        user=user, data=validated, fingerprint=fingerprint, vendor=vendor, exclude=submission.pk
    )
    with transaction.atomic():
        Submission.objects.filter(pk=submission.pk).update(
            slug=validated["slug"],
            name=validated["name"],
            data=data_to_json(validated),
            provenance=provenance,
            note=note,
            fingerprint=fingerprint,
            state=Submission.State.PENDING,
            submitted_at=timezone.now(),
            moderators_notified_at=None,
            updated_at=timezone.now(),
        )
        SubmissionEvent.objects.create(
            submission=submission, actor=user, action=SubmissionEvent.Action.REVISED
        )
        transaction.on_commit(notifications.moderators_digest_schedule)
    submission.refresh_from_db()
    return submission


# -- moderating -----------------------------------------------------------------------


def _locked_open(submission: Submission) -> Submission:
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if not locked.is_open:
        raise ModerationError(
            f"Submission #{locked.pk} is already {locked.get_state_display().lower()}."
        )
    return locked


def _decide(
    submission: Submission, *, moderator, state: str, action: str, comment: str
) -> SubmissionEvent:
    now = timezone.now()
    Submission.objects.filter(pk=submission.pk).update(
        state=state,
        moderator_comment=comment,
        reviewed_by=moderator,
        reviewed_at=now,
        updated_at=now,
    )
    event = SubmissionEvent.objects.create(
        submission=submission, actor=moderator, action=action, comment=comment
    )
    transaction.on_commit(lambda: notifications.submission_state_changed(event_id=event.pk))
    return event


def comment_validate(comment: str, *, required: bool) -> str:
    """A moderator's comment, stripped; required when sending a submission back."""
    comment = (comment or "").strip()
    if required and not comment:
        raise ModerationError("Say what needs to change: a comment is required.")
    if len(comment) > MAX_COMMENT:
        raise ModerationError(f"The comment is longer than {MAX_COMMENT} characters.")
    return comment


def submission_approve(*, submission: Submission, moderator, comment: str = "") -> Revision:
    """Publish the submission and record a revision, all in one transaction."""
    comment = comment_validate(comment, required=False)
    with transaction.atomic():
        locked = _locked_open(submission)
        if locked.submitter_id is not None and locked.submitter_id == getattr(
            moderator, "pk", None
        ):
            raise ModerationError(
                "You cannot approve your own submission: another moderator must review it."
            )
        vendor = None
        if locked.kind == Submission.Kind.CHANGE:
            if locked.vendor_id is None:
                raise ModerationError("The entry this proposal changes no longer exists.")
            vendor = Vendor.objects.select_for_update().get(pk=locked.vendor_id)
        try:
            data = submission_validate(data=locked.data, vendor=vendor)
        except CatalogError as exc:
            raise ModerationError(
                f"The submission no longer validates: {exc.field}: {exc.message}"
            ) from None
        before = current_data(vendor) if vendor is not None else None
        saved = vendor_save_data(data=data, before=before)
        if locked.vendor_id is None:
            Submission.objects.filter(pk=locked.pk).update(vendor=saved)
        revision = revision_record(
            vendor=saved,
            data=data,
            before=before,
            submission=locked,
            user=moderator,
            origin=Revision.Origin.MODERATION,
            summary=(
                "New entry approved"
                if locked.kind == Submission.Kind.NEW
                else "Proposed changes approved"
            ),
        )
        _decide(
            locked,
            moderator=moderator,
            state=Submission.State.APPROVED,
            action=SubmissionEvent.Action.APPROVED,
            comment=comment,
        )
    return revision


def submission_reject(*, submission: Submission, moderator, comment: str = "") -> None:
    """Close the submission without publishing it."""
    comment = comment_validate(comment, required=False)
    with transaction.atomic():
        locked = _locked_open(submission)
        _decide(
            locked,
            moderator=moderator,
            state=Submission.State.REJECTED,
            action=SubmissionEvent.Action.REJECTED,
            comment=comment,
        )


def submission_request_changes(*, submission: Submission, moderator, comment: str) -> None:
    """Send the submission back to its submitter with what to change."""
    comment = comment_validate(comment, required=True)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.state != Submission.State.PENDING:
            raise ModerationError(
                f"Submission #{locked.pk} is {locked.get_state_display().lower()}, not pending."
            )
        _decide(
            locked,
            moderator=moderator,
            state=Submission.State.CHANGES_REQUESTED,
            action=SubmissionEvent.Action.CHANGES_REQUESTED,
            comment=comment,
        )
