"""Reads of the points ledger."""

from django.db.models import QuerySet, Sum

from customers.models import Customer
from loyalty.models import PointsEntry, PointsKind


def points_history(*, customer: Customer, kind: str | None = None) -> QuerySet[PointsEntry]:
    """Return a customer's ledger entries, newest first (only one kind when given)."""
    entries = PointsEntry.objects.filter(customer=customer).select_related("created_by")
    if kind:
        entries = entries.filter(kind=kind)
    return entries.order_by("-created_at", "-pk")


def redemption_history(*, customer: Customer) -> QuerySet[PointsEntry]:
    """Return a customer's redemptions, newest first."""
    return points_history(customer=customer, kind=PointsKind.REDEEM)


def points_mismatches() -> list[tuple[Customer, int, int]]:
    """Return (customer, stored balance, ledger sum) for every customer whose two differ."""
    sums = dict(PointsEntry.objects.values_list("customer_id").annotate(total=Sum("points")).order_by())
    mismatches = []
    for customer in Customer.objects.only("pk", "full_name", "points_balance").iterator(chunk_size=5000):
        ledger = sums.get(customer.pk, 0)
        if ledger != customer.points_balance:
            mismatches.append((customer, customer.points_balance, ledger))
    return mismatches
