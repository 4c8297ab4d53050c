"""The test suite's settings: the site's own, read with the development defaults.

pytest-django imports this before any conftest.py runs, so the environment is
set here. The site itself defaults to DEBUG=false; the tests keep DEBUG on
(plain-HTTP cookies for the live-server browser tests) and let the checker
accept the .test and .example zones the loopback DNS server serves.
"""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("TESTING", "true")
os.environ.setdefault("CHECKER_ALLOW_TEST_DOMAINS", "true")
# Tests share one process-local cache; the tests that need Redis set REDIS_URL themselves.
os.environ.pop("REDIS_URL", None)

from directory.settings import *  # noqa: E402, F403
