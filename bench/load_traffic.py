"""The traffic of bench/load.py, for locust: visitors from many addresses, and four
slow-DNS clients from one. Run through bench/load.py, which sets up the site."""

from __future__ import annotations

import random
import re

from locust import HttpUser, between, constant_pacing, task

SLOW = "slow.load.test"
FAST = "fast.load.test"
SLOW_CLIENT_ADDRESS = "203.0.113.66"
VENDOR_PAGES = ["mailchimp", "sendgrid", "hubspot", "zendesk", "mailgun", "brevo", "klaviyo"]
SEARCHES = ["mail", "crm", "helpdesk", "sendgrid", "marketing", "billing", "hr"]


def check_body(domain: str) -> dict:
    return {"domain": domain, "vendor": "mailhawk", "parameters": {"account_id": "7001"}}


def expect(response, *statuses: int) -> None:
    """Success for the expected statuses; a 429 is its own kind of failure (counted apart)."""
    if response.status_code in statuses:
        response.success()
    elif response.status_code == 429:
        response.failure("429")
    else:
        response.failure(f"status {response.status_code}")


class Visitor(HttpUser):
    """Someone browsing and checking, from their own address."""

    weight = 10
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        address = f"198.51.{random.randint(0, 255)}.{random.randint(1, 254)}"
        self.client.headers["X-Forwarded-For"] = address

    @task(5)
    def vendor_page(self) -> None:
        slug = random.choice(VENDOR_PAGES)
        with self.client.get(f"/vendors/{slug}/", name="vendor page", catch_response=True) as r:
            expect(r, 200, 404)

    @task(3)
    def search(self) -> None:
        query = random.choice(SEARCHES)
        with self.client.get(f"/search/?q={query}", name="search", catch_response=True) as r:
            expect(r, 200)

    @task(3)
    def api_vendors(self) -> None:
        with self.client.get(
            "/api/v1/vendors?page_size=20", name="api vendors", catch_response=True
        ) as r:
            expect(r, 200)

    @task(1)
    def api_check(self) -> None:
        with self.client.post(
            "/api/v1/checks", json=check_body(FAST), name="api check", catch_response=True
        ) as r:
            expect(r, 201)

    @task(1)
    def web_check(self) -> None:
        with self.client.get(
            "/check/?vendor=mailhawk", name="check form", catch_response=True
        ) as r:
            expect(r, 200)
            match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text)
        if not match:
            return
        # The site's cookies are Secure (production runs behind HTTPS): say the request came
        # through the TLS proxy, and hand the CSRF cookie over by hand on plain HTTP.
        cookie = r.cookies.get("csrftoken") or self.client.cookies.get("csrftoken", "")
        form = {
            "csrfmiddlewaretoken": match.group(1),
            "domain": FAST,
            "vendor": "mailhawk",
            "method": "cname-delegation",
            "param_account_id": "7001",
        }
        host = self.host.split("://", 1)[1]
        headers = {
            "Referer": f"https://{host}/check/",
            "X-Forwarded-Proto": "https",
            "Cookie": f"csrftoken={cookie}",
        }
        with self.client.post(
            "/check/", data=form, headers=headers, name="web check", catch_response=True
        ) as r:
            expect(r, 200)  # the result page, after the redirect


class SlowDNSClient(HttpUser):
    """The review's attacker: checks of a domain whose name server answers after seconds,
    four at a time from one address, 24 a minute (under the 30/min rate limit)."""

    fixed_count = 4
    wait_time = constant_pacing(10)

    def on_start(self) -> None:
        self.client.headers["X-Forwarded-For"] = SLOW_CLIENT_ADDRESS

    @task
    def slow_check(self) -> None:
        with self.client.post(
            "/api/v1/checks", json=check_body(SLOW), name="slow check", catch_response=True
        ) as r:
            expect(r, 201)
