"""Server time of the leaderboard, scorecard pages and the vendor detail API with demand.

    python bench/scorecards.py [--vendors 10000] [--requests 100]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python bench/scorecards.py

Builds a scratch database (Django's test database) with bench/site.py's synthetic
catalog, 90 days of checks for a fifth of the vendors and confirmed votes, then
times computing every vendor's stored score (the task worker's job after an
import), then p50/p95 of each leaderboard order, scorecard pages, API details
and badges.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import random
import sys
import time
from pathlib import Path

# bench/site.py (not the standard library's `site`) sets Django up and builds the catalog.
_spec = importlib.util.spec_from_file_location("bench_site", Path(__file__).with_name("site.py"))
bench_site = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_site)
fill, p, timed = bench_site.fill, bench_site.p, bench_site.timed

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

POINTS = ["delegation", "key-2048", "return-path", "rotation", "selectors"]


def fill_demand(vendor_ids: list[int], rng: random.Random) -> tuple[int, int]:
    from sources.models import CapabilityVote, VendorCheckDay, VendorFailureDay

    today, now = timezone.now().date(), timezone.now()
    busy = rng.sample(vendor_ids, len(vendor_ids) // 5)
    days = [
        VendorCheckDay(
            vendor_id=vid,
            day=today - dt.timedelta(days=d),
            checks=(n := rng.randint(1, 40)),
            passes=rng.randint(0, n),
            updated_at=now,
        )
        for vid in busy
        for d in range(90)
    ]
    VendorCheckDay.objects.bulk_create(days, batch_size=5000)
    VendorFailureDay.objects.bulk_create(
        (
            VendorFailureDay(
                vendor_id=vid,
                day=today - dt.timedelta(days=d),
                requirement=f"dkim-{d % 2}",
                failures=rng.randint(1, 5),
            )
            for vid in busy
            for d in range(0, 90, 3)
        ),
        batch_size=5000,
    )
    votes = [
        CapabilityVote(vendor_id=vid, point=point, voter=f"user:{i}", confirmed_at=now)
        for i, vid in enumerate(rng.sample(vendor_ids, len(vendor_ids) // 10))
        for point in rng.sample(POINTS, 2)
    ]
    CapabilityVote.objects.bulk_create(votes, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return len(days), len(votes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from sources.models import Vendor

        fill(args.vendors)
        ids = list(Vendor.objects.values_list("pk", flat=True))
        rng = random.Random(11)
        rows, votes = fill_demand(ids, rng)
        from sources.services.demand import scores_refresh

        client = Client()
        start = time.perf_counter()
        scored = scores_refresh()  # what the task worker does after an import
        cold = (time.perf_counter() - start) * 1000
        slugs = [f"v-{i}" for i in rng.sample(range(args.vendors), 50)]
        pages = {
            "leaderboard alignment": ["/scorecards/", "/scorecards/?page=40"],
            "leaderboard checks": ["/scorecards/?sort=checks", "/scorecards/?sort=checks&page=9"],
            "leaderboard votes": ["/scorecards/?sort=votes", "/scorecards/?sort=votes&page=9"],
            "scorecard page": [f"/vendors/{s}/scorecard/" for s in slugs],
            "API detail": [f"/api/v1/vendors/{s}" for s in slugs],
            "badge": [f"/vendors/{s}/badge.svg" for s in slugs],
        }
        for urls in pages.values():
            timed(client, urls, min(len(urls), 10))
        print(
            f"\nScorecards, {args.vendors:,} vendors, {rows:,} check-days, {votes:,} votes, "
            f"{connection.vendor}, {args.requests} requests each"
        )
        print(f"stored scores computed for {scored:,} vendors (task worker): {cold:.0f} ms")
        print(f"{'page':<24}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
        for name, urls in pages.items():
            times = timed(client, urls, args.requests)
            print(f"{name:<24}{p(times, 50):>10.1f}{p(times, 95):>10.1f}{max(times):>10.1f}")
        return 0
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
