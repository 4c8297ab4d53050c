from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sources.catalogfile import CATALOG_DIR, CatalogError
from sources.services.catalog import catalog_import


class Command(BaseCommand):
    help = "Load the catalog files into the database (idempotent, all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(CATALOG_DIR), help="catalog folder")

    def handle(self, *args, path, **options):
        folder = Path(path)
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        try:
            report = catalog_import(path=folder)
        except CatalogError as exc:
            raise CommandError(f"{exc} (nothing was imported)") from None
        self.stdout.write(f"Catalog imported: {report}")
