"""Import customers from a CSV or XLSX file, with the same checks and report as the screen."""

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from customers import services
from customers.imports import ImportFileError, plan_import


class Command(BaseCommand):
    help = "Check (and unless --dry-run, import) customers from FILE; exits 1 with nothing written on any error."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check and report only")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.exists():
            raise CommandError(f"No such file: {file}")

        def progress(rows: int) -> None:
            sys.stderr.write(f"\rChecked {rows:,} rows")
            sys.stderr.flush()

        try:
            plan = plan_import(file, file.name, progress=progress, limit_size=False)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        sys.stderr.write("\n")
        report = plan.report()
        self.stdout.write(
            f"Rows: {report['rows']:,}  new: {report['new']:,}  updated: {report['updated']:,}  "
            f"unchanged: {report['unchanged']:,}  errors: {report['errors']:,}"
        )
        for error in plan.errors:
            self.stdout.write(f"row {error.row}, {error.column}: {error.message}")
        if not plan.ok:
            self.stderr.write("Nothing was imported.")
            raise SystemExit(1)
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            return
        try:
            result = services.customer_import_apply(plan=plan, expected_fingerprint=plan.fingerprint)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Imported {result['new']:,} new and {result['updated']:,} updated."))
