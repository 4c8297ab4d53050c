"""The messages the analyzer's tests read, and the DNS that makes them what they are.

- acme-billing.test sends through SendGrid with Domain Authentication: its s1 key is a
  CNAME to SendGrid's host, its bounce domain em77 a CNAME to u7777.wl7.sendgrid.net
  (DKIM and SPF both aligned);
- birch-shop.test sends through SendGrid without it: d=sendgrid.net, bounces at
  sendgrid.net (neither aligned), DMARC p=quarantine;
- lists.forward.test is a mailing list that tags the subject, adds a footer and seals
  an ARC set;
- recipient.test receives everything (mx.recipient.test, then an internal hop).

SendGrid's SPF (tests/zones/sendgrid.net.zone) authorises 167.89.0.0/17.
"""

from __future__ import annotations

from tests.analysis import mail
from tests.dnsserver import DNSServer

SENDGRID_IP = "167.89.10.20"
LIST_IP = "198.51.100.25"


def keys() -> dict[str, mail.Key]:
    return {name: mail.make_key(name) for name in ("acme", "sendgrid", "list")}


def serve_zones(server: DNSServer) -> None:
    """Publish the test keys and the domains' records on the loopback server."""
    k = keys()
    server.add_zone_text(
        """$TTL 300
@               SOA   ns1 hostmaster 1 3600 600 86400 300
@               NS    ns1
ns1             A     127.0.0.1
@               MX    10 mx
mx              A     192.0.2.90
_dmarc          TXT   "v=DMARC1; p=reject; rua=mailto:dmarc@acme-billing.test"
s1._domainkey   CNAME s1.domainkey.u7777.wl7.sendgrid.net.
s2._domainkey   CNAME s2.domainkey.u7777.wl7.sendgrid.net.
em77            CNAME u7777.wl7.sendgrid.net.
""",
        origin="acme-billing.test.",
    )
    server.add_zone_text(
        f"""$TTL 300
u7777.wl7                 TXT   "v=spf1 include:sendgrid.net ~all"
u7777.wl7                 MX    10 mx.sendgrid.net.
s1.domainkey.u7777.wl7    TXT   {k["acme"].record()}
smtpapi._domainkey        TXT   {k["sendgrid"].record()}
""",
        origin="sendgrid.net.",
    )
    server.add_zone_text(
        """$TTL 300
@               SOA   ns1 hostmaster 1 3600 600 86400 300
@               NS    ns1
ns1             A     127.0.0.1
@               MX    10 mx
mx              A     192.0.2.91
@               TXT   "v=spf1 mx -all"
_dmarc          TXT   "v=DMARC1; p=quarantine; rua=mailto:dmarc@birch-shop.test"
""",
        origin="birch-shop.test.",
    )
    server.add_zone_text(
        f"""$TTL 300
@               SOA   ns1 hostmaster 1 3600 600 86400 300
@               NS    ns1
ns1             A     127.0.0.1
lists           TXT   "v=spf1 ip4:{LIST_IP} -all"
arc._domainkey.lists TXT {k["list"].record()}
""",
        origin="forward.test.",
    )


def _delivered(raw: bytes, *, ip: str, host: str, results: str, return_path: str) -> bytes:
    """What the recipient's mailbox holds: the border hop, its results, an internal hop."""
    return mail.prepend(
        raw,
        f"Return-Path: <{return_path}>",
        mail.received(
            helo="mx.recipient.test",
            host="mx.recipient.test",
            ip="10.0.0.5",
            by="mailbox.recipient.test",
            seconds=95,
        ),
        f"Authentication-Results: mx.recipient.test;\r\n\t{results}",
        mail.received(helo=host, host=host, ip=ip, by="mx.recipient.test", seconds=90),
    )


