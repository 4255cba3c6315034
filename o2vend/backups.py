"""Consistent copies of the database while the app keeps running, and bringing one back.

SQLite (the embedded default) uses its online backup API, which copies a
consistent snapshot page by page while writers carry on. PostgreSQL uses
pg_dump in custom format and pg_restore.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections


class BackupError(Exception):
    """A backup or restore could not be made; the message says why."""


def _settings(alias: str) -> dict:
    return connections[alias].settings_dict


def _is_sqlite(alias: str) -> bool:
    return _settings(alias)["ENGINE"] == "django.db.backends.sqlite3"


def _pg_env(alias: str) -> dict:
    config = _settings(alias)
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(config.get("HOST") or ""),
            "PGPORT": str(config.get("PORT") or ""),
            "PGUSER": str(config.get("USER") or ""),
            "PGPASSWORD": str(config.get("PASSWORD") or ""),
            "PGDATABASE": str(config["NAME"]),
        }
    )
    return env


def backup_database(target: Path, *, alias: str = "default") -> Path:
    """Write a consistent copy of the database to `target` and return it."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if _is_sqlite(alias):
        source = sqlite3.connect(str(_settings(alias)["NAME"]), timeout=30)
        try:
            copy = sqlite3.connect(str(target))
            try:
                source.backup(copy, pages=1024)
            finally:
                copy.close()
        finally:
            source.close()
        return target
    if not shutil.which("pg_dump"):
        raise BackupError("pg_dump is not installed; install the PostgreSQL client tools.")
    result = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(target)],
        env=_pg_env(alias),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return target


def restore_database(source: Path, *, alias: str = "default") -> None:
    """Replace the database's contents with the backup at `source`."""
    source = Path(source)
    if not source.exists():
        raise BackupError(f"No backup at {source}.")
    connections[alias].close()
    if _is_sqlite(alias):
        backup = sqlite3.connect(str(source))
        try:
            # A copy cut short (a full disk, a broken transfer) can pass the integrity check
            # when the missing bytes were free space; its header still says how long it was.
            pages, page_size = (backup.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_count", "page_size"))
            if pages * page_size != source.stat().st_size:
                raise BackupError(f"{source} is incomplete: it was cut short.")
            if backup.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} is not a healthy SQLite database.")
            live = sqlite3.connect(str(_settings(alias)["NAME"]), timeout=30)
            try:
                backup.backup(live)
            finally:
                live.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not a SQLite backup: {error}") from None
        finally:
            backup.close()
        return
    if not shutil.which("pg_restore"):
        raise BackupError("pg_restore is not installed; install the PostgreSQL client tools.")
    result = subprocess.run(
        # One transaction: a restore that fails half-way leaves the database as it was.
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        + ["--dbname", str(_settings(alias)["NAME"]), str(source)],
        env=_pg_env(alias),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
