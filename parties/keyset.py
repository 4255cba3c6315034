"""Read a queryset in its own order, one batch at a time, by keyset.

Each batch starts after the last row of the one before (no OFFSET), so the five-hundredth
batch costs what the first one does. The order is the queryset's, made total by the primary
key; a column that can be empty (or a relation that can be missing) is read with the empty
value standing in for nothing, so every row has a place in the order.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce

# What stands in for nothing in a column that can be empty, by the column's kind.
EMPTY = {
    "CharField": "",
    "TextField": "",
    "DateField": datetime.date.min,
    "DateTimeField": datetime.datetime.min.replace(tzinfo=datetime.UTC),
}


@dataclass(frozen=True)
class Key:
    alias: str
    path: str
    descending: bool


def _field_of(model: type[models.Model], path: str) -> tuple[models.Field, bool]:
    """Return the field a lookup path ends on, and whether it can be empty along the way."""
    nullable = False
    field: models.Field = model._meta.pk
    for part in path.split("__"):
        field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        nullable = nullable or field.null
        if field.is_relation and part != path.split("__")[-1]:
            model = field.related_model
    if field.is_relation:  # ordering by a foreign key means its primary key
        field = field.target_field
    return field, nullable


def _keys(queryset: QuerySet) -> list[Key]:
    ordering = [str(name) for name in (queryset.query.order_by or queryset.model._meta.ordering)]
    if ordering[-1].lstrip("-") not in ("pk", queryset.model._meta.pk.name):
        ordering.append("pk")
    return [Key(f"keyset_{index}", name.lstrip("-"), name.startswith("-")) for index, name in enumerate(ordering)]


def _expression(model: type[models.Model], key: Key):
    field, nullable = _field_of(model, key.path)
    if not nullable:
        return F(key.path)
    return Coalesce(F(key.path), Value(EMPTY[field.get_internal_type()]), output_field=field)


def _after(keys: list[Key], values: tuple) -> Q:
    """The rows that come after the row whose keys are `values`."""
    after = Q()
    for index, key in enumerate(keys):
        step = Q(**{f"{key.alias}__{'lt' if key.descending else 'gt'}": values[index]})
        for earlier, value in zip(keys[:index], values, strict=False):
            step &= Q(**{earlier.alias: value})
        after |= step
    return after


def keyset_batches(queryset: QuerySet, *, size: int) -> Iterator[QuerySet]:
    """Yield querysets that together hold the queryset's rows, in its order, at most `size` each."""
    keys = _keys(queryset)
    ordered = queryset.annotate(**{key.alias: _expression(queryset.model, key) for key in keys}).order_by(
        *(F(key.alias).desc() if key.descending else F(key.alias).asc() for key in keys)
    )
    aliases = [key.alias for key in keys]
    remaining = ordered
    while True:
        # The batch's last row bounds it; the caller reads the batch's rows between the two bounds.
        bound = next(iter(remaining.values_list(*aliases)[size - 1 : size]), None)
        if bound is None:
            yield remaining
            return
        yield remaining.exclude(_after(keys, bound))
        remaining = ordered.filter(_after(keys, bound))
