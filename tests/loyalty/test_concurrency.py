"""Many writers on one customer at once: the ledger never loses or invents a point."""

import threading

import pytest
from django.db import connection, connections
from django.db.models import Sum

from customers.models import Customer
from loyalty import services
from loyalty.models import PointsEntry
from tests.factories import CustomerFactory
from tests.loyalty.points_worker import hammer, make_calls

WORKERS = 6
CALLS_PER_WORKER = 15


def opened_customer():
    customer = CustomerFactory()
    services.adjust_points(customer=customer, points=50, reason="Opening", user=None)
    return customer


def assert_ledger_holds(customer, outcomes) -> None:
    """Balance = ledger sum, never negative, one entry per successful call, balance_after replays in order."""
    assert all(not errors for _ok, _refused, errors in outcomes), outcomes
    entries = PointsEntry.objects.filter(customer=customer)
    assert Customer.objects.get(pk=customer.pk).points_balance == entries.aggregate(total=Sum("points"))["total"]
    assert not entries.filter(balance_after__lt=0).exists()
    # Every successful call wrote one entry, every refused call none (plus the opening entry).
    assert entries.count() == 1 + sum(ok for ok, _refused, _errors in outcomes)
    assert sum(refused for _ok, refused, _errors in outcomes) > 0, "the scenario should run the balance dry"
    running = 0
    for entry in entries.order_by("pk"):
        running += entry.points
        assert entry.balance_after == running


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_adjust_and_redeem_keep_balance_equal_to_ledger():
    customer = opened_customer()
    outcomes = []

    def work(worker: int):
        try:
            outcomes.append(make_calls(customer, CALLS_PER_WORKER, worker))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == WORKERS
    assert_ledger_holds(customer, outcomes)
    connection.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="separate processes need a server database")
def test_parallel_processes_on_postgresql_keep_balance_equal_to_ledger():
    import multiprocessing

    customer = opened_customer()
    config = connection.settings_dict
    url = f"postgres://{config['USER']}:{config['PASSWORD']}@{config['HOST']}:{config['PORT'] or 5432}/{config['NAME']}"
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=hammer, args=(url, customer.pk, 25, n, results)) for n in range(4)]
    for process in workers:
        process.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for process in workers:
        process.join(timeout=60)
    assert_ledger_holds(customer, outcomes)
