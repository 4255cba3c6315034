"""Backups taken while the app writes hold everything committed before they began."""

import sqlite3
import subprocess
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from customers.models import Customer
from loyalty import services as points
from loyalty.models import PointsEntry
from o2vend.backups import backup_database
from tests.factories import CustomerFactory

SQLITE_ONLY = pytest.mark.skipif(connection.vendor != "sqlite", reason="tests the SQLite online backup")
POSTGRES_ONLY = pytest.mark.skipif(connection.vendor != "postgresql", reason="tests pg_dump and pg_restore")


def write_while(action):
    """Run `action()` while another thread keeps creating customers with points; return what was committed before."""
    stop = threading.Event()
    errors = []

    def writer():
        try:
            number = 0
            while not stop.is_set():
                number += 1
                buyer = CustomerFactory(full_name=f"Writer {number}")
                points.earn_points(customer=buyer, points=5, reference=f"w{number}", user=None)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while Customer.objects.count() < 20:
            pass
        committed = (
            set(Customer.objects.values_list("pk", flat=True)),
            set(PointsEntry.objects.values_list("pk", flat=True)),
        )
        action()
        while Customer.objects.count() < len(committed[0]) + 10:
            pass  # keep writing after the backup too
    finally:
        stop.set()
        thread.join()
    assert not errors, errors
    return committed


MISMATCHES = (
    "SELECT COUNT(*) FROM customers_customer c WHERE c.points_balance != "
    "(SELECT COALESCE(SUM(points), 0) FROM loyalty_pointsentry e WHERE e.customer_id = c.id)"
)


@SQLITE_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_during_writes_keeps_everything_committed_before_it(tmp_path):
    customer = CustomerFactory()
    points.earn_points(customer=customer, points=10, reference="start", user=None)
    backup = tmp_path / "backup.sqlite3"
    customers, entries = write_while(lambda: backup_database(backup))
    fresh = tmp_path / "fresh.sqlite3"
    source, target = sqlite3.connect(backup), sqlite3.connect(fresh)
    source.backup(target)
    source.close()
    restored_customers = {row[0] for row in target.execute("SELECT id FROM customers_customer")}
    restored_entries = {row[0] for row in target.execute("SELECT id FROM loyalty_pointsentry")}
    mismatches = target.execute(MISMATCHES).fetchone()[0]
    target.close()
    assert customers <= restored_customers
    assert entries <= restored_entries
    assert mismatches == 0, "every balance in the backup matches its ledger"
    connection.close()


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pg_dump_during_writes_restores_into_a_fresh_database(tmp_path):
    import psycopg

    from o2vend.backups import _pg_env

    backup = tmp_path / "backup.dump"
    customers, entries = write_while(lambda: backup_database(backup))
    config = connection.settings_dict
    fresh = f"{config['NAME']}_restore"
    admin = psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
    admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        env = {**_pg_env("default"), "PGDATABASE": fresh}
        subprocess.run(["pg_restore", "--no-owner", "--dbname", fresh, str(backup)], env=env, check=True)
        with psycopg.connect(
            host=config["HOST"],
            port=config["PORT"] or 5432,
            user=config["USER"],
            password=config["PASSWORD"],
            dbname=fresh,
        ) as restored:
            restored_customers = {row[0] for row in restored.execute("SELECT id FROM customers_customer")}
            restored_entries = {row[0] for row in restored.execute("SELECT id FROM loyalty_pointsentry")}
            mismatches = restored.execute(MISMATCHES).fetchone()[0]
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        admin.close()
    assert customers <= restored_customers
    assert entries <= restored_entries
    assert mismatches == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_brings_back_the_backup(tmp_path):
    kept = CustomerFactory(full_name="Kept")
    call_command("backup_db", str(tmp_path / "b.sqlite3"))
    Customer.objects.filter(pk=kept.pk).delete()
    CustomerFactory(full_name="Added after the backup")
    call_command("restore_db", str(tmp_path / "b.sqlite3"), "--yes")
    assert list(Customer.objects.values_list("full_name", flat=True)) == ["Kept"]


def test_restore_asks_first_and_refuses_bad_files(tmp_path, monkeypatch):
    from django.core.management.base import CommandError

    bad = tmp_path / "not-a-db.sqlite3"
    bad.write_text("hello")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore_db", str(bad))
    with pytest.raises(CommandError, match="not"):
        call_command("restore_db", str(bad), "--yes")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restore_that_fails_changes_nothing(tmp_path):
    from django.core.management.base import CommandError

    CustomerFactory(full_name="In the backup")
    backup = tmp_path / "cut.backup"
    call_command("backup_db", str(backup))
    data = backup.read_bytes()
    backup.write_bytes(data[:-100])  # a copy cut short, as by a full disk
    CustomerFactory(full_name="Added after the backup")
    with pytest.raises(CommandError):
        call_command("restore_db", str(backup), "--yes")
    assert sorted(Customer.objects.values_list("full_name", flat=True)) == ["Added after the backup", "In the backup"]
