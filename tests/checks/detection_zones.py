"""Zones for vendor detection: one customer domain that sends through SendGrid and Google
Workspace, and test copies of vendors' names not in tests/zones (their SPF ranges here
are the fixture's, not the vendors' real ones)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sources.catalogfile import CATALOG_DIR
from tests.dnsserver import ZONES_DIR, DNSServer

# Mailhawk's 2048-bit test key (tests/zones/customer-mailhawk.zone), reused.
_KEY_LINE = next(
    line
    for line in (ZONES_DIR / "customer-mailhawk.zone").read_text().splitlines()
    if line.startswith("s1.dkim.u7001")
)
KEY = " ".join(f'"{part}"' for part in _KEY_LINE.split('"')[1::2])  # master-file strings

# The real catalog entries the tests use: SendGrid and the entries that send through it,
# Google Workspace, Postmark and the entries that share its bounce host, Brevo.
ENTRIES = (
    "sendgrid",
    "jobvite",
    "okta",
    "stytch",
    "google-workspace",
    "postmark",
    "helpdesk",
    "brevo",
    "mailchimp",
    "amazon-ses",
    "resend",
)

ZONES = {
    # sendgrid.net and google.com come from tests/zones (SendGrid's keys for account
    # u1234567.wl123, its SPF at 167.89.0.0/17; Google's _spf at 192.0.2.64/26).
    "mcsv.net.": """
@                               SOA   ns1 hostmaster 1 3600 600 86400 300
@                               NS    ns1
ns1                             A     127.0.0.1
servers                         TXT   "v=spf1 include:_netblocks.mcsv.net ~all"
_netblocks                      TXT   "v=spf1 ip4:203.0.113.128/25 ip6:2001:db8:4861::/48 ~all"
""",
    "mtasv.net.": """
@                               SOA   ns1 hostmaster 1 3600 600 86400 300
@                               NS    ns1
ns1                             A     127.0.0.1
pm                              A     192.0.2.77
""",
    "acme-example.test.": """
@                               SOA   ns1 hostmaster 1 3600 600 86400 300
@                               NS    ns1
ns1                             A     127.0.0.1
@                               MX    1 smtp.google.com.
@                               TXT   "v=spf1 include:_spf.google.com include:sendgrid.net ~all"
@                               TXT   "brevo-code:0123456789abcdef"
_dmarc                          TXT   "v=DMARC1; p=none; rua=mailto:dmarc@acme-example.test"
s1._domainkey                   CNAME s1.domainkey.u1234567.wl123.sendgrid.net.
s2._domainkey                   CNAME s2.domainkey.u1234567.wl123.sendgrid.net.
google._domainkey               TXT   {key}
em1234                          CNAME u1234567.wl123.sendgrid.net.
pm-bounces                      CNAME pm.mtasv.net.
""",
}


def serve_detection_zones(server: DNSServer) -> None:
    """Add the zones above to the test DNS server (its reset() removes them)."""
    for origin, text in ZONES.items():
        server.add_zone_text(f"$TTL 300\n{text.format(key=KEY)}", origin=origin)


def copy_entries(directory: Path) -> Path:
    """The entries above (and the categories) copied to `directory`, for importing."""
    shutil.copy(CATALOG_DIR / "categories.toml", directory)
    for slug in ENTRIES:
        shutil.copy(CATALOG_DIR / f"{slug}.toml", directory)
    return directory
