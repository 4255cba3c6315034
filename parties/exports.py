"""Spreadsheet writers shared by every export: columns declared once, CSV and XLSX.

An export is a list of `Column`s and an iterable of rows (lists in column
order; dates and moments as ISO text, moments in the store's local time).
CSV is streamed as it is produced; XLSX is written by openpyxl in write-only
mode to a temporary file, so memory stays flat at any size.
"""

import codecs
import csv
import datetime
import io
import itertools
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, CharField, F, Func, Max, Min, Q, Value, When
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django_countries import countries
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from parties import geo

# OWASP CSV injection: a text cell starting with one of these is read as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
ESCAPE = "'"
# Escaped on export: the formula prefixes, and the escape itself, so that a stored "'=x" comes back
# from an import as "'=x" and not as "=x".
ESCAPED = (*FORMULA_PREFIXES, ESCAPE)


TEXT, NUMBER, DATE, DATETIME, YES_NO = "text", "number", "date", "datetime", "yes/no"
CSV_BATCH_ROWS = 1000


@dataclass(frozen=True)
class Column:
    """One export column: its header (the form's label), its kind and a width for XLSX."""

    header: str
    width: int = 16
    kind: str = TEXT
    neutralised: bool = False  # its values arrive already made safe (by the database), so writers skip the check


def neutralise(value):
    """Return a text value that cannot run as a formula; other values (numbers, dates) unchanged."""
    if value.__class__ is str and value.startswith(ESCAPED):
        return ESCAPE + value
    return value


def unneutralise(value: str) -> str:
    """Undo `neutralise` on a value read back from an export."""
    if value.startswith(ESCAPE) and value[1:].startswith(ESCAPED):
        return value[1:]
    return value


def export_filename(stem: str, extension: str) -> str:
    """Return e.g. customers-20261129-1405.csv, in the store's local time."""
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def _converter(column: Column, dated: dict, text):
    """Return the conversion a column needs, or None when its values can be written as they are."""
    if column.kind in dated:
        return dated[column.kind]
    return None if column.neutralised or column.kind == NUMBER else text


def _converted(rows: Iterable[list], converters: list) -> Iterable[list]:
    """Return the rows with each column's conversion (None: none) made in place as they are read."""
    convert = [(index, to_value) for index, to_value in enumerate(converters) if to_value]

    def converted():
        for row in rows:
            for index, to_value in convert:
                row[index] = to_value(row[index])
            yield row

    return converted() if convert else rows


def csv_lines(columns: list[Column], rows: Iterable[list]) -> Iterator[str]:
    """Yield the CSV file in pieces of about a thousand rows: a UTF-8 BOM, the header, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(codecs.BOM_UTF8.decode("utf-8"))
    writer.writerow([column.header for column in columns])
    # Only text not yet neutralised needs checking: dates and moments are written as their ISO
    # text, and csv writes None as "".
    converters = [_converter(column, {DATE: None, DATETIME: None}, neutralise) for column in columns]
    pending = 0
    for row in _converted(rows, converters):
        writer.writerow(row)
        pending += 1
        if pending >= CSV_BATCH_ROWS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def csv_response(columns: list[Column], rows: Iterable[list], stem: str) -> StreamingHttpResponse:
    lines = csv_lines(columns, rows)
    # The first piece (up to a thousand rows) is made before answering: an export that cannot
    # start, because its query fails, is an error page rather than a 200 and a cut-off file.
    first = next(lines)
    response = StreamingHttpResponse(itertools.chain([first], lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(stem, "csv")}"'
    return response


def _xlsx_converters(sheet, columns: list[Column]) -> list:
    """Return, per column, the function that turns a value into what openpyxl writes."""

    def dated(number_format: str, parse):
        def convert(value):
            if value is None:
                return None
            cell = WriteOnlyCell(sheet, value=parse(value))
            cell.number_format = number_format
            return cell

        return convert

    # Excel has no timezones: moments arrive, and are written, in the store's local wall-clock time.
    chosen = {
        DATE: dated("yyyy-mm-dd", datetime.date.fromisoformat),
        DATETIME: dated("yyyy-mm-dd hh:mm", datetime.datetime.fromisoformat),
    }
    return [_converter(column, chosen, neutralise) for column in columns]


def write_xlsx(columns: list[Column], rows: Iterable[list], target) -> None:
    """Write the rows as an XLSX sheet to `target` (a path or binary file)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Export")
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in _converted(rows, _xlsx_converters(sheet, columns)):
        sheet.append(row)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    workbook.save(target)


def xlsx_response(columns: list[Column], rows: Iterable[list], stem: str) -> FileResponse:
    # A temporary file, not memory: openpyxl streams rows to it. FileResponse closes
    # it once sent, and a closed TemporaryFile is deleted.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        write_xlsx(columns, rows, handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=export_filename(stem, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# Party exports: a field list declared once per model, read in chunks as text.

# Read as codes and replaced by (neutralised) names in Python.
REPLACED = ("country", "state_or_province")
YES, NO = "Yes", "No"


