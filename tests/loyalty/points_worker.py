"""The calls the concurrency tests make on one customer, from threads or separate processes."""

import os


def make_calls(customer, calls: int, worker: int) -> tuple[int, int, list[str]]:
    """Make `calls` adjust/redeem calls that run the balance dry; return (ok, refused, unexpected errors)."""
    from django.core.exceptions import ValidationError

    from loyalty import services

    ok = refused = 0
    errors = []
    for call in range(calls):
        try:
            if (worker + call) % 3 == 0:
                services.adjust_points(customer=customer, points=7, reason=f"w{worker}", user=None)
            else:
                services.redeem_points(customer=customer, points=9, reference=f"w{worker}-{call}", user=None)
            ok += 1
        except ValidationError:
            refused += 1
        except Exception as error:  # reported to the test, which fails on it
            errors.append(repr(error))
    return ok, refused, errors


def hammer(database_url: str, customer_id: int, calls: int, worker: int, results) -> None:
    """In a fresh process: set Django up on the test database, make the calls, report on the queue."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "o2vend.settings")
    import django

    django.setup()
    from customers.models import Customer

    results.put(make_calls(Customer.objects.get(pk=customer_id), calls, worker))
