import json
import sys

from django.core.management.base import BaseCommand

from sources.management.checkcli import (
    EXIT_NOT_PASS,
    BadInput,
    add_resolver_arguments,
    resolver_factory,
)
from sources.models import Vendor
from sources.selectors import vendor_dns_check
from sources.services.drift import vendors_dns_check, vendors_dns_check_due

# Findings of these severities make the exit status 1; notices (a failed lookup, a
# 1024-bit key) do not.
FAILING = ("error", "warning")


class Command(BaseCommand):
    help = (
        "Resolve published vendors' own DNS names (SPF includes, DKIM, bounce, MX and NS "
        "targets) now and store the results; findings open reports for the moderators. "
        "Exit status: 0 when no vendor has an error or warning, 1 when one has, 2 for bad "
        "input. --enqueue hands the due vendors to the task worker instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--vendor",
            action="append",
            default=[],
            metavar="SLUG",
            help="Check this vendor only (repeatable); default: every published vendor.",
        )
        add_resolver_arguments(parser)
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the scheduled task (vendors not checked for "
            "VENDOR_DNS_INTERVAL_HOURS) instead of checking here.",
        )

    def handle(self, *args, vendor, enqueue, format, **options):
        make_resolver = resolver_factory(options)
        slugs = [slug.strip().lower() for slug in vendor]
        if enqueue:
            if slugs or options["nameserver"] or options["timeout"] is not None:
                raise BadInput("--enqueue takes no --vendor, --nameserver or --timeout")
            result = vendors_dns_check_due.enqueue()
            self.stdout.write(f"Queued task {result.id}")
            return
        if slugs:
            known = set(
                Vendor.objects.published().filter(slug__in=slugs).values_list("slug", flat=True)
            )
            missing = [slug for slug in slugs if slug not in known]
            if missing:
                raise BadInput(f"no published vendor {missing[0]!r}")
        results = []

        def collect(check) -> None:
            shown = vendor_dns_check(check.vendor)
            results.append((check.vendor, shown))

        run = vendors_dns_check(
            slugs=slugs or None, resolver_factory=make_resolver, on_checked=collect
        )
        failing = any(
            f["severity"] in FAILING for _vendor, shown in results for f in shown["findings"]
        )
        if format == "json":
            data = {
                **run.to_dict(),
                "vendors": [_vendor_json(v, shown) for v, shown in results],
            }
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
        else:
            for v, shown in results:
                self.stdout.write(_vendor_text(v, shown))
            self.stdout.write(
                f"{run.checked} vendor{'s' if run.checked != 1 else ''} checked, "
                f"{run.with_findings} with findings; reports opened: {run.reports_opened}, "
                f"resolved: {run.reports_resolved}"
                + (f"; {run.left} left for the next run (time budget spent)" if run.left else "")
            )
        if failing:
            self.stdout.flush()
            sys.exit(EXIT_NOT_PASS)


def _vendor_json(vendor: Vendor, shown: dict) -> dict:
    return {
        "slug": vendor.slug,
        "name": vendor.name,
        "checked_at": shown["checked_at"].isoformat(),
        "names_checked": shown["names_checked"],
        "templates_skipped": shown["templates_skipped"],
        "findings": [
            {key: f[key] for key in ("code", "name", "detail", "severity", "new", "unconfirmed")}
            for f in shown["findings"]
        ],
        "cleared": [
            {key: f[key] for key in ("code", "name", "detail", "severity")}
            for f in shown["cleared"]
        ],
        "targets": shown["targets"],
    }


def _vendor_text(vendor: Vendor, shown: dict) -> str:
    lines = [
        f"{vendor.slug}: {shown['names_checked']} name(s) looked up, "
        f"{shown['templates_skipped']} per-account record(s) skipped"
    ]
    for f in shown["findings"]:
        lines.append(f"  {f['severity']}: {f['code']} {f['name']}: {f['detail']}")
    for f in shown["cleared"]:
        lines.append(f"  cleared: {f['code']} {f['name']}")
    if not shown["findings"]:
        lines.append("  no findings")
    return "\n".join(lines)
