"""Fixtures for the checker's front ends: the vendor Mailhawk and its customers.

Mailhawk's DNS is tests/zones/customer-mailhawk.zone and its customers'
set-ups are tests/zones/customer-domains.zone (one scenario per name).
"""

import pytest

from tests.factories import make_mailhawk


@pytest.fixture
def mailhawk(db):
    return make_mailhawk()
