import asyncio
import csv
import json
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

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
from sources.services.bulkchecks import (
    CSV_COLUMNS,
    bulk_reports,
    bulk_rows_parse,
    csv_row,
    decode_upload,
)
from sources.services.checks import CheckInputError, check_input_clean


class Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, stream, total: int) -> None:
        self.stream, self.total, self.done = stream, total, 0
        self.started = self.drawn = time.monotonic()

    def step(self) -> None:
        self.done += 1
        now = time.monotonic()
        if now - self.drawn >= 0.1 or self.done == self.total:
            self.drawn = now
            self.draw(now)

    def draw(self, now: float) -> None:
        width = 30
        filled = width * self.done // max(1, self.total)
        rate = self.done / max(now - self.started, 1e-6)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
            f"({100 * self.done // max(1, self.total)}%, {rate:.0f}/s)"
        )
        self.stream.flush()

    def finish(self) -> None:
        if self.done != self.total:
            self.draw(time.monotonic())
        self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Check every domain of a CSV file (a 'domain' column, or the first column) against a "
        "vendor's requirements; results as CSV or JSON in file order, bad rows reported on "
        "stderr by line. Exit status: 0 when every domain passes, 1 otherwise, 2 for bad input."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.csv", help="The CSV file, or - for stdin.")
        add_vendor_arguments(parser)
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--output", metavar="FILE", help="Write here instead of stdout.")
        parser.add_argument(
            "--concurrency",
            type=int,
            default=settings.BULK_CHECK_CONCURRENCY,
            metavar="N",
            help=f"Domains checked at once (default {settings.BULK_CHECK_CONCURRENCY}).",
        )
        add_resolver_arguments(parser)

    def handle(self, *args, file, **options):
        if options["concurrency"] < 1:
            raise BadInput("--concurrency must be at least 1")
        params = parse_params(options["param"])
        make_resolver = resolver_factory(options)
        try:
            check = check_input_clean(
                domain=None,
                vendor=options["vendor"],
                method=options["method"],
                params=params,
                vendor_loader=vendor_loader,
            )
        except CheckInputError as exc:
            raise BadInput(exc.first_message()) from None
        text = self._read(file)
        rows = bulk_rows_parse(text)
        for row in rows.invalid:
            self.stderr.write(f"line {row['line']}: {row['text']!r}: {row['error']}")
        if not rows.domains:
            raise BadInput(f"no domains to check in {file}")
        out = self._open(options["output"])
        try:
            all_pass = asyncio.run(self._run(check, rows.domains, out, options, make_resolver))
        finally:
            if out is not getattr(self.stdout, "_out", sys.stdout):
                out.close()
        if not all_pass or rows.invalid:
            sys.exit(EXIT_NOT_PASS)

    def _read(self, file: str) -> str:
        if file == "-":
            return decode_upload(sys.stdin.buffer.read())
        path = Path(file)
        try:
            return decode_upload(path.read_bytes())
        except OSError as exc:
            raise BadInput(f"cannot read {file}: {exc.strerror or exc}") from None

    def _open(self, output: str | None):
        if not output:
            return getattr(self.stdout, "_out", sys.stdout)
        try:
            return open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as exc:
            raise BadInput(f"cannot write {output}: {exc.strerror or exc}") from None

    async def _run(self, check, domains, out, options, make_resolver) -> bool:
        """Check everything, writing results in file order as soon as they can be."""
        lines = {domain: line for line, domain in domains}
        order = {domain: index for index, (_, domain) in enumerate(domains)}
        pending: dict[int, dict] = {}
        next_index = 0
        all_pass = True
        progress = Progress(getattr(self.stderr, "_out", sys.stderr), len(domains))
        writer = csv.writer(out) if options["format"] == "csv" else None
        if writer:
            writer.writerow(CSV_COLUMNS)
        else:
            out.write("[")
        first = True
        async for data in bulk_reports(
            check,
            [domain for _, domain in domains],
            resolver_factory=make_resolver,
            concurrency=options["concurrency"],
            catalog=catalog() if check.vendor is None else None,
        ):
            progress.step()
            all_pass = all_pass and data["verdict"] == "pass"
            pending[order[data["domain"]]] = data
            # A small reordering buffer: results leave in file order.
            while next_index in pending:
                item = pending.pop(next_index)
                line = lines[item["domain"]]
                if writer:
                    writer.writerow(csv_row(item, line=line))
                else:
                    out.write(("\n" if first else ",\n") + json.dumps({"line": line, **item}))
                first = False
                next_index += 1
        if not writer:
            out.write("\n]\n")
        out.flush()
        progress.finish()
        return all_pass
