import json
import sys

from django.core.management.base import BaseCommand

from sources.checker import render_text, render_trace
from sources.management.checkcli import (
    EXIT_NOT_PASS,
    BadInput,
    add_resolver_arguments,
    add_vendor_arguments,
    catalog,
    parse_params,
    resolver_factory,
    vendor_loader,
)
from sources.services.checks import CheckInputError, check_input_clean, check_run


class Command(BaseCommand):
    help = (
        "Check a domain's DNS against a vendor's DMARC requirements, or on its own. "
        "Exit status: 0 when the verdict is pass, 1 when it is not, 2 for bad input."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("domain", help="The domain (a URL or an e-mail address works too).")
        add_vendor_arguments(parser)
        parser.add_argument(
            "--only",
            metavar="spf,dmarc,dkim,mx",
            help="Limit the report to these checks (comma-separated).",
        )
        add_resolver_arguments(parser)
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--trace",
            action="store_true",
            help="Show when each DNS lookup started and ended (in JSON: stats.trace, always).",
        )

    def handle(self, *args, domain, **options):
        params = parse_params(options["param"])
        make_resolver = resolver_factory(options)
        try:
            check = check_input_clean(
                domain=domain,
                vendor=options["vendor"],
                method=options["method"],
                params=params,
                only=options["only"],
                vendor_loader=vendor_loader,
            )
        except CheckInputError as exc:
            raise BadInput(exc.first_message()) from None
        knowledge = catalog() if check.vendor is None else None
        data = check_run(check, resolver=make_resolver(), catalog=knowledge)
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(render_text(data), ending="")
            if data.get("timed_out"):
                self.stdout.write(
                    "Timed out: partial result. The check's time budget ran out; lookups "
                    "still unanswered are errors, not missing records. Run it again later."
                )
            if options["trace"]:
                self.stdout.write("\n" + render_trace(data), ending="")
        if data["verdict"] != "pass":
            self.stdout.flush()
            sys.exit(EXIT_NOT_PASS)
