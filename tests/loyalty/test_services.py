import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from customers.models import Customer
from loyalty import services
from loyalty.models import AppendOnlyError, PointsEntry
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    return CustomerFactory(full_name="Priya Raman")


def balance(customer):
    return Customer.objects.get(pk=customer.pk).points_balance


def test_adjust_adds_and_takes_away_with_running_balance(customer):
    first = services.adjust_points(customer=customer, points=100, reason="Welcome gift", user=None)
    second = services.adjust_points(customer=customer, points=-30, reason="Correction", user=None)
    assert (first.balance_after, second.balance_after) == (100, 70)
    assert balance(customer) == 70
    assert customer.points_balance == 70


def test_adjust_below_zero_is_refused_naming_the_balance_and_writes_nothing(customer):
    services.adjust_points(customer=customer, points=70, reason="Gift", user=None)
    with pytest.raises(ValidationError) as error:
        services.adjust_points(customer=customer, points=-1000, reason="Oops", user=None)
    assert "has only 70 points" in error.value.message_dict["points"][0]
    assert balance(customer) == 70
    assert PointsEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("points", "reason", "field"),
    [(0, "x", "points"), (5, "   ", "reason"), (5, "x" * 256, "reason"), ("5", "x", "points"), (True, "x", "points")],
)
def test_adjust_rejects_bad_input(customer, points, reason, field):
    with pytest.raises(ValidationError) as error:
        services.adjust_points(customer=customer, points=points, reason=reason, user=None)
    assert field in error.value.message_dict
    assert not PointsEntry.objects.exists()


def test_earn_and_redeem(customer, django_user_model):
    user = django_user_model.objects.create_user("cashier")
    services.earn_points(customer=customer, points=250, reference="INV-1", user=user)
    entry = services.redeem_points(customer=customer, points=200, reference="INV-2", user=user)
    assert (entry.kind, entry.points, entry.balance_after, entry.created_by) == ("redeem", -200, 50, user)
    with pytest.raises(ValidationError):
        services.redeem_points(customer=customer, points=51, reference="INV-3", user=user)
    with pytest.raises(ValidationError):
        services.earn_points(customer=customer, points=-5, reference="INV-4", user=user)
    assert balance(customer) == 50


def test_reverse_books_the_opposite_once(customer):
    sale = services.earn_points(customer=customer, points=40, reference="INV-9", user=None)
    reversal = services.reverse_entry(entry=sale, user=None, reason="Goods returned")
    assert (reversal.points, reversal.kind, reversal.reverses, reversal.balance_after) == (-40, "reverse", sale, 0)
    with pytest.raises(ValidationError) as error:
        services.reverse_entry(entry=sale, user=None, reason="Again")
    assert "already been reversed" in error.value.messages[0]
    assert balance(customer) == 0


def test_reverse_that_would_go_negative_is_refused(customer):
    sale = services.earn_points(customer=customer, points=40, reference="INV-9", user=None)
    services.redeem_points(customer=customer, points=30, reference="INV-10", user=None)
    with pytest.raises(ValidationError):
        services.reverse_entry(entry=sale, user=None, reason="Returned after spending")
    assert balance(customer) == 10


def test_entries_are_append_only(customer):
    entry = services.earn_points(customer=customer, points=5, reference="", user=None)
    entry.points = 500
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert PointsEntry.objects.get().points == 5


def test_verify_points_reports_mismatches(customer, capsys):
    services.earn_points(customer=customer, points=5, reference="", user=None)
    call_command("verify_points")
    Customer.objects.filter(pk=customer.pk).update(points_balance=99)
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_points")
    assert exit_info.value.code == 1
    assert "stored 99, ledger 5" in capsys.readouterr().out


def test_customer_with_points_cannot_be_deleted(customer):
    from customers.services import customer_delete

    services.earn_points(customer=customer, points=5, reference="", user=None)
    with pytest.raises(ValidationError) as error:
        customer_delete(customer=customer)
    assert "Deactivate" in error.value.messages[0]
    assert Customer.objects.filter(pk=customer.pk).exists()
