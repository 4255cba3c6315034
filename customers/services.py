"""Every write to customers goes through these functions."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils.translation import gettext as _

from customers.models import Customer
from parties.text import next_free, username_base


def customer_username_for(*, full_name: str, exclude_pk: int | None = None) -> str:
    """Return a free user name made from the full name ("Priya Raman" -> "priya-raman-2")."""
    base = username_base(full_name) or "customer"
    similar = Customer.objects.filter(Q(username__lower=base) | Q(username__istartswith=f"{base}-"))
    if exclude_pk:
        similar = similar.exclude(pk=exclude_pk)
    taken = {name.lower() for name in similar.values_list("username", flat=True)}
    return next_free(base, taken)


def _save(customer: Customer, coupons: Iterable | None, offers: Iterable | None) -> Customer:
    if not customer.username:
        customer.username = customer_username_for(full_name=customer.full_name, exclude_pk=customer.pk)
    customer.full_clean()
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        # Another request saved the same user name or membership number in the meantime.
        customer.full_clean()
        raise
    if coupons is not None:
        customer.coupons.set(coupons)
    if offers is not None:
        customer.offers.set(offers)
    return customer


@transaction.atomic
def customer_create(
    *, full_name: str, created_by=None, coupons: Iterable | None = None, offers: Iterable | None = None, **fields
) -> Customer:
    """Create a customer from the form's fields, filling the user name when blank."""
    customer = Customer(full_name=full_name, created_by=created_by, **fields)
    return _save(customer, coupons, offers)


@transaction.atomic
def customer_update(
    *, customer: Customer, coupons: Iterable | None = None, offers: Iterable | None = None, **fields
) -> Customer:
    """Change a customer's fields; nothing is saved when any of them is invalid."""
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    return _save(locked, coupons, offers)


@transaction.atomic
def customer_delete(*, customer: Customer) -> None:
    """Delete a customer, or raise ValidationError saying why it must be kept."""
    entries = customer.points_entries.count()
    if entries:
        raise ValidationError(
            _(
                "%(name)s has %(count)d points entries, and the points ledger is kept for good. "
                "Deactivate the customer instead."
            )
            % {"name": customer.full_name, "count": entries}
        )
    try:
        customer.delete()
    except ProtectedError as error:
        raise ValidationError(
            _("%(name)s cannot be deleted because %(count)d other records refer to them. Deactivate them instead.")
            % {"name": customer.full_name, "count": len(error.protected_objects)}
        ) from None


@transaction.atomic
def customer_deactivate(*, customer: Customer) -> Customer:
    """Mark a customer inactive, keeping their record and ledger."""
    Customer.objects.filter(pk=customer.pk).update(is_active=False)
    customer.is_active = False
    return customer
