"""The old import paths of the background tasks.

Each task now lives beside its service. Rows already queued by the database
backend (django-tasks-db) store the path the task had when it was queued, so
these names stay importable until no such row can remain.
"""

from sources.services.bulkchecks import bulk_check_run
from sources.services.notifications import moderators_digest, submission_event_email
from sources.services.verification import verifications_recheck

__all__ = [
    "bulk_check_run",
    "moderators_digest",
    "submission_event_email",
    "verifications_recheck",
]
