"""The customer import's opening points columns: balances brought over from an old system.

Registered into customers' import (customers.extensions.ImportExtra): "Opening points" is
booked as one OPENING entry per customer, in the import's own transaction; "Opening points
expiry" (optional) is the day its lot expires, the program's expiry from today when empty.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.extensions import ImportExtra, add_import_extra
from customers.models import Customer
from loyalty import selectors, services
from loyalty.models import PointsEntry, PointsKind

POINTS, EXPIRY = "opening_points", "opening_points_expiry"
MAX_OPENING_POINTS = 100_000_000


def _points(cell: Any) -> int:
    text = str(int(cell) if isinstance(cell, float) and cell.is_integer() else cell).strip().replace(",", "")
    if not text.isdigit() or int(text) == 0 or int(text) > MAX_OPENING_POINTS:
        raise ValidationError(_("Write a whole number of points more than 0, e.g. 1200."))
    return int(text)


def _expiry(cell: Any) -> datetime.date:
    from customers.imports import read_date

    if isinstance(cell, datetime.datetime):
        day = cell.date()
    elif isinstance(cell, datetime.date):
        day = cell
    else:
        text = str(cell).strip()
        day = read_date(text.split(" ")[0] if text[:4].isdigit() else text, column=None, lookups=None)
    if day <= timezone.localdate():
        raise ValidationError(_("This date has passed; leave it empty or write a later date."))
    return day


def read_opening(cells: dict[str, Any], matched: int | None, memo: dict) -> tuple[Any, dict[str, str]]:
    """Check one row's opening points and expiry; return {"points", "expires_on"} and errors by column."""
    errors: dict[str, str] = {}
    points = expires_on = None
    if cells.get(POINTS) is not None:
        try:
            points = _points(cells[POINTS])
        except ValidationError as error:
            errors[POINTS] = " ".join(error.messages)
    elif cells.get(EXPIRY) is not None:
        errors[EXPIRY] = _("Give the opening points that expire on this date.")
    if cells.get(EXPIRY) is not None:
        try:
            expires_on = _expiry(cells[EXPIRY])
        except ValidationError as error:
            errors[EXPIRY] = " ".join(error.messages)
    if matched is not None and POINTS not in errors:
        if "opened" not in memo:
            memo["opened"] = set(
                PointsEntry.objects.filter(kind=PointsKind.OPENING).values_list("customer_id", flat=True)
            )
        if matched in memo["opened"]:
            errors[POINTS] = _("This customer's opening points were booked already; adjust their points instead.")
    if errors or points is None:
        return None, errors
    if expires_on is None:
        expires_on = selectors.lot_expiry(settings=selectors.reward_settings(), on=timezone.localdate())
    return {"points": points, "expires_on": expires_on}, {}


def apply_opening(rows: list[tuple[Customer, dict[str, Any]]], user: Any) -> None:
    """Book each customer's opening points (inside the import's transaction)."""
    for customer, value in rows:
        services.opening_points(customer=customer, points=value["points"], expires_on=value["expires_on"], user=user)


OPENING_COLUMNS = ImportExtra(
    headers={POINTS: str(gettext_lazy("Opening points")), EXPIRY: str(gettext_lazy("Opening points expiry"))},
    read=read_opening,
    apply=apply_opening,
)


def register() -> None:
    add_import_extra(OPENING_COLUMNS)
