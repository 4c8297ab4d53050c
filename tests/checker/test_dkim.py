"""DKIM key records: parsing, key sizes, and selector lookups over real DNS."""

import asyncio

import pytest

from sources.checker.dkim import DKIMSyntaxError, lookup_dkim, parse_dkim_key
from tests.checker.helpers import RSA_512_SPKI, RSA_2048_PKCS1, RSA_2048_SPKI, serve_everything

ED25519 = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="


def test_it_reads_a_2048_bit_rsa_key():
    key = parse_dkim_key(f"v=DKIM1; k=rsa; p={RSA_2048_SPKI}")
    assert (key.key_type, key.bits, key.revoked, key.usable) == ("rsa", 2048, False, True)
    assert key.warnings == () and key.errors == ()


def test_v_and_k_are_optional():
    key = parse_dkim_key(f"p={RSA_2048_SPKI}")
    assert (key.key_type, key.bits) == ("rsa", 2048)


def test_it_reads_an_ed25519_key():
    key = parse_dkim_key(f"v=DKIM1; k=ed25519; p={ED25519}")
    assert (key.key_type, key.bits, key.usable) == ("ed25519", 256, True)


def test_an_empty_p_means_the_key_is_revoked():
    key = parse_dkim_key("v=DKIM1; k=rsa; p=")
    assert key.revoked and not key.usable and key.bits is None


def test_keys_under_1024_bits_are_unusable():
    key = parse_dkim_key(f"v=DKIM1; p={RSA_512_SPKI}")
    assert key.bits == 512
    assert not key.usable
    assert "under 1024" in key.errors[0]


def test_a_bare_rsa_public_key_is_measured_but_flagged():
    key = parse_dkim_key(f"v=DKIM1; p={RSA_2048_PKCS1}")
    assert key.bits == 2048 and key.usable
    assert any("SubjectPublicKeyInfo" in warning for warning in key.warnings)


def test_folding_whitespace_inside_the_key_is_allowed():
    folded = " ".join(RSA_2048_SPKI[i : i + 60] for i in range(0, len(RSA_2048_SPKI), 60))
    assert parse_dkim_key(f"v=DKIM1;\r\n\tp={folded}").bits == 2048


@pytest.mark.parametrize(
    ("tags", "usable", "fragment"),
    [
        ("h=sha1", False, "does not allow sha256"),
        ("h=sha1:sha256", True, "lists sha1"),
        ("h=sha256", True, None),
        ("s=email", True, None),
        ("s=*", True, None),
        ("s=tlsrpt", False, "not for email"),
        ("t=y", True, "testing"),
        ("t=s", True, None),
        ("n=notes; x=unknown", True, None),
    ],
)
def test_it_judges_the_optional_tags(tags, usable, fragment):
    key = parse_dkim_key(f"v=DKIM1; {tags}; p={RSA_2048_SPKI}")
    assert key.usable is usable
    if fragment:
        assert any(fragment in text for text in key.errors + key.warnings)
    else:
        assert key.errors == () and key.warnings == ()


def test_t_s_is_reported_as_a_flag():
    assert parse_dkim_key(f"t=y:s; p={RSA_2048_SPKI}").flags == ("y", "s")


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("", 0, "empty"),
        (f"k=rsa; v=DKIM1; p={RSA_2048_SPKI}", 7, "first tag"),
        (f"v=DKIM2; p={RSA_2048_SPKI}", 2, "not the version DKIM1"),
        (f"v=DKIM1; k=dsa; p={RSA_2048_SPKI}", 11, "not a known key type"),
        ("v=DKIM1; k=rsa", 14, "p= tag"),
        ("v=DKIM1; p=!!!!", 11, "not valid base64"),
        ("v=DKIM1; p=AAAA", 11, "not a valid RSA public key"),
        (f"v=DKIM1; k=ed25519; p={RSA_2048_SPKI}", 22, "Ed25519 key is 32 bytes"),
        (f"v=DKIM1; p=a; p={RSA_2048_SPKI}", 14, "appears twice"),
        (f"v=DKIM1; garbage; p={RSA_2048_SPKI}", 9, "not a tag=value pair"),
        (f"v=DKIM1; 1x=2; p={RSA_2048_SPKI}", 9, "not a valid tag name"),
        (f"v=DKIM1; k=r\u00e9a; p={RSA_2048_SPKI}", 11, "characters not allowed"),
    ],
)
def test_it_raises_for_records_no_verifier_can_use(text, position, fragment):
    with pytest.raises(DKIMSyntaxError) as caught:
        parse_dkim_key(text)
    assert caught.value.position == position
    assert fragment in caught.value.reason


