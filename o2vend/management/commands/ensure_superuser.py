"""Make sure the `admin` superuser exists, and say how to log in."""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

PASSWORD_FILE = Path(settings.BASE_DIR) / ".admin-password"


class Command(BaseCommand):
    help = "Create the admin superuser if missing (password from DJANGO_SUPERUSER_PASSWORD or generated)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        users = get_user_model()
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
        existing = users.objects.filter(username=username).first()
        if existing:
            if password:
                # The environment is the source of truth when it names a password.
                existing.set_password(password)
                existing.save(update_fields=["password"])
                shown = password
            elif PASSWORD_FILE.exists():
                shown = PASSWORD_FILE.read_text().strip()
            else:
                shown = "(unchanged; set DJANGO_SUPERUSER_PASSWORD to choose one)"
            self.stdout.write(f"Log in as {username} / {shown}")
            return
        if not password and PASSWORD_FILE.exists():
            # A new database (say, after deleting db.sqlite3) reuses the password already kept, so the file stays true.
            password = PASSWORD_FILE.read_text().strip()
        if not password:
            password = secrets.token_urlsafe(12)
            PASSWORD_FILE.write_text(password + "\n")
            PASSWORD_FILE.chmod(0o600)
        users.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(self.style.SUCCESS(f"Created superuser. Log in as {username} / {password}"))
