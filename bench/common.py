"""What the benchmarks share: Django set up on a bench database, and a logged-in client."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = ROOT / "bench" / "bench.sqlite3"


def setup_django(db_path: Path, *, production: bool = True) -> None:
    """Point Django at a SQLite file and set it up.

    With `production`, DEBUG is off (no query log) unless the environment says otherwise,
    so the figures are what a deployed server would show.
    """
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "o2vend.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    if production:
        os.environ.setdefault("DEBUG", "0")
        os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
        os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    import django

    django.setup()


def logged_in_client():
    """Return a test client logged in as the bench superuser, created on the first run."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    user_model = get_user_model()
    user = user_model.objects.filter(username="bench").first()
    if user is None:
        user = user_model.objects.create_superuser("bench", "bench@example.in", "bench-password")
    # SERVER_NAME: "testserver" is not in ALLOWED_HOSTS outside the test runner.
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    return client
