"""Who may do what: one set of rules for the site, the API and the admin.

Moderators are the members of the `moderators` group (and superusers): they
hold `sources.change_submission`, the permission to act on submissions, and
with it they see every submission and unpublished entries. Everyone else sees
only their own submissions. Views and API views ask these functions; none of
them names a permission itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import Group, Permission

if TYPE_CHECKING:
    from sources.models import Submission

MODERATORS = "moderators"
MODERATED_MODELS = [
    "category",
    "vendor",
    "setupmethod",
    "methodparameter",
    "recordrequirement",
    "documentationlink",
    # Moderation (sources/admin.py): the queue, the history and the reports.
    "submission",
    "submissionevent",
    "revision",
    "report",
    "domainverification",
    # The drift monitor's results (read only in the admin).
    "vendordnscheck",
]


def ensure_moderators_group(**kwargs) -> Group:
    """Create or refresh the group after migrations (its permissions exist by then)."""
    group, _ = Group.objects.get_or_create(name=MODERATORS)
    perms = Permission.objects.filter(
        content_type__app_label="sources", content_type__model__in=MODERATED_MODELS
    )
    group.permissions.add(*perms)
    return group


def can_moderate(user) -> bool:
    """Moderators review submissions, see every one and see unpublished entries."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm("sources.change_submission")
    )


def can_view_submission(user, submission: Submission) -> bool:
    """The submitter sees their own submission; moderators see every one."""
    if user is None or not user.is_authenticated:
        return False
    return submission.submitter_id == user.pk or can_moderate(user)


def can_revise_submission(user, submission: Submission) -> bool:
    """Only the submitter rewrites a submission (moderators decide, they do not edit)."""
    return bool(user is not None and user.is_authenticated and submission.submitter_id == user.pk)


def can_restore_revision(user) -> bool:
    """Restoring an older revision of an entry is for moderators."""
    return bool(
        user is not None and user.is_authenticated and user.has_perm("sources.restore_revision")
    )
