"""Swagger UI and Redoc are served by the site, under its Content-Security-Policy."""

import re

import pytest

pytestmark = pytest.mark.django_db


def asset_urls(html):
    return re.findall(r'(?:src|href)="([^"]+)"', html)


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/docs/redoc/"])
def test_the_docs_pages_load_nothing_from_elsewhere(anonymous, url):
    response = anonymous.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert asset_urls(html)
    assert all(u.startswith("/") and not u.startswith("//") for u in asset_urls(html)), html
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"


def test_swagger_ui_runs_under_the_sites_strict_policy(anonymous):
    response = anonymous.get("/api/v1/docs/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    script = anonymous.get("/api/v1/docs/?script=")
    assert script["Content-Type"] == "application/javascript"
    assert '"/api/v1/schema/"' in script.content.decode()


def test_only_redoc_may_use_inline_styles_and_blob_workers(anonymous):
    csp = anonymous.get("/api/v1/docs/redoc/")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in csp
    assert "worker-src 'self' blob:" in csp
    assert "script-src 'self';" in csp  # scripts stay strict
    for url in ("/", "/api/v1/docs/", "/api/v1/vendors"):
        assert "unsafe-inline" not in anonymous.get(url)["Content-Security-Policy"]


def test_redoc_is_started_by_a_static_script(anonymous):
    html = anonymous.get("/api/v1/docs/redoc/").content.decode()
    assert 'data-schema-url="/api/v1/schema/"' in html
    assert '<script src="/static/api/redoc-init.js">' in html
