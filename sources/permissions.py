"""The moderators group: who may edit the catalog and review submissions."""

from django.contrib.auth.models import Group, Permission

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
]


def ensure_moderators_group(**kwargs) -> Group:
    """Create or refresh the group after migrations (its permissions exist by then)."""
    group, _ = Group.objects.get_or_create(name=MODERATORS)
    perms = Permission.objects.filter(
        content_type__app_label="sources", content_type__model__in=MODERATED_MODELS
    )
    group.permissions.add(*perms)
    return group
