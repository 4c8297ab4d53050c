"""normalise_domain accepts what people paste and explains what it refuses."""

import pytest

from sources.checker.domains import (
    InvalidDomain,
    is_subdomain,
    normalise_domain,
    organisational_domain,
)


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        ("example.com", "example.com"),
        ("  Example.COM  ", "example.com"),
        ("example.com.", "example.com"),
        ("https://Example.COM/path", "example.com"),
        ("http://user:pw@mail.example.com:8443/x?y=1#z", "mail.example.com"),
        ("user@example.com", "example.com"),
        ("mailto:User@Example.com", "example.com"),
        ("Jane <jane@example.org>", "example.org"),
        ("example.com/about", "example.com"),
        ("example.com:443", "example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("BÜCHER.example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("bücher\u3002example", "xn--bcher-kva.example"),
        ("a.b.c.d.example.net", "a.b.c.d.example.net"),
        ("bank.example", "bank.example"),
        ("mail.test", "mail.test"),
        ("123.example.com", "123.example.com"),
    ],
)
def test_it_normalises_what_people_paste(pasted, expected):
    assert normalise_domain(pasted) == expected


@pytest.mark.parametrize(
    ("pasted", "reason_fragment"),
    [
        ("", "no domain"),
        ("   ", "no domain"),
        (".", "no domain"),
        ("com", "single label"),
        ("example", "single label"),
        ("example..com", "empty label"),
        (".example.com", "empty label"),
        ("exa mple.com", "not allowed"),
        ("exa_mple.com", "not allowed"),
        ("-example.com", "hyphen"),
        ("example-.com", "hyphen"),
        ("a" * 64 + ".com", "at most 63"),
        (".".join(["abcdefghi"] * 26) + ".com", "at most 253"),
        ("192.0.2.1", "IP address"),
        ("http://192.0.2.1/", "IP address"),
        ("2001:db8::1", "IP address"),
        ("[2001:db8::1]", "IP address"),
        ("https://[2001:db8::1]:8080/", "IP address"),
        ("user@[192.0.2.1]", "IP address"),
        ("1.2.3", "looks like an IP address"),
        ("localhost", "single label"),
        ("mail.localhost", "local machine"),
        ("printer.local", "multicast DNS"),
        ("foo.invalid", "always invalid"),
        ("duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion", "onion"),
        ("1.2.0.192.in-addr.arpa", "arpa"),
        ("router.home.arpa", "arpa"),
        ("corp.internal", "private networks"),
        ("xn--zzzz9999.com", "punycode"),
        ("xn--111111111111111111111111111111u.com", "punycode"),  # OverflowError in the codec
    ],
)
def test_it_rejects_what_is_not_a_mail_domain_and_says_why(pasted, reason_fragment):
    with pytest.raises(InvalidDomain) as caught:
        normalise_domain(pasted)
    assert reason_fragment in caught.value.reason


def test_it_accepts_the_longest_legal_name():
    name = ".".join(["a" * 63] * 3 + ["b" * 61])
    assert len(name) == 253
    assert normalise_domain(name) == name


def test_it_rejects_non_text_input():
    with pytest.raises(InvalidDomain):
        normalise_domain(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "org"),
    [
        ("example.com", "example.com"),
        ("mail.example.com", "example.com"),
        ("a.b.example.co.uk", "example.co.uk"),
        ("Mail.Example.COM.", "example.com"),
        ("co.uk", "co.uk"),
        ("giant.bank.example", "bank.example"),
    ],
)
def test_it_finds_the_organisational_domain_with_the_public_suffix_list(name, org):
    assert organisational_domain(name) == org


def test_subdomain_test_matches_whole_labels_only():
    assert is_subdomain("mail.example.com", "example.com")
    assert is_subdomain("example.com", "EXAMPLE.com.")
    assert not is_subdomain("badexample.com", "example.com")
