"""Every read the customer screens need."""

from collections.abc import Mapping

from django.db.models import QuerySet

from customers.filters import CustomerFilter
from customers.models import Customer


def customer_filterset(*, filters: Mapping | None = None) -> CustomerFilter:
    """Return the customer FilterSet bound to the list's query parameters."""
    return CustomerFilter(filters or {}, queryset=Customer.objects.select_related("customer_group"))


def customer_list(*, filters: Mapping | None = None) -> QuerySet[Customer]:
    """Return the customers the list shows for these query parameters, in its order."""
    return customer_filterset(filters=filters).qs


def customer_get(*, pk: int) -> Customer:
    """Return one customer with what its form and page show, or raise Customer.DoesNotExist."""
    return Customer.objects.select_related("customer_group", "agent", "credit_rule", "affiliate").get(pk=pk)
