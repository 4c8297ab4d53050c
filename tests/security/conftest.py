"""Personas for the security regression tests (the submission tests' own), the checker's
test vendor and a client sending an API token."""

from tests.api.conftest import token_user  # noqa: F401
from tests.checks.conftest import mailhawk  # noqa: F401
from tests.submissions.conftest import (  # noqa: F401
    _site_settings,
    categories,
    moderator,
    moderator_client,
    other_submitter,
    staff,
    submitter,
    submitter_client,
    vendor,
)
