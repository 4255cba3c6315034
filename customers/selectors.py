"""Every read the customer screens need, limited to the customers the user may see."""

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from customers.filters import CustomerFilter
from customers.models import Customer
from parties.types import Actor

SEE_ALL = "customers.view_all_customers"


def customers_visible_to(user: Actor) -> QuerySet[Customer]:
    """Return the customers this user may see: all of them, or only their own agent's.

    A sales agent (a login without `view_all_customers`) sees only the
    customers assigned to the agent linked to that login; without such a
    link, none. Everyone else with the permission sees every customer.
    """
    if user is None or user.has_perm(SEE_ALL):
        return Customer.objects.all()
    agent = getattr(user, "agent", None)
    return Customer.objects.filter(agent=agent) if agent else Customer.objects.none()


def customer_filterset(*, filters: Mapping[str, Any] | None = None, user: Actor = None) -> CustomerFilter:
    """Return the customer FilterSet bound to the list's query parameters."""
    return CustomerFilter(filters or {}, queryset=customers_visible_to(user).select_related("customer_group"))


def customer_list(*, filters: Mapping[str, Any] | None = None, user: Actor = None) -> QuerySet[Customer]:
    """Return the customers the list shows for these query parameters, in its order."""
    return customer_filterset(filters=filters, user=user).qs


def customer_get(*, pk: int, user: Actor = None) -> Customer:
    """Return one customer the user may see, or raise Customer.DoesNotExist."""
    customers = customers_visible_to(user).select_related("customer_group", "agent", "credit_rule", "affiliate")
    return customers.get(pk=pk)


def customer_history(*, customer: Customer) -> list[dict[str, Any]]:
    """Return the customer's recorded changes, newest first: who, when, and each field's old and new value."""
    records = list(customer.history.select_related("history_user").order_by("-history_date", "-history_id"))
    changes = []
    for record, previous in zip(records, [*records[1:], None], strict=True):
        fields = []
        if previous is not None:
            delta = record.diff_against(previous)
            fields = [
                {
                    "field": _label(change.field),
                    "old": _readable(change.field, change.old),
                    "new": _readable(change.field, change.new),
                }
                for change in delta.changes
            ]
        changes.append({"record": record, "fields": fields})
    return changes


def _readable(field_name: str, value: Any) -> Any:
    """Return a changed value as a person reads it: a linked row's name rather than its id."""
    field = Customer._meta.get_field(field_name)
    if field.is_relation and isinstance(field.related_model, type) and value is not None:
        linked = field.related_model._default_manager.filter(pk=value).first()
        return str(linked) if linked else value
    return value


def _label(field_name: str) -> str:
    field = Customer._meta.get_field(field_name)
    return str(getattr(field, "verbose_name", field_name)).capitalize()
