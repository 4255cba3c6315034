"""Spreadsheet exports: a table of columns declared once, written as CSV or XLSX.

A party export is a tuple of `Column`s (which model field, how wide, what kind of value)
and `PartyExport.rows()` reads a queryset into tuples in column order, every value as the
file shows it: text made safe from spreadsheet formulas, dates as ISO text, moments as the
store's local time, booleans as Yes/No, countries and states by name, many-to-many names
joined by "; ". SQL reads the columns; what it cannot make is finished in Python, a column
of a chunk at a time (see Cells). CSV is streamed as it is produced; XLSX is written by
openpyxl in write-only mode to a temporary file, so memory stays flat at any size.
"""

import codecs
import csv
import datetime
import functools
import io
import itertools
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from django.db import connections
from django.db.models import Case, CharField, F, Func, Q, Value, When
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
ESCAPED_FIRST = frozenset(ESCAPED)

# What a column holds. The writers only tell dates and moments apart (XLSX writes them as
# date cells); the other kinds say how the query reads the value (see read) and how Cells finishes it.
TEXT, NUMBER, DATE, DATETIME, YES_NO = "text", "number", "date", "datetime", "yes/no"
COUNTRY, STATE, MANY = "country", "state", "many-to-many"
YES, NO = "Yes", "No"

CSV_BATCH_ROWS = 1000
# Rows read and finished at a time. Small enough that a chunk's objects die young: with 2,000
# rows alive at once the garbage collector ran three times as often and took 15% of a CSV export.
CHUNK_SIZE = 500


@dataclass(frozen=True)
class Column:
    """One export column: the model field it shows, its XLSX width, its kind, and what the query reads.

    `lookup` is what values_list reads when it is not the field itself (a foreign key's
    "agent__name"); `header` is filled in from the field's form label by PartyExport.
    """

    field: str
    width: int = 16
    kind: str = TEXT
    lookup: str = ""
    header: str = ""


def neutralise(value):
    """Return a text value that cannot run as a formula; other values (numbers, dates) unchanged."""
    if value.__class__ is str and value[:1] in ESCAPED_FIRST:
        return ESCAPE + value
    return value


def neutralised(values: Iterable[str | None]) -> list[str | None]:
    """Return a column of text, each made safe as `neutralise` does (far cheaper than a call per value)."""
    return [ESCAPE + value if value and value[:1] in ESCAPED_FIRST else value for value in values]


def unneutralise(value: str) -> str:
    """Undo `neutralise` on a value read back from an export."""
    if value.startswith(ESCAPE) and value[1:].startswith(ESCAPED):
        return value[1:]
    return value


def export_filename(stem: str, extension: str) -> str:
    """Return e.g. customers-20261129-1405.csv, in the store's local time."""
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


# Writers: rows arrive as the file shows them (see PartyExport.rows).


def csv_lines(columns: list[Column], rows: Iterable[Sequence]) -> Iterator[str]:
    """Yield the CSV file in pieces of about a thousand rows: a UTF-8 BOM, the header, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(codecs.BOM_UTF8.decode("utf-8"))
    writer.writerow([column.header for column in columns])
    # Row by row, not a list of rows at a time: rows kept in a list outlive the garbage
    # collector's youngest generation, which then runs every few hundred rows.
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % CSV_BATCH_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(columns: list[Column], rows: Iterable[Sequence], stem: str) -> StreamingHttpResponse:
    lines = csv_lines(columns, rows)
    # The first piece (up to a thousand rows) is made before answering: an export that cannot
    # start, because its query fails, is an error page rather than a 200 and a cut-off file.
    first = next(lines)
    response = StreamingHttpResponse(itertools.chain([first], lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(stem, "csv")}"'
    return response


def write_xlsx(columns: list[Column], rows: Iterable[Sequence], target) -> None:
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

    # Dates and moments arrive as ISO text and are written as date cells. Excel has no time
    # zones: moments are written in the store's local wall-clock time, as they arrive.
    def date_cell(text, parse, number_format):
        if text is None:
            return None
        cell = WriteOnlyCell(sheet, value=parse(text))
        cell.number_format = number_format
        return cell

    dated = {
        DATE: (datetime.date.fromisoformat, "yyyy-mm-dd"),
        DATETIME: (datetime.datetime.fromisoformat, "yyyy-mm-dd hh:mm"),
    }
    dated_at = [(index, *dated[column.kind]) for index, column in enumerate(columns) if column.kind in dated]
    count = 0
    for row in map(list, rows):
        for index, parse, number_format in dated_at:
            row[index] = date_cell(row[index], parse, number_format)
        sheet.append(row)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    workbook.save(target)


def xlsx_response(columns: list[Column], rows: Iterable[Sequence], stem: str) -> FileResponse:
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


# Finishing values: whole columns at a time, from the values the database gives.


def local_times(values: Sequence[str | None], zone) -> list[str | None]:
    """Return moments read as UTC text (see IsoText) as the zone's wall-clock time, cut to the second.

    "2026-11-29 08:35:02.999999" in Asia/Kolkata is "2026-11-29 14:05:02". The zone's offset
    is looked up once per UTC day (see utc_offset), which is far cheaper than astimezone() per moment.
    """
    offsets = {day: utc_offset(zone, day) for day in {value[:10] for value in values if value is not None}}
    cells: list[str | None] = []
    for value in values:
        if value is None:
            cells.append(None)
            continue
        moment = datetime.datetime.fromisoformat(value[:19])
        offset = offsets[value[:10]]
        if offset is None:  # the offset changes on this day
            cells.append(f"{moment.replace(tzinfo=datetime.UTC).astimezone(zone):%Y-%m-%d %H:%M:%S}")
        else:
            cells.append((moment + offset).isoformat(" "))
    return cells


def local_time(value: str | None, zone) -> str | None:
    """Return one moment read as UTC text as the zone's wall-clock time (see local_times)."""
    return local_times([value], zone)[0]