def aligned_message() -> bytes:
    """SendGrid signing for acme-billing.test with its own key, bouncing to em77."""
    raw = mail.message(from_addr="billing@acme-billing.test")
    raw = mail.sign(raw, domain="acme-billing.test", selector="s1", key=keys()["acme"])
    return _delivered(
        raw,
        ip=SENDGRID_IP,
        host="o1.ptr7777.sendgrid.net",
        return_path="bounces+7777-ab12=customer@em77.acme-billing.test",
        results="dkim=pass header.d=acme-billing.test header.s=s1;\r\n\t"
        "spf=pass smtp.mailfrom=em77.acme-billing.test;\r\n\t"
        "dmarc=pass (p=reject) header.from=acme-billing.test",
    )


def unaligned_message() -> bytes:
    """SendGrid's own signature and bounce domain on mail from birch-shop.test."""
    raw = mail.message(from_addr="orders@birch-shop.test", subject="Your order")
    raw = mail.sign(raw, domain="sendgrid.net", selector="smtpapi", key=keys()["sendgrid"])
    return _delivered(
        raw,
        ip=SENDGRID_IP,
        host="o1.ptr4242.sendgrid.net",
        return_path="bounces+4242-cd34=customer@sendgrid.net",
        results="dkim=pass header.d=sendgrid.net header.s=smtpapi;\r\n\t"
        "spf=pass smtp.mailfrom=sendgrid.net;\r\n\t"
        "dmarc=fail (p=quarantine) header.from=birch-shop.test",
    )


def body_modified_message() -> bytes:
    """The aligned message with its body changed after delivery."""
    return aligned_message().replace(b"Your invoice is attached.", b"Pay to account 666 now.")


def forwarded_message() -> bytes:
    """acme-billing.test's signed message through a mailing list that tags the subject,
    adds a footer and seals an ARC set recording what it saw."""
    original = mail.message(from_addr="billing@acme-billing.test", subject="Quarterly report")
    original = mail.sign(original, domain="acme-billing.test", selector="s1", key=keys()["acme"])
    head, body = original.split(b"\r\n\r\n", 1)
    changed = (
        head.replace(b"Subject: Quarterly report", b"Subject: [team] Quarterly report")
        + b"\r\nList-Id: Team <team.lists.forward.test>\r\n\r\n"
        + body
        + b"--\r\nteam mailing list\r\n"
    )
    arrived = mail.prepend(
        changed,
        "Authentication-Results: lists.forward.test;\r\n\t"
        "dkim=pass header.d=acme-billing.test header.s=s1;\r\n\t"
        "spf=pass smtp.mailfrom=em77.acme-billing.test;\r\n\t"
        "dmarc=pass header.from=acme-billing.test",
        mail.received(
            helo="o1.ptr7777.sendgrid.net",
            host="o1.ptr7777.sendgrid.net",
            ip=SENDGRID_IP,
            by="lists.forward.test",
            seconds=20,
        ),
    )
    sealed = mail.arc_seal(
        arrived,
        domain="lists.forward.test",
        selector="arc",
        key=keys()["list"],
        authserv="lists.forward.test",
    )
    # The list's own Authentication-Results is not passed on; its ARC copy is.
    sealed = b"\r\n".join(
        line for line in _drop_field(sealed, b"Authentication-Results: lists.forward.test")
    )
    return _delivered(
        sealed,
        ip=LIST_IP,
        host="lists.forward.test",
        return_path="team-bounces@lists.forward.test",
        results="dkim=fail (body hash did not verify) header.d=acme-billing.test "
        "header.s=s1;\r\n\tarc=pass;\r\n\tspf=pass smtp.mailfrom=lists.forward.test;\r\n\t"
        "dmarc=fail header.from=acme-billing.test",
    )


def _drop_field(raw: bytes, start: bytes) -> list[bytes]:
    lines = raw.split(b"\r\n")
    kept: list[bytes] = []
    dropping = False
    for line in lines:
        if line.startswith(start):
            dropping = True
            continue
        if dropping and line[:1] in (b" ", b"\t"):
            continue
        dropping = False
        kept.append(line)
    return kept


def headers_only() -> bytes:
    """The aligned message's header block alone."""
    return mail.headers_of(aligned_message())
