"""Just enough DER to measure an RSA public key (RFC 5280 SubjectPublicKeyInfo, RFC 8017).

The `cryptography` package is not a dependency of the project and a key size
is all the checker needs, so this reads the two structures by hand.
"""

from __future__ import annotations

_SEQUENCE = 0x30
_INTEGER = 0x02
_BIT_STRING = 0x03
_OID = 0x06
_RSA_ENCRYPTION = bytes.fromhex("2a864886f70d010101")  # 1.2.840.113549.1.1.1
_ED25519 = bytes.fromhex("2b6570")  # 1.3.101.112


class DERError(ValueError):
    """The bytes are not the DER structure expected."""


def _read(data: bytes, offset: int, expected_tag: int) -> tuple[bytes, int]:
    """Read one tag-length-value at `offset`; return its content and the next offset."""
    if offset + 2 > len(data):
        raise DERError("the key data ends early")
    tag, first = data[offset], data[offset + 1]
    if tag != expected_tag:
        raise DERError(f"expected DER tag 0x{expected_tag:02x}, found 0x{tag:02x}")
    offset += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or offset + count > len(data):
            raise DERError("bad DER length")
        length = int.from_bytes(data[offset : offset + count], "big")
        offset += count
    end = offset + length
    if end > len(data):
        raise DERError("the key data ends early")
    return data[offset:end], end


def _rsa_public_key(data: bytes) -> int:
    body, end = _read(data, 0, _SEQUENCE)
    if end != len(data):
        raise DERError("unexpected bytes after the RSA key")
    modulus, offset = _read(body, 0, _INTEGER)
    exponent, offset = _read(body, offset, _INTEGER)
    if offset != len(body):
        raise DERError("unexpected fields in the RSA key")
    n = int.from_bytes(modulus, "big", signed=True)
    e = int.from_bytes(exponent, "big", signed=True)
    if n <= 0 or e <= 1:
        raise DERError("the RSA modulus or exponent is not positive")
    return n.bit_length()


def rsa_modulus_bits(data: bytes) -> tuple[int, bool]:
    """The modulus size of an RSA key in SubjectPublicKeyInfo or bare RSAPublicKey form.

    Returns (bits, bare) where `bare` is True for the PKCS#1 RSAPublicKey form.
    """
    outer, end = _read(data, 0, _SEQUENCE)
    if end != len(data):
        raise DERError("unexpected bytes after the key")
    if outer[:1] == bytes([_INTEGER]):
        return _rsa_public_key(data), True
    algorithm, offset = _read(outer, 0, _SEQUENCE)
    oid, _ = _read(algorithm, 0, _OID)
    if oid == _ED25519:
        raise DERError("this is an Ed25519 key, but the record says k=rsa")
    if oid != _RSA_ENCRYPTION:
        raise DERError("the key is not an RSA key")
    bits, offset = _read(outer, offset, _BIT_STRING)
    if offset != len(outer):
        raise DERError("unexpected fields after the key")
    if not bits or bits[0] != 0:
        raise DERError("bad BIT STRING")
    return _rsa_public_key(bits[1:]), False
