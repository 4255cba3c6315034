"""Many tills at once on one customer, through the API: no negative balance, no double spend, no double earn."""

import json
import threading

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from loyalty import services
from loyalty.models import LotUse, PointsEntry, PointsLot
from parties.models import Branch
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def at_once(count: int, send) -> list:
    """Run send(n) in `count` threads released together; return their (status, body) answers."""
    barrier = threading.Barrier(count)
    answers: list = [None] * count

    def work(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            response = send(n)
            answers[n] = (response.status_code, response.json())
        except Exception as error:  # reported to the test, which fails on it
            answers[n] = ("error", repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def post(name: str, key: str, data: dict):
    return Client().post(
        reverse(f"api:{name}"), json.dumps(data), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )


@pytest.fixture
def till(settings):
    settings.API_THROTTLE_RATE = "10000/min"
    cache.clear()
    branch = Branch.objects.create(name="Anna Nagar", code="ANN")
    return services.api_token_create(name="Till", branch=branch, user=None)[1]


def test_twenty_concurrent_redemptions_of_one_balance_never_overspend(till):
    customer = CustomerFactory()
    services.adjust_points(customer=customer, points=60, reason="Opening", user=None)
    services.adjust_points(customer=customer, points=40, reason="Second lot", user=None)

    answers = at_once(
        20,
        lambda n: post(
            "points-redeem",
            till,
            {"customer": customer.pk, "bill_number": f"R-{n}", "points": 10, "bill_amount": "1000.00"},
        ),
    )
    statuses = sorted(status for status, _body in answers)
    assert statuses == [201] * 10 + [400] * 10, answers
    assert all("has only 0 points" in body["points"][0] for status, body in answers if status == 400)
    entries = PointsEntry.objects.filter(customer=customer)
    assert Customer.objects.get(pk=customer.pk).points_balance == 0
    assert entries.aggregate(total=Sum("points"))["total"] == 0
    assert not entries.filter(balance_after__lt=0).exists()
    assert sorted(entries.filter(kind="redeem").values_list("balance_after", flat=True)) == list(range(0, 100, 10))
    # Every redeemed point came out of a lot exactly once.
    assert LotUse.objects.filter(entry__kind="redeem").aggregate(total=Sum("points"))["total"] == 100
    assert not PointsLot.objects.filter(remaining__gt=0).exists()
    connection.close()


def test_the_same_earn_sent_by_five_tills_at_once_books_one_entry(till):
    customer = CustomerFactory()
    answers = at_once(
        5, lambda n: post("points-earn", till, {"customer": customer.pk, "bill_number": "B-1", "amount": "999.00"})
    )
    assert sorted(status for status, _body in answers) == [200, 200, 200, 200, 201], answers
    assert len({body["id"] for _status, body in answers}) == 1
    assert PointsEntry.objects.filter(customer=customer).count() == 1
    assert Customer.objects.get(pk=customer.pk).points_balance == 9
    connection.close()


def test_two_redemptions_of_one_bill_at_once_spend_once(till):
    customer = CustomerFactory()
    services.adjust_points(customer=customer, points=50, reason="Opening", user=None)
    answers = at_once(
        2,
        lambda n: post(
            "points-redeem", till, {"customer": customer.pk, "bill_number": "R-1", "points": 30, "bill_amount": "900"}
        ),
    )
    assert sorted(status for status, _body in answers) == [200, 201], answers
    assert Customer.objects.get(pk=customer.pk).points_balance == 20
    connection.close()
