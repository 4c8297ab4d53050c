"""python manage.py spf_check: the RFC 7208 result word first, then the explanation."""

import pytest

from tests.checks.helpers import run_command

pytestmark = pytest.mark.django_db


def spf(dns_server, *args):
    return run_command("spf_check", *args, "--nameserver", dns_server.address)


def test_an_address_the_record_authorises_passes(dns_server):
    code, out, _ = spf(
        dns_server,
        "--ip",
        "203.0.113.200",
        "--sender",
        "ann@brightfield.example",
        "--helo",
        "mta.mailhawk.test",
    )
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "pass"
    assert "include:_spf.mailhawk.test" in lines[1]


def test_an_address_it_does_not_authorise_fails(dns_server):
    code, out, _ = spf(
        dns_server,
        "--ip",
        "198.51.100.99",
        "--sender",
        "ann@brightfield.example",
        "--helo",
        "x.example",
    )
    assert out.splitlines()[0] == "fail"


def test_an_empty_sender_checks_the_helo_identity(dns_server):
    code, out, _ = spf(
        dns_server, "--ip", "203.0.113.5", "--sender", "", "--helo", "brightfield.example"
    )
    assert out.splitlines()[0] == "pass"
    code, out, _ = spf(
        dns_server, "--ip", "203.0.113.5", "--sender", "", "--helo", "plainfield.example"
    )
    assert out.splitlines()[0] == "none"


def test_a_timeout_is_a_temperror(dns_server):
    dns_server.set_fault("stormgate.example", "timeout")
    code, out, _ = spf(
        dns_server,
        "--ip",
        "192.0.2.1",
        "--sender",
        "a@stormgate.example",
        "--helo",
        "x.example",
        "--timeout",
        "0.2",
    )
    assert out.splitlines()[0] == "temperror"


def test_over_ten_lookups_is_a_permerror(dns_server):
    code, out, _ = spf(
        dns_server,
        "--ip",
        "198.51.100.99",
        "--sender",
        "a@tallgrass.example",
        "--helo",
        "x.example",
    )
    assert out.splitlines()[0] == "permerror"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--ip", "300.1.1.1", "--sender", "a@b.example", "--helo", "x.example"],
            "not an IP address",
        ),
        (["--ip", "192.0.2.1", "--sender", "", "--helo", ""], "--helo"),
        (
            ["--ip", "192.0.2.1", "--sender", "a@b.example", "--helo", "x", "--nameserver", "nope"],
            "bad --nameserver",
        ),
    ],
)
def test_bad_input_exits_2(dns_server, args, message):
    code, out, err = run_command("spf_check", *args)
    assert code == 2 and message in err and out == ""
