"""A separate process that hammers one customer's points (used by the concurrency test on PostgreSQL)."""

import os


def hammer(database_url: str, customer_id: int, calls: int, worker: int, results) -> None:
    """Make `calls` adjust/redeem calls and put (ok, refused, errors) on the results queue."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "o2vend.settings")
    import django

    django.setup()
    from django.core.exceptions import ValidationError

    from customers.models import Customer
    from loyalty import services

    customer = Customer.objects.get(pk=customer_id)
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
    results.put((ok, refused, errors))
