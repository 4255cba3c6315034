"""Bring back a backup made by backup_db, replacing the current data."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from o2vend.backups import BackupError, restore_database


class Command(BaseCommand):
    help = "Restore the database from PATH (made by backup_db). Asks first unless --yes is given."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, path: Path, yes: bool, **options):
        if not path.exists():
            raise CommandError(f"No backup at {path}.")
        if not yes:
            answer = input(f"This replaces ALL current data with {path}. Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            restore_database(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Restored from {path}."))
