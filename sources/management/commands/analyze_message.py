import json
import sys

from django.core.management.base import BaseCommand

from sources.analysis import MessageInputError
from sources.analysiswords import input_error, render_text
from sources.management.checkcli import (
    EXIT_NOT_PASS,
    BadInput,
    add_resolver_arguments,
    catalog,
    database_has_catalog,
    resolver_factory,
)
from sources.services.analyses import analysis_run

MAX_READ = 2 * 1024 * 1024 + 1


class Command(BaseCommand):
    help = (
        "Analyse a message (a whole .eml or only its header fields): DKIM verified, SPF "
        "re-evaluated, DMARC alignment, the receiver's results and the sending vendor. "
        "Exit status: 0 when it passes DMARC by our evaluation, 1 when not, 2 for bad input."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="The message file, or - to read standard input.")
        add_resolver_arguments(parser)
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, file, **options):
        make_resolver = resolver_factory(options)
        raw = self._read(file)
        try:
            data = analysis_run(
                raw,
                resolver=make_resolver(),
                catalog=catalog(),
                with_database=database_has_catalog(),
            )
        except MessageInputError as exc:
            raise BadInput(input_error(exc.code, exc.params)) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(render_text(data), ending="")
            if data.get("timed_out"):
                self.stdout.write(
                    "Timed out: partial result. Lookups still unanswered are errors, not "
                    "missing records. Run it again later."
                )
        if data["verdict"] != "pass":
            self.stdout.flush()
            sys.exit(EXIT_NOT_PASS)

    def _read(self, name: str) -> bytes:
        try:
            if name == "-":
                return sys.stdin.buffer.read(MAX_READ)
            with open(name, "rb") as handle:
                return handle.read(MAX_READ)
        except OSError as exc:
            raise BadInput(f"cannot read {name}: {exc.strerror or exc}") from None