def test_an_ed25519_key_declared_as_rsa_is_explained():
    ed_spki = "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
    with pytest.raises(DKIMSyntaxError, match="Ed25519 key, but the record says k=rsa"):
        parse_dkim_key(f"v=DKIM1; p={ed_spki}")


@pytest.fixture
def zone(dns_server):
    serve_everything(dns_server)
    dns_server.add_records(
        {
            "s1._domainkey.example.com": [("TXT", f"v=DKIM1; k=rsa; p={RSA_2048_SPKI}")],
            "s2._domainkey.example.com": [("CNAME", "s2.dkim.vendor.example.net")],
            "s2.dkim.vendor.example.net": [("TXT", f"v=DKIM1; k=ed25519; p={ED25519}")],
            "old._domainkey.example.com": [("TXT", "v=DKIM1; p=")],
            "bad._domainkey.example.com": [("TXT", "v=DKIM1; k=rsa; p=AAAA")],
            "weak._domainkey.example.com": [("TXT", f"v=DKIM1; p={RSA_512_SPKI}")],
            "dangling._domainkey.example.com": [("CNAME", "gone.vendor.example.net")],
            "two._domainkey.example.com": [
                ("TXT", "v=DKIM1; p=AAAA"),
                ("TXT", f"v=DKIM1; p={RSA_2048_SPKI}"),
            ],
            "long._domainkey.example.com": [("TXT", f"v=DKIM1; k=rsa; p={RSA_2048_SPKI}")],
        },
        origin=".",
    )
    return dns_server


def lookup(resolver, selector, domain="example.com"):
    return asyncio.run(lookup_dkim(resolver, selector, domain))


def test_it_finds_a_published_key(zone, resolver):
    result = lookup(resolver, "s1")
    assert (result.status, result.key_type, result.bits) == ("found", "rsa", 2048)
    assert result.name == "s1._domainkey.example.com"
    assert result.cname_target is None


def test_it_follows_a_cname_and_reports_the_target(zone, resolver):
    result = lookup(resolver, "s2")
    assert (result.status, result.key_type) == ("found", "ed25519")
    assert result.cname_target == "s2.dkim.vendor.example.net"


@pytest.mark.parametrize(
    ("selector", "status", "fragment"),
    [
        ("missing", "missing", "no DKIM key record at missing._domainkey.example.com"),
        ("dangling", "missing", "gone.vendor.example.net, the CNAME target"),
        ("old", "revoked", "revoked"),
        ("bad", "invalid", "not a valid RSA public key"),
        ("weak", "invalid", "under 1024"),
        ("not a selector", "invalid", "is not a selector"),
    ],
)
def test_it_tells_missing_revoked_and_invalid_keys_apart(
    zone, resolver, selector, status, fragment
):
    result = lookup(resolver, selector)
    assert result.status == status
    assert any(fragment in error for error in result.errors), result.errors


def test_with_two_records_it_uses_the_usable_one_and_warns(zone, resolver):
    result = lookup(resolver, "two")
    assert result.status == "found"
    assert any("2 TXT records" in warning for warning in result.warnings)


@pytest.mark.parametrize("fault", ["timeout", "servfail"])
def test_it_reports_a_failed_lookup_as_error_never_missing(zone, resolver, fault):
    zone.set_fault("s1._domainkey.example.com", fault)
    result = lookup(resolver, "s1")
    assert result.status == "error"
    assert "retry" in result.errors[0]


def test_a_long_key_record_arrives_over_tcp(zone, resolver):
    zone.set_fault("long._domainkey.example.com", "truncate")
    assert lookup(resolver, "long").bits == 2048
