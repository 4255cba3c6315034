"""Many writers on one customer at once: the ledger never loses or invents a point."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum

from customers.models import Customer
from loyalty import services
from loyalty.models import PointsEntry
from tests.factories import CustomerFactory

WORKERS = 6
CALLS_PER_WORKER = 15


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_adjust_and_redeem_keep_balance_equal_to_ledger():
    customer = CustomerFactory()
    services.adjust_points(customer=customer, points=50, reason="Opening", user=None)
    outcomes = {"ok": 0, "refused": 0}
    lock = threading.Lock()
    errors = []

    def work(worker: int):
        try:
            for call in range(CALLS_PER_WORKER):
                try:
                    if (worker + call) % 3 == 0:
                        services.adjust_points(customer=customer, points=7, reason=f"w{worker}", user=None)
                    else:
                        services.redeem_points(customer=customer, points=9, reference=f"w{worker}-{call}", user=None)
                    result = "ok"
                except ValidationError:
                    result = "refused"
                with lock:
                    outcomes[result] += 1
        except Exception as error:  # surfaced below: a lock timeout or crash fails the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    entries = PointsEntry.objects.filter(customer=customer)
    ledger_sum = entries.aggregate(total=Sum("points"))["total"]
    stored = Customer.objects.get(pk=customer.pk).points_balance
    assert stored == ledger_sum
    assert not entries.filter(balance_after__lt=0).exists()
    # Every successful call wrote one entry, every refused call none (plus the opening entry).
    assert entries.count() == outcomes["ok"] + 1
    assert outcomes["refused"] > 0, "the scenario should run the balance dry at least once"
    # Replaying the ledger in order gives each stored balance_after.
    running = 0
    for entry in entries.order_by("pk"):
        running += entry.points
        assert entry.balance_after == running
    connection.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="separate processes need a server database")
def test_parallel_processes_on_postgresql_keep_balance_equal_to_ledger():
    import multiprocessing

    from tests.loyalty.points_worker import hammer

    customer = CustomerFactory()
    services.adjust_points(customer=customer, points=50, reason="Opening", user=None)
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
    assert all(not errors for _ok, _refused, errors in outcomes), outcomes
    entries = PointsEntry.objects.filter(customer=customer)
    assert Customer.objects.get(pk=customer.pk).points_balance == entries.aggregate(total=Sum("points"))["total"]
    assert entries.count() == 1 + sum(ok for ok, _refused, _errors in outcomes)
    assert sum(refused for _ok, refused, _errors in outcomes) > 0
    assert not entries.filter(balance_after__lt=0).exists()
    running = 0
    for entry in entries.order_by("pk"):
        running += entry.points
        assert entry.balance_after == running
