"""A vendor check from the domain alone: values read from DNS, known selectors, untested records.

Domains from tests/zones/senders-customers.zone.
"""

import asyncio

from sources.checker import check_domain
from sources.checker.discovery import _read_template


def vendor(records, parameters):
    return {
        "slug": "keyhost",
        "name": "KeyHost",
        "methods": [{"kind": "dkim-txt", "parameters": parameters, "records": records}],
    }


SELECTOR = {
    "name": "selector",
    "label": "DKIM selector",
    "help": "Shown under Settings → Domains.",
    "required": True,
}


def run(resolver, domain, data, params=None):
    return asyncio.run(check_domain(domain, resolver=resolver, vendor=data, params=params or {}))


def test_a_template_reads_back_its_unknown_values():
    assert _read_template(
        "s1.domainkey.{mail_target}", "s1.domainkey.u1.wl2.sendgrid.net", {"domain": "a.example"}
    ) == {"mail_target": "u1.wl2.sendgrid.net"}
    assert _read_template("s1.domainkey.{x}", "s2.domainkey.u1.example", {}) is None


def test_known_selectors_are_tried_when_the_selector_is_a_parameter(resolver):
    data = vendor(
        [
            {
                "id": "dkim",
                "type": "TXT",
                "host": "{selector}._domainkey.{domain}",
                "check": "dkim-key",
                "purpose": "dkim",
                "selector": "{selector}",
                "known_selectors": ["k1", "google"],
            }
        ],
        [SELECTOR],
    )
    report = run(resolver, "acme.example", data)
    assert report.verdict == "pass"
    assert report.requirements[0].host == "google._domainkey.acme.example"
    assert report.found_values == {"selector": "google"}


def test_a_record_that_cannot_be_tested_names_its_value_and_where_to_find_it(resolver):
    data = vendor(
        [
            {
                "id": "dkim",
                "type": "TXT",
                "host": "{selector}._domainkey.{domain}",
                "check": "dkim-key",
                "purpose": "dkim",
                "selector": "{selector}",
            }
        ],
        [SELECTOR],
    )
    report = run(resolver, "acme.example", data)
    result = report.requirements[0]
    assert result.status == "warn"
    assert result.untested == (("selector", "DKIM selector", "Shown under Settings → Domains."),)
    assert result.message == (
        "could not be tested: <DKIM selector>._domainkey.acme.example needs your account's DKIM "
        "selector, which DNS does not reveal. Shown under Settings → Domains."
    )
    # Typed, the value makes it an ordinary check.
    typed = run(resolver, "acme.example", data, {"selector": "google"})
    assert typed.requirements[0].status == "pass" and not typed.requirements[0].untested
