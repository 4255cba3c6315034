"""The reward-points program: what bills earn, what may pay for them, lots, expiry and returned bills."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from customers.models import Customer
from loyalty import selectors, services
from loyalty.models import GroupMultiplier, LotUse, PointsEntry, PointsLot, RewardSettings, Tier
from parties.models import Branch
from tests.factories import CustomerFactory, CustomerGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    """1 point per 100.00, bills from 50.00, a point worth 0.50, expiry after 12 months."""
    settings = RewardSettings.current()
    settings.earn_per_amount = Decimal("100.00")
    settings.earn_points = 1
    settings.min_bill_amount = Decimal("50.00")
    settings.point_value = Decimal("0.50")
    settings.expiry_months = 12
    settings.save()
    return settings


@pytest.fixture
def branch():
    return Branch.objects.create(name="Anna Nagar", code="ANN")


@pytest.fixture
def customer():
    return CustomerFactory(full_name="Priya Raman")


def balance(customer) -> int:
    return Customer.objects.get(pk=customer.pk).points_balance


def lot(customer, points, expires_on, **entry):
    """A lot of `points` expiring on `expires_on` (booked as opening points)."""
    return services.opening_points(customer=customer, points=points, expires_on=expires_on, user=None, **entry).lot


def assert_lots_agree() -> None:
    out = io.StringIO()
    call_command("verify_points", stdout=out)
    assert "lots match too" in out.getvalue()


# What a bill earns


def test_a_bill_earns_by_the_rate_rounded_down(program, customer):
    assert services.points_for_bill(customer=customer, amount=Decimal("1299.99")) == 12
    assert services.points_for_bill(customer=customer, amount=Decimal("99.99")) == 0
    assert services.points_for_bill(customer=customer, amount=Decimal("49.99")) == 0  # under the minimum bill
    assert not PointsEntry.objects.exists()


def test_rounding_to_nearest_and_up(program, customer):
    program.rounding = "nearest"
    program.save()
    assert services.points_for_bill(customer=customer, amount=Decimal("250.00")) == 3
    program.rounding = "up"
    program.save()
    assert services.points_for_bill(customer=customer, amount=Decimal("201.00")) == 3


def test_group_and_tier_multipliers_multiply(program, branch):
    group = CustomerGroupFactory(name="Wholesale")
    GroupMultiplier.objects.create(customer_group=group, multiplier=Decimal("1.5"))
    Tier.objects.create(name="Gold", min_points=10, multiplier=Decimal("2"))
    customer = CustomerFactory(customer_group=group)
    assert services.points_for_bill(customer=customer, amount=Decimal("1000")) == 15
    services.earn_for_bill(customer=customer, bill_number="B1", amount=Decimal("1000"), branch=branch, user=None)
    assert selectors.tier_standing(customer=customer).tier.name == "Gold"
    entry = services.earn_for_bill(
        customer=customer, bill_number="B2", amount=Decimal("1000"), branch=branch, user=None
    )
    assert entry.points == 30
    assert entry.rule["tier"] == "Gold" and entry.rule["group_multiplier"] == "1.50"


def test_tier_counts_only_the_window_and_says_what_the_next_needs(program, customer, branch):
    Tier.objects.create(name="Silver", min_points=5, multiplier=Decimal("1"))
    Tier.objects.create(name="Gold", min_points=20, multiplier=Decimal("2"))
    old = services.earn_for_bill(customer=customer, bill_number="OLD", amount=Decimal("3000"), branch=branch, user=None)
    PointsEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=400))
    services.earn_for_bill(customer=customer, bill_number="NEW", amount=Decimal("800"), branch=branch, user=None)
    standing = selectors.tier_standing(customer=customer)
    assert (standing.tier.name, standing.earned, standing.next_tier.name, standing.needed) == ("Silver", 8, "Gold", 12)


def test_each_entry_records_the_rule_of_the_moment_it_was_booked(program, customer, branch, admin_client):
    first = services.earn_for_bill(customer=customer, bill_number="B1", amount=Decimal("500"), branch=branch, user=None)
    program.earn_points = 2
    services.reward_settings_save(settings=program, user=None)
    second = services.earn_for_bill(
        customer=customer, bill_number="B2", amount=Decimal("500"), branch=branch, user=None
    )
    assert (first.points, second.points) == (5, 10)
    assert (first.rule["earn_points"], second.rule["earn_points"]) == (1, 2)
    assert second.rule["version"] == first.rule["version"] + 1
    PointsEntry.objects.get(pk=first.pk)  # unchanged by the new rule
    assert PointsEntry.objects.get(pk=first.pk).points == 5


def test_a_bill_below_the_minimum_is_refused_and_writes_nothing(program, customer, branch):
    with pytest.raises(ValidationError) as error:
        services.earn_for_bill(customer=customer, bill_number="B1", amount=Decimal("20"), branch=branch, user=None)
    assert "Bills under 50.00 earn no points" in error.value.message_dict["amount"][0]
    assert not PointsEntry.objects.exists()


@pytest.mark.parametrize("amount", ["-5", "0", "abc", "1.005", "1e20"])
def test_bad_amounts_are_refused_on_the_amount(program, customer, branch, amount):
    with pytest.raises(ValidationError) as error:
        services.earn_for_bill(customer=customer, bill_number="B1", amount=amount, branch=branch, user=None)
    assert "amount" in error.value.message_dict


def test_the_same_earn_sent_five_times_books_one_entry(program, customer, branch):
    entries = [
        services.earn_for_bill(customer=customer, bill_number="B-77", amount=Decimal("700"), branch=branch, user=None)
        for _ in range(5)
    ]
    assert len({entry.pk for entry in entries}) == 1
    assert PointsEntry.objects.filter(bill_number="B-77").count() == 1
    assert balance(customer) == 7


def test_a_bill_number_is_unique_per_branch_and_kind(program, customer, branch):
    other_branch = Branch.objects.create(name="Velachery", code="VEL")
    services.earn_for_bill(customer=customer, bill_number="B1", amount=Decimal("700"), branch=branch, user=None)
    services.earn_for_bill(customer=customer, bill_number="B1", amount=Decimal("700"), branch=other_branch, user=None)
    services.redeem_for_bill(
        customer=customer, bill_number="B1", points=3, bill_amount=Decimal("700"), branch=branch, user=None
    )
    assert balance(customer) == 11
    with pytest.raises(ValidationError) as error:
        services.earn_for_bill(
            customer=CustomerFactory(), bill_number="B1", amount=Decimal("9"), branch=branch, user=None
        )
    assert "another customer" in error.value.message_dict["bill_number"][0]


# Redeeming


def test_redeem_refuses_below_the_minimum_balance(program, customer, branch):
    program.min_balance_to_redeem = 100
    program.save()
    lot(customer, 99, None)
    with pytest.raises(ValidationError) as error:
        services.redeem_for_bill(
            customer=customer, bill_number="R1", points=10, bill_amount=Decimal("1000"), branch=branch, user=None
        )
    assert "from a balance of 100" in error.value.message_dict["points"][0]
    assert balance(customer) == 99


def test_redeem_refuses_above_the_balance(program, customer, branch):
    lot(customer, 40, None)
    with pytest.raises(ValidationError) as error:
        services.redeem_for_bill(
            customer=customer, bill_number="R1", points=41, bill_amount=Decimal("1000"), branch=branch, user=None
        )
    assert "has only 40 points" in error.value.message_dict["points"][0]


def test_redeem_refuses_above_the_maximum_share_of_the_bill(program, customer, branch):
    program.max_redeem_percent = Decimal("20")
    program.save()
    lot(customer, 1000, None)
    # 20% of 500.00 is 100.00: 200 points at 0.50.
    assert services.max_points_for_bill(bill_amount=Decimal("500")) == 200
    with pytest.raises(ValidationError) as error:
        services.redeem_for_bill(
            customer=customer, bill_number="R1", points=201, bill_amount=Decimal("500"), branch=branch, user=None
        )
    assert "At most 200 points" in error.value.message_dict["points"][0]
    entry = services.redeem_for_bill(
        customer=customer, bill_number="R1", points=200, bill_amount=Decimal("500"), branch=branch, user=None
    )
    assert (entry.points, entry.rule["value"]) == (-200, "100.00")


def test_points_past_their_date_cannot_be_spent_before_the_expiry_run(program, customer, branch):
    today = timezone.localdate()
    lot(customer, 30, today + datetime.timedelta(days=5))
    lot_past = lot(customer, 50, today + datetime.timedelta(days=5))
    PointsLot.objects.filter(pk=lot_past.pk).update(expires_on=today)
    with pytest.raises(ValidationError) as error:
        services.redeem_for_bill(
            customer=customer, bill_number="R1", points=31, bill_amount=Decimal("1000"), branch=branch, user=None
        )
    assert "Only 30 of" in error.value.message_dict["points"][0]


def test_fifo_across_three_lots_with_two_expiry_dates(program, customer, branch):
    today = timezone.localdate()
    soon, later = today + datetime.timedelta(days=10), today + datetime.timedelta(days=100)
    late = lot(customer, 50, later)
    first = lot(customer, 30, soon)
    second = lot(customer, 20, soon)
    entry = services.redeem_for_bill(
        customer=customer, bill_number="R1", points=60, bill_amount=Decimal("1000"), branch=branch, user=None
    )
    used = {use.lot_id: use.points for use in LotUse.objects.filter(entry=entry)}
    assert used == {first.pk: 30, second.pk: 20, late.pk: 10}
    assert [PointsLot.objects.get(pk=x.pk).remaining for x in (first, second, late)] == [0, 0, 40]
    assert_lots_agree()


# Expiry


def test_an_expiry_run_leaves_redeemed_points_alone(program, customer, branch):
    today = timezone.localdate()
    early = lot(customer, 100, today + datetime.timedelta(days=30))
    late = lot(customer, 50, today + datetime.timedelta(days=90))
    services.redeem_for_bill(
        customer=customer, bill_number="R1", points=70, bill_amount=Decimal("1000"), branch=branch, user=None
    )
    result = services.points_expire_run(day=today + datetime.timedelta(days=30))
    assert result == {"day": (today + datetime.timedelta(days=30)).isoformat(), "customers": 1, "points": 30}
    expired = PointsEntry.objects.get(kind="expire")
    assert (expired.points, expired.balance_after) == (-30, 50)
    assert PointsLot.objects.get(pk=early.pk).remaining == 0
    assert PointsLot.objects.get(pk=late.pk).remaining == 50
    assert balance(customer) == 50
    assert_lots_agree()


def test_expiring_twice_for_one_day_books_nothing_more(program, customer):
    today = timezone.localdate()
    lot(customer, 10, today + datetime.timedelta(days=1))
    day = today + datetime.timedelta(days=1)
    out = io.StringIO()
    call_command("expire_points", "--date", day.isoformat(), stdout=out)
    assert "10 points expired for 1 customers" in out.getvalue()
    out = io.StringIO()
    call_command("expire_points", "--date", day.isoformat(), stdout=out)
    assert "0 points expired for 0 customers" in out.getvalue()
    assert PointsEntry.objects.filter(kind="expire").count() == 1
    assert balance(customer) == 0


def test_expiry_before_the_date_expires_nothing(program, customer):
    day = timezone.localdate() + datetime.timedelta(days=10)
    lot(customer, 10, day)
    assert services.points_expire_run(day=day - datetime.timedelta(days=1))["points"] == 0
    assert balance(customer) == 10


def test_expire_points_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("expire_points", "--date", "31/12/2026")


def test_earned_points_get_the_programs_expiry_and_never_without_one(program, customer, branch):
    entry = services.earn_for_bill(customer=customer, bill_number="B1", amount=Decimal("500"), branch=branch, user=None)
    assert entry.lot.expires_on == selectors.add_months(timezone.localdate(), 12)
    program.expiry_months = None
    program.save()
    entry = services.earn_for_bill(customer=customer, bill_number="B2", amount=Decimal("500"), branch=branch, user=None)
    assert entry.lot.expires_on is None


def test_add_months_keeps_the_last_day_of_short_months():
    assert selectors.add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert selectors.add_months(datetime.date(2026, 11, 15), 14) == datetime.date(2028, 1, 15)
    assert selectors.add_months(datetime.date(2026, 3, 31), -13) == datetime.date(2025, 2, 28)


# Returned bills


def test_reversing_a_redemption_gives_back_the_same_lots(program, customer, branch):
    today = timezone.localdate()
    soon = lot(customer, 30, today + datetime.timedelta(days=10))
    later = lot(customer, 30, today + datetime.timedelta(days=60))
    services.redeem_for_bill(
        customer=customer, bill_number="R1", points=40, bill_amount=Decimal("1000"), branch=branch, user=None
    )
    (reversal,) = services.reverse_bill(bill_number="R1", user=None, reason="Returned")
    assert (reversal.kind, reversal.points, reversal.balance_after) == ("reverse", 40, 60)
    assert [PointsLot.objects.get(pk=x.pk).remaining for x in (soon, later)] == [30, 30]
    assert PointsLot.objects.count() == 2  # no new lot: the points keep their expiry dates
    assert_lots_agree()


def test_reversing_a_bill_takes_back_what_it_earned_and_gives_back_what_it_spent(program, customer, branch):
    lot(customer, 100, None)
    earned = services.earn_for_bill(
        customer=customer, bill_number="B9", amount=Decimal("900"), branch=branch, user=None
    )
    spent = services.redeem_for_bill(
        customer=customer, bill_number="B9", points=50, bill_amount=Decimal("900"), branch=branch, user=None
    )
    assert balance(customer) == 59
    reversals = services.reverse_bill(bill_number="B9", user=None, reason="")
    assert sorted(r.points for r in reversals) == [-9, 50]
    assert {r.reverses_id for r in reversals} == {earned.pk, spent.pk}
    assert balance(customer) == 100
    assert PointsLot.objects.get(pk=earned.lot.pk).remaining == 0
    again = services.reverse_bill(bill_number="B9", user=None, reason="")
    assert {r.pk for r in again} == {r.pk for r in reversals}
    assert PointsEntry.objects.filter(kind="reverse").count() == 2
    assert_lots_agree()


def test_reversing_an_earn_already_spent_is_refused_and_writes_nothing(program, customer, branch):
    services.earn_for_bill(customer=customer, bill_number="B1", amount=Decimal("900"), branch=branch, user=None)
    services.redeem_for_bill(
        customer=customer, bill_number="B2", points=5, bill_amount=Decimal("900"), branch=branch, user=None
    )
    with pytest.raises(ValidationError) as error:
        services.reverse_bill(bill_number="B1", user=None, reason="Returned")
    assert "has only 4 points" in error.value.message_dict["points"][0]
    assert not PointsEntry.objects.filter(kind="reverse").exists()


def test_reversing_an_unknown_bill_says_so(program):
    with pytest.raises(ValidationError) as error:
        services.reverse_bill(bill_number="NOPE", user=None, reason="x")
    assert "No points were booked on bill NOPE" in error.value.message_dict["bill_number"][0]


def test_a_bill_number_at_two_branches_needs_the_branch(program, customer, branch):
    other = Branch.objects.create(name="Velachery", code="VEL")
    for at in (branch, other):
        services.earn_for_bill(customer=customer, bill_number="B1", amount=Decimal("900"), branch=at, user=None)
    with pytest.raises(ValidationError):
        services.reverse_bill(bill_number="B1", user=None, reason="x")
    (reversal,) = services.reverse_bill(bill_number="B1", user=None, reason="x", branch=other)
    assert reversal.branch == other


# The ledger's checks


def test_verify_points_finds_a_lot_that_disagrees_with_the_ledger(program, customer):
    broken = lot(customer, 10, None)
    assert_lots_agree()
    PointsLot.objects.filter(pk=broken.pk).update(remaining=7)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command("verify_points", stdout=out, stderr=io.StringIO())
    assert exit_code.value.code == 1
    assert f"lot {broken.pk}: remaining 7" in out.getvalue()
    assert "balance 10, lots hold 7" in out.getvalue()


def test_adjustments_move_through_lots_too(program, customer):
    services.adjust_points(customer=customer, points=50, reason="Gift", user=None)
    services.adjust_points(customer=customer, points=-20, reason="Correction", user=None)
    services.redeem_points(customer=customer, points=5, reference="INV", user=None)
    assert PointsLot.objects.get().remaining == 25
    assert PointsLot.objects.aggregate(total=Sum("remaining"))["total"] == balance(customer)
    assert_lots_agree()