@functools.lru_cache(maxsize=4096)
def utc_offset(zone, utc_day: str) -> datetime.timedelta | None:
    """Return the zone's UTC offset throughout a UTC day ("2026-11-29"), or None when it changes that day.

    The offsets of the day's first and last second are compared: no zone changes its offset
    twice within a day.
    """
    start = datetime.datetime.fromisoformat(utc_day).replace(tzinfo=datetime.UTC)
    offset = start.astimezone(zone).utcoffset()
    last_second = start + datetime.timedelta(hours=23, minutes=59, seconds=59)
    return offset if last_second.astimezone(zone).utcoffset() == offset else None


def field_label(model, field_name: str) -> str:
    """Return a field's form label: its verbose name with a capital first letter."""
    label = str(model._meta.get_field(field_name).verbose_name)
    return label[:1].upper() + label[1:]


# The columns every party export shares, in the order the forms show them.
NAME_FIELDS = (
    Column("full_name", 24),
    Column("alias_name", 14),
    Column("username", 20),
)
ADDRESS_FIELDS = (
    Column("country", 12, COUNTRY),
    Column("state_or_province", 16, STATE),
    Column("postal_code", 10),
    Column("city", 14),
    Column("address_line1", 24),
    Column("address_line2", 24),
    Column("contact_name", 20),
    Column("contact_phone", 16),
)
PHONE_FIELD = Column("phone_number", 16)


@dataclass(frozen=True)
class PartyExport:
    """The export of one kind of party: its model and its table of columns."""

    model: type
    fields: tuple[Column, ...]

    @property
    def columns(self) -> list[Column]:
        return [replace(column, header=field_label(self.model, column.field)) for column in self.fields]

    @property
    def headers(self) -> dict[str, str]:
        return {column.field: column.header for column in self.columns}

    def rows(self, queryset) -> Iterator[tuple]:
        """Yield one tuple per row of the queryset (sliced or not), in its order and in column order.

        The rows are read in chunks, and each chunk is finished a column at a time (see Cells):
        a list of values per column costs far less than a Python step per cell.
        """
        values = queryset.values_list(*(read(column) for column in self.fields))
        cells = Cells(self)
        for chunk in _raw_chunks(values):
            yield from zip(*cells.finish(list(zip(*chunk, strict=True))), strict=True)

    def links(self, field_name: str) -> bool:
        """Return whether any row has a target in this many-to-many field."""
        return self.model._meta.get_field(field_name).remote_field.through.objects.exists()

    def many_names(self, field_name: str, *, pks: Sequence[int]) -> dict[int, str]:
        """Return the "; "-joined names of a many-to-many field's targets, by name, for these pks' rows."""
        field = self.model._meta.get_field(field_name)
        sql = _names_sql(field.remote_field.through, field.m2m_field_name(), field.m2m_reverse_field_name(), len(pks))
        names: dict[int, list[str]] = {}
        with connections[self.model._default_manager.db].cursor() as cursor:
            cursor.execute(sql, pks)
            for pk, name in cursor.fetchall():
                names.setdefault(pk, []).append(name)
        return {pk: neutralise("; ".join(values)) for pk, values in names.items()}


