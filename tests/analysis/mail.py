"""Real signed messages for the analyzer's tests: RSA keys made here, messages signed and
sealed with dkimpy, and the zones that publish the public keys on the loopback server.

The keys are 1024-bit (the smallest verifiers accept) so that making them stays quick;
primes come from the standard library's random numbers and a Miller-Rabin test.
"""

from __future__ import annotations

import base64
import functools
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import dkim

_RNG = random.Random(20261202)  # the same keys on every run: failures reproduce


def _probably_prime(n: int, rounds: int = 30) -> bool:
    if n < 2:
        return False
    for small in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % small == 0:
            return n == small
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(rounds):
        x = pow(_RNG.randrange(2, n - 2), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int) -> int:
    while True:
        candidate = _RNG.getrandbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if _probably_prime(candidate) and (candidate - 1) % 65537:
            return candidate


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _der(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _der_length(len(body)) + body


def _int(n: int) -> bytes:
    body = n.to_bytes(n.bit_length() // 8 + 1, "big")
    return _der(0x02, body)


@dataclass(frozen=True)
class Key:
    private_pem: bytes
    public_b64: str  # the p= of the DNS record

    def record(self) -> str:
        """The key's TXT record, in master-file strings of at most 255 characters."""
        text = f"v=DKIM1; k=rsa; p={self.public_b64}"
        return " ".join(f'"{text[i : i + 200]}"' for i in range(0, len(text), 200))


@functools.cache
def make_key(name: str, bits: int = 1024) -> Key:
    """An RSA key pair (one per name, made once per test process)."""
    e = 65537
    while True:
        p, q = _prime(bits // 2), _prime(bits // 2)
        n = p * q
        if p != q and n.bit_length() == bits:
            break
    d = pow(e, -1, (p - 1) * (q - 1))
    private = _der(
        0x30,
        b"".join(_int(v) for v in (0, n, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p))),
    )
    rsa_public = _der(0x30, _int(n) + _int(e))
    algorithm = _der(0x30, _der(0x06, bytes.fromhex("2a864886f70d010101")) + _der(0x05, b""))
    spki = _der(0x30, algorithm + _der(0x03, b"\x00" + rsa_public))
    pem = (
        b"-----BEGIN RSA PRIVATE KEY-----\n"
        + base64.encodebytes(private)
        + b"-----END RSA PRIVATE KEY-----\n"
    )
    return Key(pem, base64.b64encode(spki).decode())


# -- messages ---------------------------------------------------------------------------

SENT = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)


def when(seconds: int) -> str:
    return format_datetime(SENT + timedelta(seconds=seconds))


def message(
    *,
    from_addr: str,
    subject: str = "Your invoice",
    body: str = "Hello,\r\n\r\nYour invoice is attached.\r\n",
    extra: str = "",
) -> bytes:
    """A plain message as its sender's system writes it, before any hop."""
    head = (
        f"From: Billing <{from_addr}>\r\n"
        "To: customer@recipient.test\r\n"
        f"Subject: {subject}\r\n"
        f"Date: {when(0)}\r\n"
        f"Message-ID: <{abs(hash(subject))}@{from_addr.split('@')[1]}>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        f"{extra}"
    )
    return (head + "\r\n" + body).encode()


def sign(raw: bytes, *, domain: str, selector: str, key: Key) -> bytes:
    """`raw` with a DKIM-Signature by d=`domain`, s=`selector` on top."""
    signature = dkim.sign(
        raw,
        selector.encode(),
        domain.encode(),
        key.private_pem,
        include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
    )
    return signature + raw


def prepend(raw: bytes, *lines: str) -> bytes:
    """Header fields added on top by a hop, as mail servers do."""
    return "".join(line + "\r\n" for line in lines).encode() + raw


def received(*, helo: str, host: str, ip: str, by: str, seconds: int) -> str:
    return (
        f"Received: from {helo} ({host} [{ip}])\r\n\tby {by} with ESMTPS id x{seconds}\r\n"
        f"\tfor <customer@recipient.test>; {when(seconds)}"
    )


def arc_seal(raw: bytes, *, domain: str, selector: str, key: Key, authserv: str) -> bytes:
    """`raw` with an ARC set added by a forwarder whose Authentication-Results is on top."""
    lines = dkim.arc_sign(
        raw, selector.encode(), domain.encode(), key.private_pem, authserv.encode()
    )
    return b"".join(lines) + raw


def headers_of(raw: bytes) -> bytes:
    """Only the header block, as people paste it from a mail program's 'show original'."""
    return raw.split(b"\r\n\r\n", 1)[0] + b"\r\n"
