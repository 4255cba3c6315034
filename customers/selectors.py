"""Every read the customer screens need, limited to the customers the user may see."""

from collections.abc import Mapping

from django.db.models import QuerySet

from customers.filters import CustomerFilter
from customers.models import Customer

SEE_ALL = "customers.view_all_customers"


def customers_visible_to(user) -> QuerySet[Customer]:
    """Return the customers this user may see: all of them, or only their own agent's.

    A sales agent (a login without `view_all_customers`) sees only the
    customers assigned to the agent linked to that login; without such a
    link, none. Everyone else with the permission sees every customer.
    """
    if user is None or user.has_perm(SEE_ALL):
        return Customer.objects.all()
    agent = getattr(user, "agent", None)
    return Customer.objects.filter(agent=agent) if agent else Customer.objects.none()


def customer_filterset(*, filters: Mapping | None = None, user=None) -> CustomerFilter:
    """Return the customer FilterSet bound to the list's query parameters."""
    return CustomerFilter(filters or {}, queryset=customers_visible_to(user).select_related("customer_group"))


def customer_list(*, filters: Mapping | None = None, user=None) -> QuerySet[Customer]:
    """Return the customers the list shows for these query parameters, in its order."""
    return customer_filterset(filters=filters, user=user).qs


def customer_get(*, pk: int, user=None) -> Customer:
    """Return one customer the user may see, or raise Customer.DoesNotExist."""
    customers = customers_visible_to(user).select_related("customer_group", "agent", "credit_rule", "affiliate")
    return customers.get(pk=pk)