class Neutralised(Func):
    """SQL that puts the escape apostrophe before text starting like a formula or with the escape (see `neutralise`).

    It tests the first character's code, which is cheaper than cutting out the first character.
    """

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        text, params = compiler.compile(self.source_expressions[0])
        first = "ASCII" if connection.vendor == "postgresql" else "UNICODE"  # both give the first code point
        codes = ", ".join(str(ord(prefix)) for prefix in ESCAPED)
        sql = f"CASE WHEN {first}({text}) IN ({codes}) THEN '{ESCAPE * 2}' || {text} ELSE {text} END"
        return sql, params * 3


class IsoDate(Func):
    """A date as ISO text ("2026-11-29"), as SQLite stores it: not parsed into an object for every row."""

    output_field = CharField()
    template = "CAST(%(expressions)s AS TEXT)"

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="TO_CHAR(%(expressions)s, 'YYYY-MM-DD')")


class LocalTime(Func):
    """A stored moment as the store's local wall-clock time in ISO text ("2026-11-29 14:05:09").

    Python's time-zone data is the one truth on every database: the zone's UTC offsets over `span`
    (the earliest and latest moments to convert) go into the SQL as a CASE of their changes.
    Fractions of a second are cut off, as the list shows them.
    """

    output_field = CharField()

    def __init__(self, expression, zone, span: tuple[datetime.datetime, datetime.datetime]):
        super().__init__(expression)
        self.zone, self.span = zone, span

    def _shift(self, sql: str, params: list, moment, offset) -> tuple[str, list]:
        """Return the CASE that gives each stored moment its offset, with `moment` and `offset`
        turning a change's UTC moment and an offset into the database's parameters."""
        first, changes = utc_offsets(self.zone, *self.span)
        offsets = [first] + [new for _change, new in changes]
        # Moments before a change keep the offset they had: WHEN moment < change THEN that offset.
        whens, shift_params = "", []
        for (change, _new), before in zip(changes, offsets[:-1], strict=True):
            whens += f" WHEN {sql} < %s THEN %s"
            shift_params += [*params, moment(change), offset(before)]
        shift = f"CASE{whens} ELSE %s END" if changes else "%s"
        return shift, [*shift_params, offset(offsets[-1])]

    def as_sql(self, compiler, connection, **extra_context):  # PostgreSQL
        sql, params = compiler.compile(self.source_expressions[0])
        aware = lambda change: change.replace(tzinfo=datetime.UTC)  # noqa: E731
        shift, shift_params = self._shift(sql, params, aware, lambda offset: offset)  # timedelta is an interval
        return f"TO_CHAR(({sql} AT TIME ZONE 'UTC') + {shift}, 'YYYY-MM-DD HH24:MI:SS')", [*params, *shift_params]

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite stores UTC text ("2026-11-29 08:35:02.999999"); DATETIME() would round the fraction.
        sql, params = compiler.compile(self.source_expressions[0])
        shift, shift_params = self._shift(sql, params, "{:%Y-%m-%d %H:%M:%S}".format, _seconds)
        return f"DATETIME(SUBSTR({sql}, 1, 19), {shift})", [*params, *shift_params]


def _seconds(offset: datetime.timedelta) -> str:
    return f"{int(offset.total_seconds()):+d} seconds"


