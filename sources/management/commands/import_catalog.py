from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sources.catalogfile import CATALOG_DIR, CatalogError
from sources.services.catalogimport import Resolution, catalog_import


class Command(BaseCommand):
    help = (
        "Load the catalog files into the database (all or nothing). New files create "
        "entries; a changed file updates its entry only if the entry was not edited on the "
        "site since its last import. Entries changed in both places are kept as on the site "
        "and reported, and the command exits 1, unless --keep-db or --take-files says which "
        "side wins."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(CATALOG_DIR), help="catalog folder")
        side = parser.add_mutually_exclusive_group()
        side.add_argument(
            "--keep-db",
            action="store_const",
            const=Resolution.KEEP_DB,
            dest="resolution",
            help="settle conflicts for the site: keep its entries and take the files as seen",
        )
        side.add_argument(
            "--take-files",
            action="store_const",
            const=Resolution.TAKE_FILES,
            dest="resolution",
            help="settle conflicts for the files: replace the entries (recorded as revisions)",
        )

    def handle(self, *args, path, resolution=None, **options):
        folder = Path(path)
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        try:
            report = catalog_import(path=folder, resolution=resolution or Resolution.REPORT)
        except CatalogError as exc:
            raise CommandError(f"{exc} (nothing was imported)") from None
        self.stdout.write(f"Catalog imported: {report}")
        if report.conflicts:
            for conflict in report.conflicts:
                self.stderr.write("\n".join(conflict.lines()))
            raise CommandError(
                f"{len(report.conflicts)} entries changed both on the site and in their files "
                "were kept as on the site. Export them (export_catalog) to bring the files "
                "up to date, or run again with --keep-db (keep the site's) or --take-files "
                "(replace them with the files)."
            )
