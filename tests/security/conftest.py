"""Personas for the security regression tests: the submission tests' own."""

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
