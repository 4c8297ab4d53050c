"""Low findings: DEBUG off unless set, database health checks, private and special-use
names refused by the checker, and no remote images in rendered Markdown."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sources.checker.domains import InvalidDomain, allow_test_domains, normalise_domain
from sources.markup import render_markdown
from tests.factories import make_vendor

ROOT = Path(__file__).resolve().parents[2]

SHOW_SETTINGS = (
    "import json, directory.settings as s; "
    "print(json.dumps({'debug': s.DEBUG, 'health': s.DATABASES['default']['CONN_HEALTH_CHECKS'], "
    "'test_names': s.CHECKER_ALLOW_TEST_DOMAINS}))"
)


def settings_in(env: dict) -> subprocess.CompletedProcess:
    """Import the settings in a fresh process with only `env` (and PATH) set."""
    return subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


# -- settings ---------------------------------------------------------------------------------


def test_debug_is_off_and_health_checks_on_when_nothing_is_set():
    result = settings_in({"SECRET_KEY": "a-production-key"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"debug": False, "health": True, "test_names": False}


def test_an_empty_environment_refuses_to_start_with_the_development_key():
    result = settings_in({})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_debug_is_on_only_when_asked_for():
    result = settings_in({"DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["debug"] is True


# -- names the checker refuses ------------------------------------------------------------------


@pytest.fixture
def production_names():
    """The checker as in production: .test and .example refused too."""
    allow_test_domains(False)
    yield
    allow_test_domains(True)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("intranet.corp", "private networks"),
        ("nas.home", "private networks"),
        ("router.lan", "private networks"),
        ("corp.internal", "private networks"),
        ("printer.local", "multicast DNS"),
        ("mail.localhost", "local machine"),
        ("brightfield.test", "testing"),
        ("brightfield.example", "documentation"),
        ("foo.invalid", "always invalid"),
        ("abc.onion", "onion"),
        ("1.2.0.192.in-addr.arpa", "arpa"),
        ("router.home.arpa", "arpa"),
    ],
)
def test_special_use_and_private_names_are_refused_with_the_reason(production_names, name, reason):
    with pytest.raises(InvalidDomain) as caught:
        normalise_domain(name)
    assert reason in caught.value.reason


@pytest.mark.django_db
def test_the_api_refuses_a_private_name_before_any_lookup(client, production_names):
    body = json.dumps({"domain": "mail.corp"})
    response = client.post("/api/v1/checks", body, content_type="application/json")
    assert response.status_code == 400
    assert "private networks" in json.dumps(response.json()["fields"])


def test_test_names_are_accepted_only_when_allowed(production_names):
    allow_test_domains(True)
    assert normalise_domain("Brightfield.TEST.") == "brightfield.test"
    assert normalise_domain("mail.example") == "mail.example"
    with pytest.raises(InvalidDomain):
        normalise_domain("mail.corp")  # private names stay refused
    allow_test_domains(False)
    with pytest.raises(InvalidDomain):
        normalise_domain("brightfield.test")


# -- Markdown images ------------------------------------------------------------------------------


def test_a_remote_markdown_image_becomes_a_link():
    html = render_markdown("Our setup: ![the DNS screen](https://cdn.vendor.example/dns.png)")
    assert "<img" not in html
    assert '<a href="https://cdn.vendor.example/dns.png"' in html
    assert "Image: the DNS screen" in html


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="https://tracker.example/pixel.gif" alt="x">',
        '<img src="//tracker.example/pixel.gif">',
        '<img src="/\\tracker.example/pixel.gif">',
        "![x](//tracker.example/pixel.gif)",
    ],
)
def test_remote_images_in_raw_html_lose_their_source(markup):
    html = render_markdown(markup)
    assert "tracker.example/pixel.gif" not in html.split("href=")[0]
    assert 'src="' not in html


def test_the_sites_own_images_still_render():
    html = render_markdown("![alignment](/static/img/alignment.svg)")
    assert '<img alt="alignment" src="/static/img/alignment.svg">' in html


@pytest.mark.django_db
def test_a_vendor_description_shows_no_remote_image(client):
    make_category_and_vendor = make_vendor(
        "pixelmail", description="![logo](https://tracker.example/logo.png)"
    )
    page = client.get(make_category_and_vendor.get_absolute_url()).content.decode()
    assert "tracker.example/logo.png" in page  # as a link
    assert '<img alt="logo"' not in page
