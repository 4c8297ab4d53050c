from pathlib import Path

from django.core.management.base import BaseCommand

from sources.services.catalog import catalog_export


class Command(BaseCommand):
    help = (
        "Write the catalog from the database as catalog files (the import format). Only "
        "files whose content changed are written; an unchanged entry's file is not touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="folder to write the files to")

    def handle(self, *args, path, **options):
        report = catalog_export(path=Path(path))
        self.stdout.write(f"Exported to {path}: {report}")
        for name in report.written:
            self.stdout.write(f"  wrote {name}")
