"""The DKIM key parser against dkimpy's key records (tests/conformance/dkimpy-keys)."""

from pathlib import Path

import pytest

from sources.checker.dkim import DKIMSyntaxError, parse_dkim_key

KEYS = Path(__file__).resolve().parents[1] / "conformance" / "dkimpy-keys"

# file -> (key type, bits, usable for email) or the DKIMSyntaxError reason fragment.
EXPECTED: dict[str, tuple[str, int, bool] | str] = {
    "test.txt": ("rsa", 1024, True),
    "test2.txt": ("rsa", 1024, True),
    "ed25519test.dns": ("ed25519", 256, True),
    "eximtest.dns": ("ed25519", 256, True),
    "test_tlsrpt.txt": ("rsa", 1024, False),
    "badk.txt": "not a known key type",
    "badversion.txt": "not the version DKIM1",
    "test_bad.txt": "not a valid RSA public key",
}


def test_every_key_file_has_an_expectation():
    files = {path.name for path in KEYS.iterdir() if path.name != "LICENSE"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_it_agrees_with_dkimpy_about_each_key(name):
    text = (KEYS / name).read_text().strip()
    expected = EXPECTED[name]
    if isinstance(expected, str):
        with pytest.raises(DKIMSyntaxError) as caught:
            parse_dkim_key(text)
        assert expected in caught.value.reason
        return
    key = parse_dkim_key(text)
    assert (key.key_type, key.bits, key.usable) == expected
    if key.key_type == "rsa":
        assert any("use 2048 bits" in warning for warning in key.warnings)