class Cells:
    """Turns the columns of a chunk of rows, as the query read them, into the columns of cells the file shows.

    What SQL cannot make is finished here: moments to local time, country and state codes to
    their names, a row's pk to the names of its many-to-many targets. Names are looked up once
    per export and place.
    """

    def __init__(self, export: PartyExport):
        self.export = export
        self.zone = timezone.get_current_timezone()
        kinds = [column.kind for column in export.fields]
        self.country_at = kinds.index(COUNTRY) if COUNTRY in kinds else None
        self.country_names = dict(countries)  # in the active language
        self.countries: dict[str, str] = {}  # code -> cell
        self.states: dict[tuple[str, str], str] = {}  # (country code, state code) -> cell
        # A many-to-many field no row uses (a store that gives no offers) costs no query per chunk.
        self.unused = {
            column.field for column in export.fields if column.kind == MANY and not export.links(column.field)
        }

    def finish(self, read_columns: list[tuple]) -> list[Sequence]:
        """Return the cells of each column, from the values the query read for each."""
        columns = zip(self.export.fields, read_columns, strict=True)
        return [self.column(column, values, read_columns) for column, values in columns]

    def column(self, column: Column, values: tuple, read_columns: list[tuple]) -> Sequence:
        if column.kind == TEXT:
            return neutralised(values)
        if column.kind == DATETIME:
            return local_times(values, self.zone)
        if column.kind == MANY:
            names = {} if column.field in self.unused else self.export.many_names(column.field, pks=values)
            return [names.get(pk) for pk in values]
        if column.kind == COUNTRY:
            names = {code: self.country(code) for code in set(values)}
            return [names[code] for code in values]
        if column.kind == STATE:
            places = list(zip(read_columns[self.country_at], values, strict=True))
            names = {place: self.state(place) for place in set(places)}
            return [names[place] for place in places]
        return values  # read by SQL as the file shows it

    def country(self, code: str) -> str:
        if code not in self.countries:
            self.countries[code] = neutralise(self.country_names.get(code, code))
        return self.countries[code]

    def state(self, place: tuple[str, str]) -> str:
        if place not in self.states:
            # A state unknown to pycountry is shown as stored, which could be anything.
            self.states[place] = neutralise(geo.state_name(*place))
        return self.states[place]


def read(column: Column):
    """Return what the query reads for a column: the value as the file shows it, where SQL can make it.

    Dates and moments come as ISO text and booleans as Yes/No; the rest is finished in
    Python by Cells: text made formula-safe, moments to local time, countries, states and
    many-to-many names.
    """
    if column.kind == MANY:
        return F("pk")  # the row's pk, to find its names by
    value = F(column.lookup or column.field)
    if column.kind in (DATE, DATETIME):
        return IsoText(value)
    if column.kind == YES_NO:
        return Case(When(Q(**{column.field: True}), then=Value(YES)), default=Value(NO), output_field=CharField())
    return value


class IsoText(Func):
    """A date or a moment as the ISO text that SQLite stores: "2026-11-29", "2026-11-29 08:35:02.999999" (UTC).

    Text, rather than an object parsed for every row: dates are written as they come and
    moments only shifted to local time (see local_time).
    """

    output_field = CharField()
    template = "CAST(%(expressions)s AS TEXT)"

    def as_postgresql(self, compiler, connection, **extra_context):
        if self.source_expressions[0].output_field.get_internal_type() == "DateField":
            template = "TO_CHAR(%(expressions)s, 'YYYY-MM-DD')"
        else:
            template = "TO_CHAR(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
        return super().as_sql(compiler, connection, template=template)


@functools.lru_cache(maxsize=32)
def _names_sql(through, owner: str, target: str, count: int) -> str:
    """Return the ORM's SQL that reads (owner id, target name) by name for `count` owner ids.

    Made once per chunk size and run with each chunk's ids: preparing two thousand ids
    for an IN filter costs the ORM several times what the query itself does.
    """
    links = through.objects.filter(**{f"{owner}_id__in": range(count)}).order_by(f"{target}__name")
    sql, _ids = links.values_list(f"{owner}_id", f"{target}__name").query.sql_with_params()
    return sql


def _raw_chunks(values) -> Iterator[list[tuple]]:
    """Yield a values_list queryset's rows in chunks, as the database gives them.

    The queryset's own SQL through the chunked (server-side on PostgreSQL) cursor that
    iterator() uses, but without the model fields' conversions: the readers above need the
    stored text, and turning every phone number into an object would cost more than the
    rest of the export.
    """
    sql, params = values.query.sql_with_params()
    with connections[values.db].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK_SIZE):
            yield chunk
