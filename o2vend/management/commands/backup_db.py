"""Write a consistent copy of the database while the app keeps running."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from o2vend.backups import BackupError, backup_database


class Command(BaseCommand):
    help = "Back up the database to PATH (SQLite online backup, or pg_dump custom format for PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            written = backup_database(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Backup written to {written} ({written.stat().st_size:,} bytes)."))
