"""A paginator whose cost does not grow with the table: capped counts, estimates, reads from the nearer end."""

import json
from functools import cached_property

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

# Rows probed across the id range to estimate a filtered count on SQLite.
SQLITE_PROBES = 2000


class LargeTablePaginator(Paginator):
    """Paginate a sorted queryset of any size in a fixed number of cheap queries.

    * The count stops at `exact_up_to`; above it the database's estimate is
      used and shown rounded ("about 1.2 million"). The estimate is asked for
      every time, so a page costs the same number of queries whatever it shows.
    * A page past the middle is read from the end with the order reversed,
      so the last page needs no OFFSET over the whole table.
    * A page far from both ends reads only the ids under its OFFSET (the
      sort index serves that), then the 25 rows with their joins.
    """

    exact_up_to = 10_000
    deferred_from = 1_000

    @cached_property
    def counted(self) -> int:
        """Return the exact count, stopped at `exact_up_to` + 1."""
        queryset = self.object_list.order_by().values("pk")[: self.exact_up_to + 1]
        return queryset.count()

    @cached_property
    def estimated(self) -> bool:
        return self.counted > self.exact_up_to

    @cached_property
    def count(self) -> int:
        estimate = estimate_count(self.object_list)
        if not self.estimated:
            return self.counted
        return max(_rounded(estimate), self.exact_up_to)

    @cached_property
    def rows(self) -> int:
        """Return the rows the pages hold: the count, or whole pages when it is an estimate."""
        return self.num_pages * self.per_page if self.estimated else self.count

    def approximate_count(self) -> str:
        """Return an estimated count as people read it: "1.2 million", "42,000", "more than 10,000"."""
        from django.contrib.humanize.templatetags.humanize import intcomma, intword

        if self.count <= self.exact_up_to:
            return _("more than %(count)s") % {"count": intcomma(self.exact_up_to)}
        return _("about %(count)s") % {"count": intcomma(intword(self.count))}

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.rows)
        if bottom > self.rows - top:
            rows = list(_rows(self.object_list.reverse(), self.rows - top, self.rows - bottom, self.deferred_from))
            rows.reverse()
        else:
            rows = _rows(self.object_list, bottom, top, self.deferred_from)
        return self._get_page(rows, number, self)


def _rows(queryset: QuerySet, start: int, stop: int, deferred_from: int):
    """Return rows start..stop of a sorted queryset; past `deferred_from`, OFFSET runs over the ids only."""
    if start < deferred_from:
        return queryset[start:stop]
    ids = queryset.values("pk")[start:stop]
    return list(queryset.filter(pk__in=ids))


def _rounded(number: int) -> int:
    """Return `number` to two significant digits: 1,234,567 -> 1,200,000."""
    digits = len(str(number))
    scale = 10 ** max(digits - 2, 0)
    return round(number / scale) * scale


def estimate_count(queryset: QuerySet) -> int:
    """Return the database's estimate of the queryset's rows, in one query that reads a bounded part of the table.

    PostgreSQL: its planner's estimate (EXPLAIN, from ANALYZE statistics).
    SQLite: rows probed at even steps across the id range, times the step.
    Elsewhere: the exact count.
    """
    connection = connections[queryset.db]
    queryset = queryset.order_by().values("pk")
    try:
        return _estimate(connection, queryset)
    except EmptyResultSet:
        return 0


def _estimate(connection, queryset: QuerySet) -> int:
    if connection.vendor == "postgresql":
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return int(plan[0]["Plan"]["Plan Rows"])
    if connection.vendor == "sqlite":
        meta = queryset.model._meta
        table, pk = connection.ops.quote_name(meta.db_table), connection.ops.quote_name(meta.pk.column)
        lowest, highest = f"(SELECT min({pk}) FROM {table})", f"(SELECT max({pk}) FROM {table})"
        step = f"max(({highest} - {lowest}) / {SQLITE_PROBES}, 1)"
        probes = (
            f"WITH RECURSIVE probe(id) AS (SELECT {lowest} UNION ALL "
            f"SELECT id + {step} FROM probe WHERE id + {step} <= {highest}) SELECT id FROM probe"
        )
        sql, params = queryset.filter(pk__in=RawSQL(probes, [])).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) * {step} FROM ({sql})", params)
            return int(cursor.fetchone()[0] or 0)
    return queryset.count()