def utc_offsets(zone, start: datetime.datetime, end: datetime.datetime):
    """Return the zone's UTC offset at `start` and its changes up to `end`: [(UTC moment, new offset)].

    Offsets are compared a day apart, and a change is then found to the second by halving.
    """
    day, second = datetime.timedelta(days=1), datetime.timedelta(seconds=1)
    moment = start.astimezone(datetime.UTC).replace(microsecond=0) - day
    first = current = moment.astimezone(zone).utcoffset()
    changes = []
    while moment <= end:
        following = moment + day
        offset = following.astimezone(zone).utcoffset()
        if offset != current:
            before, after = moment, following  # the change is in (before, after]
            while after - before > second:
                middle = before + datetime.timedelta(seconds=(after - before) // second // 2)
                if middle.astimezone(zone).utcoffset() == current:
                    before = middle
                else:
                    after = middle
            changes.append((after.replace(tzinfo=None), offset))
            current = offset
        moment = following
    return first, changes


CHUNK_SIZE = 2000


def field_label(model, field_name: str) -> str:
    """Return a field's form label: its verbose name with a capital first letter."""
    label = str(model._meta.get_field(field_name).verbose_name)
    return label[:1].upper() + label[1:]


# The columns every party export shares, in the order the forms show them.
NAME_FIELDS = (
    ("full_name", 24, "full_name"),
    ("alias_name", 14, "alias_name"),
    ("username", 20, "username"),
)
ADDRESS_FIELDS = (
    ("country", 12, "country"),
    ("state_or_province", 16, "state_or_province"),
    ("postal_code", 10, "postal_code"),
    ("city", 14, "city"),
    ("address_line1", 24, "address_line1"),
    ("address_line2", 24, "address_line2"),
    ("contact_name", 20, "contact_name"),
    ("contact_phone", 16, "contact_phone"),
)
PHONE_FIELD = ("phone_number", 16, "phone_number")


@dataclass(frozen=True)
class PartyExport:
    """The export of one kind of party.

    `fields` are (field name, XLSX width, what values_list reads: a lookup,
    an expression, or None for a many-to-many field joined by "; ").
    """

    model: type
    fields: tuple

    @property
    def columns(self) -> list[Column]:
        # Every value arrives already neutralised: by the database, or by _many_names.
        return [
            Column(field_label(self.model, name), width, self._kind(name), neutralised=True)
            for name, width, _s in self.fields
        ]

    def _kind(self, name: str) -> str:
        kind = self.model._meta.get_field(name).get_internal_type()
        if kind == "DateTimeField":
            return DATETIME
        if kind == "DateField":
            return DATE
        if kind == "BooleanField":
            return YES_NO
        if kind in ("IntegerField", "PositiveIntegerField", "DecimalField", "BigIntegerField"):
            return NUMBER
        return TEXT

    @property
    def headers(self) -> dict[str, str]:
        return {name: column.header for (name, _w, _s), column in zip(self.fields, self.columns, strict=True)}

    def _read(self, name: str, source):
        """Return the expression that reads a column as the file shows it, as far as SQL can."""
        if source is None:
            return Value(None, output_field=CharField())  # many-to-many names, filled in by rows()
        source = F(source) if isinstance(source, str) else source
        kind = self._kind(name)
        if kind == DATE:
            return IsoDate(source)
        if kind == DATETIME:
            return LocalTime(source, timezone.get_current_timezone(), self._span(name))
        if kind == YES_NO:
            return Case(When(Q(**{name: True}), then=Value(YES)), default=Value(NO), output_field=CharField())
        if kind == TEXT and name not in REPLACED:
            return Neutralised(source)  # one CASE per column, not a Python check per cell
        return source

    def _span(self, name: str) -> tuple[datetime.datetime, datetime.datetime]:
        """Return the earliest and latest of a moment field (now, when none is later), read from its index."""
        span = self.model._default_manager.aggregate(earliest=Min(name), latest=Max(name))
        now = timezone.now()
        return span["earliest"] or now, max(span["latest"] or now, now)

    def rows(self, queryset) -> Iterator[list]:
        """Yield one list per row of the queryset, in its order and in column order."""
        annotations = {f"export_{name}": self._read(name, source) for name, _width, source in self.fields}
        many = [(position, name) for position, (name, _w, source) in enumerate(self.fields) if source is None]
        # A trailing pk tells whose many-to-many names go where.
        values = queryset.annotate(**annotations).values_list(*annotations, *(["pk"] if many else []))
        # The queryset's own SQL, read through the chunked (server-side on PostgreSQL) cursor that
        # iterator() uses, but without converting every value into a Python object first: the
        # writers need text, which the SQL above has already made of dates, moments and Yes/No.
        sql, params = values.query.sql_with_params()
        names = [name for name, _w, _s in self.fields]
        country_at, state_at = names.index("country"), names.index("state_or_province")
        country_names, places = dict(countries), {}  # places: (country, state) codes -> their names
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(CHUNK_SIZE):
                # Many-to-many names by pk, for this chunk's rows (which end with their pk).
                named = [(position, self._many_names(name, [row[-1] for row in chunk])) for position, name in many]
                # One row at a time: a list that is dropped once written never reaches the older
                # garbage-collector generations, which a whole chunk of kept lists would fill.
                for row in chunk:
                    values = list(row)
                    place = values[country_at], values[state_at]
                    if place not in places:
                        # A state unknown to pycountry is shown as stored, which could be anything.
                        names = country_names.get(place[0], place[0]), geo.state_name(*place)
                        places[place] = tuple(neutralise(name) for name in names)
                    values[country_at], values[state_at] = places[place]
                    if many:
                        pk = values.pop()
                        for position, names_by_pk in named:
                            values[position] = names_by_pk.get(pk)
                    yield values

    def _many_names(self, field_name: str, ids: list[int]) -> dict[int, str]:
        """Return "; "-joined names of a many-to-many field for these ids.

        Plain SQL: for a chunk of two thousand ids, building the ORM's IN filter costs more than the query.
        """
        field = self.model._meta.get_field(field_name)
        through = field.remote_field.through._meta
        target = field.related_model._meta
        quote = connection.ops.quote_name
        owner = quote(through.get_field(field.m2m_field_name()).column)
        linked = quote(through.get_field(field.m2m_reverse_field_name()).column)
        sql = (
            f"SELECT t.{owner}, r.{quote('name')} FROM {quote(through.db_table)} t "
            f"JOIN {quote(target.db_table)} r ON r.{quote(target.pk.column)} = t.{linked} "
            f"WHERE t.{owner} IN ({', '.join(['%s'] * len(ids))}) ORDER BY r.{quote('name')}"
        )
        names: dict[int, list[str]] = {}
        with connection.cursor() as cursor:
            cursor.execute(sql, ids)
            for owner_id, name in cursor.fetchall():
                names.setdefault(owner_id, []).append(name)
        return {owner_id: neutralise("; ".join(values)) for owner_id, values in names.items()}
