"""Schemathesis fuzzes every GET operation of the published schema against the WSGI app.

No answer may be a server error, and every answer must be documented: its status
code, its content type and (for JSON) its body. Reads only: they have no side
effects; the one that resolves (lookup by ip) asks the loopback test DNS server. A
bounded number of examples keeps it under a minute.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from directory.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application).include(
    method="GET"
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """Requests go through the real WSGI handler, which closes the database connection
    when a request ends (inside the test's transaction); Django's test client does not."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _generous_limits(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api-anon": "100000/min"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_as_its_schema_says(case, catalog, dns_server):
    case.call_and_validate(checks=CHECKS)
