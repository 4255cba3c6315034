"""Balances from an old system: the customer import's Opening points and Opening points expiry columns."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from customers import services as customer_services
from customers.imports import plan_import
from customers.models import Customer
from loyalty.models import PointsEntry, PointsLot, RewardSettings
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
HEADER = "Full name,Membership number,Opening points,Opening points expiry"


def write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "old-system.csv"
    path.write_text("\ufeff" + "\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def apply(path: Path):
    plan = plan_import(path, path.name)
    if plan.ok:
        customer_services.customer_import_apply(plan=plan, expected_fingerprint=plan.fingerprint)
    return plan


def test_opening_points_are_one_entry_per_customer_with_their_expiry(tmp_path):
    settings = RewardSettings.current()
    settings.expiry_months = 6
    settings.save()
    existing = CustomerFactory(full_name="Existing", membership_number="OLD-1")
    later = timezone.localdate() + datetime.timedelta(days=200)
    plan = apply(
        write(
            tmp_path,
            f"Existing,OLD-1,1200,{later.isoformat()}",
            "New Person,OLD-2,350,",
            "No Points,OLD-3,,",
        )
    )
    assert plan.ok, plan.errors
    opening = PointsEntry.objects.filter(kind="opening")
    assert opening.count() == 2
    assert Customer.objects.get(pk=existing.pk).points_balance == 1200
    assert PointsLot.objects.get(customer=existing).expires_on == later
    new = Customer.objects.get(membership_number="OLD-2")
    assert new.points_balance == 350
    # No expiry in the file: the program's expiry from today.
    from loyalty.selectors import add_months

    assert PointsLot.objects.get(customer=new).expires_on == add_months(timezone.localdate(), 6)
    assert Customer.objects.get(membership_number="OLD-3").points_balance == 0


def test_bad_opening_points_are_row_errors_and_nothing_is_written(tmp_path):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    plan = apply(
        write(
            tmp_path,
            "Good,OLD-1,100,",
            "Words,OLD-2,lots,",
            f"Stale,OLD-3,10,{yesterday.isoformat()}",
            "Date only,OLD-4,,2030-01-01",
            "Bad date,OLD-5,5,tomorrow",
        )
    )
    assert not plan.ok
    found = {(error.row, error.column) for error in plan.errors}
    assert found == {
        (3, "Opening points"),
        (4, "Opening points expiry"),
        (5, "Opening points expiry"),
        (6, "Opening points expiry"),
    }
    assert not Customer.objects.exists() and not PointsEntry.objects.exists()


def test_opening_points_are_booked_once_per_customer(tmp_path):
    apply(write(tmp_path, "Existing,OLD-1,100,"))
    plan = apply(write(tmp_path, "Existing,OLD-1,100,"))
    assert not plan.ok
    assert "booked already" in plan.errors[0].message
    assert Customer.objects.get().points_balance == 100


def test_a_failing_booking_rolls_the_whole_import_back(tmp_path, monkeypatch):
    from loyalty import services

    def refuse(**kwargs):
        raise RuntimeError("the ledger refused")

    monkeypatch.setattr(services, "opening_points", refuse)
    with pytest.raises(RuntimeError):
        apply(write(tmp_path, "New Person,OLD-2,350,"))
    assert not Customer.objects.exists()
