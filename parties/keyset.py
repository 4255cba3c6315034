"""Read a queryset in its own order, one batch at a time, by keyset.

Each batch starts after the last row of the one before (no OFFSET), so the five-hundredth
batch costs what the first one does. The order is the queryset's, made total by the primary
key; a column that can be empty (or a relation that can be missing) is read as "empty or not"
and then its value, so every row has one place in the order: the place the database's own
ORDER BY gives it.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connections, models
from django.db.models import Case, F, Q, QuerySet, Value, When
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
    expression: Any
    descending: bool


def _field_of(model: type[models.Model], path: str) -> tuple[models.Field, bool]:
    """Return the field a lookup path ends on, and whether it can be empty along the way."""
    nullable = False
    field: models.Field = model._meta.pk
    parts = path.split("__")
    for position, part in enumerate(parts):
        field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        nullable = nullable or field.null
        if field.is_relation and position < len(parts) - 1:
            model = field.related_model
    if field.is_relation:  # ordering by a foreign key means its primary key
        field = field.target_field
    return field, nullable


def _keys(queryset: QuerySet) -> list[Key]:
    """The queryset's ordering as keys; a column that can be empty becomes two: empty or not, then its value.

    The first of the two puts the empty rows where the database's own ORDER BY puts NULLs
    (last when ascending on PostgreSQL, first on SQLite), so the batches keep the list's order.
    """
    model = queryset.model
    ordering = [str(name) for name in (queryset.query.order_by or model._meta.ordering)]
    if ordering[-1].lstrip("-") not in ("pk", model._meta.pk.name):
        ordering.append("pk")
    empty_last = 1 if connections[queryset.db].features.nulls_order_largest else 0
    keys = []
    for index, name in enumerate(ordering):
        path, descending = name.lstrip("-"), name.startswith("-")
        field, nullable = _field_of(model, path)
        if nullable:
            is_empty = Case(When(**{f"{path}__isnull": True}, then=Value(empty_last)), default=Value(1 - empty_last))
            keys.append(Key(f"keyset_{index}_empty", is_empty, descending))
            value = Coalesce(F(path), Value(EMPTY[field.get_internal_type()]), output_field=field)
            keys.append(Key(f"keyset_{index}", value, descending))
        else:
            keys.append(Key(f"keyset_{index}", F(path), descending))
    return keys


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
    ordered = queryset.annotate(**{key.alias: key.expression for key in keys}).order_by(
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
