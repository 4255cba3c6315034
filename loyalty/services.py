"""The only place points balances change: each change is one ledger entry.

The customer row is locked (select_for_update on PostgreSQL; on SQLite the
IMMEDIATE transaction mode takes the write lock at BEGIN), the new balance is
checked, the entry written and the balance moved with an F() update, all in
one transaction. A refusal raises ValidationError and writes nothing.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from customers.models import Customer
from loyalty.models import PointsEntry, PointsKind
from parties.types import Actor, author

REASON_MAX_LENGTH = 255


def _require_int(points: Any, *, positive: bool) -> int:
    if isinstance(points, bool) or not isinstance(points, int):
        raise ValidationError({"points": _("Enter a whole number of points.")})
    if points == 0:
        raise ValidationError({"points": _("Enter a number of points other than 0.")})
    if positive and points < 0:
        raise ValidationError({"points": _("Enter a positive number of points.")})
    return points


def _book(
    *,
    customer: Customer,
    points: int,
    kind: str,
    user: Actor,
    reason: str = "",
    reference: str = "",
    reverses: PointsEntry | None = None,
) -> PointsEntry:
    with transaction.atomic():
        locked = Customer.objects.select_for_update().only("pk", "full_name", "points_balance").get(pk=customer.pk)
        balance = locked.points_balance + points
        if balance < 0:
            raise ValidationError(
                {
                    "points": _("Cannot take away %(requested)s points: %(name)s has only %(balance)s points.")
                    % {"requested": f"{-points:,}", "name": locked.full_name, "balance": f"{locked.points_balance:,}"}
                }
            )
        entry = PointsEntry.objects.create(
            customer_id=locked.pk,
            points=points,
            kind=kind,
            reason=reason,
            reference=reference,
            balance_after=balance,
            reverses=reverses,
            created_by=author(user),
        )
        Customer.objects.filter(pk=locked.pk).update(points_balance=F("points_balance") + points)
    customer.points_balance = balance
    return entry


def adjust_points(*, customer: Customer, points: int, reason: str, user: Actor) -> PointsEntry:
    """Add (positive) or take away (negative) points by hand, with a reason."""
    points = _require_int(points, positive=False)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the points are adjusted; the customer will see this reason.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("Keep the reason to %(max)d characters.") % {"max": REASON_MAX_LENGTH}})
    return _book(customer=customer, points=points, kind=PointsKind.ADJUST, reason=reason, user=user)


def redeem_points(*, customer: Customer, points: int, reference: str, user: Actor) -> PointsEntry:
    """Spend points (e.g. as a discount on an invoice); never more than the balance."""
    points = _require_int(points, positive=True)
    return _book(customer=customer, points=-points, kind=PointsKind.REDEEM, reference=reference or "", user=user)


def earn_points(*, customer: Customer, points: int, reference: str, user: Actor) -> PointsEntry:
    """Credit points earned on a purchase."""
    points = _require_int(points, positive=True)
    return _book(customer=customer, points=points, kind=PointsKind.EARN, reference=reference or "", user=user)


def reverse_entry(*, entry: PointsEntry, user: Actor, reason: str) -> PointsEntry:
    """Book the exact opposite of an earlier entry (e.g. a returned sale), once only."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the entry is reversed.")})
    if entry.kind == PointsKind.REVERSE:
        raise ValidationError(_("A reversal cannot itself be reversed; book an adjustment instead."))
    with transaction.atomic():
        # Lock the customer first so two reversals of one entry cannot both pass the check.
        Customer.objects.select_for_update().only("pk").get(pk=entry.customer_id)
        if PointsEntry.objects.filter(reverses=entry).exists():
            raise ValidationError(_("This entry has already been reversed."))
        return _book(
            customer=entry.customer,
            points=-entry.points,
            kind=PointsKind.REVERSE,
            reason=reason[:REASON_MAX_LENGTH],
            reference=entry.reference,
            reverses=entry,
            user=user,
        )
