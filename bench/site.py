"""Server time of the catalog pages at a realistic catalog size.

    python bench/site.py [--vendors 10000] [--requests 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python bench/site.py

Builds a scratch database (Django's test database, never your data), fills it
with synthetic vendors, and times each page through the full Django stack
(middleware, views, templates, queries) in-process. Prints p50/p95 per page and
compares search p95 with the 50 ms target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
os.environ.setdefault("TESTING", "true")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("CHECKER_ALLOW_TEST_DOMAINS", "true")
# Server time is measured here, not the rate limits: lift them for the run.
os.environ.setdefault("API_ANON_RATE", "1000000/min")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

SEARCH_TARGET_MS = 50.0
SYLLABLES = "al be co da el fi go ha in jo ka lu mo ne or pa qui ro sa ti un ve wi xo yu ze".split()  # noqa: SIM905
SUFFIXES = ["mail", "desk", "crm", "pay", "hub", "send", "ly", "io", "flow", "stack", ""]
REAL = ["SendGrid", "Zendesk", "Mailgun", "Postmark", "HubSpot", "Salesforce", "Klaviyo"]


def synthetic_names(count: int, rng: random.Random) -> list[str]:
    names, seen = list(REAL), set(REAL)
    while len(names) < count:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        name = (name + rng.choice(SUFFIXES)).capitalize()
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names[:count]


def fill(count: int) -> list[str]:
    from sources.models import (
        Category,
        RecordRequirement,
        SetupMethod,
        Vendor,
    )
    from sources.services.catalog import search_names_for, vendors_refresh_search_vector

    rng = random.Random(42)
    categories = [
        Category.objects.create(slug=f"cat-{i}", name=f"Category {i}", position=i)
        for i in range(15)
    ]
    names = synthetic_names(count, rng)
    kinds = ["cname-delegation", "dkim-txt", "return-path", "spf-include", "smtp-relay"]
    caps = ["full", "dkim-only", "spf-only", "none", "unknown"]
    vendors = Vendor.objects.bulk_create(
        Vendor(
            slug=f"v-{i}",
            name=name,
            aliases=[f"{name} Cloud"] if i % 3 == 0 else [],
            website="https://vendor.example/",
            summary=f"{name} sends {rng.choice(['invoices', 'tickets', 'newsletters'])}.",
            description="Sends mail for customers. " * 20,
            last_verified=dt.date(2026, 11, 1),
            dmarc_capability=rng.choice(caps),
            method_kinds=rng.choice(kinds),
            search_names=search_names_for(name, [f"{name} Cloud"] if i % 3 == 0 else []),
        )
        for i, name in enumerate(names)
    )
    through = Vendor.categories.through
    through.objects.bulk_create(
        through(vendor=v, category=categories[i % len(categories)]) for i, v in enumerate(vendors)
    )
    methods = SetupMethod.objects.bulk_create(
        SetupMethod(
            vendor=v,
            kind=kinds[i % len(kinds)],
            title="Domain authentication",
            steps="1. Add the records.",
            sources=["https://docs.vendor.example/"],
        )
        for i, v in enumerate(vendors)
    )
    RecordRequirement.objects.bulk_create(
        RecordRequirement(
            method=m,
            record_id=f"dkim-{j}",
            rtype="CNAME",
            host=f"s{j}._domainkey.{{domain}}",
            value=f"s{j}.dkim.vendor.example",
            purpose="dkim",
            selector=f"s{j}",
            position=j,
        )
        for m in methods
        for j in range(2)
    )
    vendors_refresh_search_vector(Vendor.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return names


def queries_for(names: list[str], rng: random.Random) -> list[str]:
    picks = rng.sample(names, 30)
    exact = picks[:10]
    partial = [n[: max(3, len(n) // 2)] for n in picks[10:20]]
    misspelt = []
    for n in picks[20:30]:
        i = rng.randrange(1, len(n) - 1)
        misspelt.append(n[:i] + n[i + 1] + n[i] + n[i + 2 :])  # swap two letters
    return exact + partial + misspelt + ["zen desk", "sendgird", "office 365", "mail"]


def timed(client: Client, urls: list[str], requests: int) -> list[float]:
    times = []
    for i in range(requests):
        url = urls[i % len(urls)]
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return times


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        names = fill(args.vendors)
        rng = random.Random(7)
        client = Client()
        searches = [f"/search/?q={q.replace(' ', '+')}" for q in queries_for(names, rng)]
        pages = {
            "home": ["/"],
            "search": searches,
            "search + facet": [u + "&category=cat-3" for u in searches],
            "directory listing": ["/search/", "/search/?page=7&capability=full"],
            "category": [f"/categories/cat-{i}/" for i in range(15)],
            "vendor detail": [f"/vendors/v-{i}/" for i in rng.sample(range(args.vendors), 50)],
            "API list": ["/api/v1/vendors", "/api/v1/vendors?page=7&capability=full"],
            "API search": [
                f"/api/v1/vendors?q={q.replace(' ', '+')}" for q in queries_for(names, rng)
            ],
            "API detail": [f"/api/v1/vendors/v-{i}" for i in rng.sample(range(args.vendors), 50)],
        }
        extra = os.environ.get("BENCH_EXTRA_URLS", "")
        if extra:
            pages["extra"] = extra.split(",")
        for urls in pages.values():  # warm caches and connections
            timed(client, urls, min(len(urls), 20))
        backend = connection.vendor
        print(
            f"\nCatalog pages, {args.vendors:,} vendors, {backend}, {args.requests} requests each"
        )
        print(f"{'page':<20}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
        results = {}
        for name, urls in pages.items():
            times = timed(client, urls, args.requests)
            results[name] = p(times, 95)
            print(f"{name:<20}{p(times, 50):>10.1f}{p(times, 95):>10.1f}{max(times):>10.1f}")
        print()
        targeted = ("search", "API search")
        for name in targeted:
            verdict = "meets" if results[name] <= SEARCH_TARGET_MS else "MISSES"
            print(
                f"{name} p95 {results[name]:.1f} ms {verdict} the {SEARCH_TARGET_MS:.0f} ms target"
            )
        return 0 if all(results[name] <= SEARCH_TARGET_MS for name in targeted) else 1
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
