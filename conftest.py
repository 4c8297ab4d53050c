"""Test-run environment, set before Django reads its settings."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("TESTING", "true")
# Tests share one process-local cache; the tests that need Redis set REDIS_URL themselves.
os.environ.pop("REDIS_URL", None)
