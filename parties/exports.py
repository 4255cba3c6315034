"""Spreadsheet exports: a table of columns declared once, written as CSV or XLSX.

A party export is a tuple of `Column`s (which model field, how wide, what kind of value)
and `PartyExport.rows()` reads a queryset into lists in column order, every value as the
file shows it: text made safe from spreadsheet formulas, dates as ISO text, moments as the
store's local time, booleans as Yes/No, countries and states by name, many-to-many names
joined by "; ". CSV is streamed as it is produced; XLSX is written by openpyxl in
write-only mode to a temporary file, so memory stays flat at any size.
"""

import codecs
import csv
import datetime
import functools
import io
import itertools
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from django.db import connections
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
_ESCAPED_FIRST = frozenset(ESCAPED)

# What a column holds. The writers only tell dates and moments apart (XLSX writes them as
# date cells); the other kinds say how PartyExport.rows() reads the value.
TEXT, NUMBER, DATE, DATETIME, YES_NO = "text", "number", "date", "datetime", "yes/no"
COUNTRY, STATE, MANY = "country", "state", "many-to-many"
YES, NO = "Yes", "No"

CSV_BATCH_ROWS = 1000
CHUNK_SIZE = 2000


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


# Writers: rows arrive as the file shows them (see PartyExport.rows).


def csv_lines(columns: list[Column], rows: Iterable[list]) -> Iterator[str]:
    """Yield the CSV file in pieces of about a thousand rows: a UTF-8 BOM, the header, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(codecs.BOM_UTF8.decode("utf-8"))
    writer.writerow([column.header for column in columns])
    for batch in _batches(rows, CSV_BATCH_ROWS):
        writer.writerows(batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def csv_response(columns: list[Column], rows: Iterable[list], stem: str) -> StreamingHttpResponse:
    lines = csv_lines(columns, rows)
    # The first piece (up to a thousand rows) is made before answering: an export that cannot
    # start, because its query fails, is an error page rather than a 200 and a cut-off file.
    first = next(lines)
    response = StreamingHttpResponse(itertools.chain([first], lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(stem, "csv")}"'
    return response


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
    for row in rows:
        for index, parse, number_format in dated_at:
            row[index] = date_cell(row[index], parse, number_format)
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


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


# Reading values: one function per kind, from the value the database gives.


def iso_date(value) -> str | None:
    """Return a date as ISO text: "2026-11-29"."""
    return None if value is None else value.isoformat()


def yes_no(value) -> str:
    return YES if value else NO


def local_time(value: datetime.datetime | None, zone) -> str | None:
    """Return a stored moment as the zone's wall-clock time, cut to the second: "2026-11-29 14:05:09".

    SQLite gives naive moments in UTC, PostgreSQL aware ones. The zone's offset is looked
    up once per UTC hour (see utc_offset), which is cheaper than astimezone() per moment.
    """
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    offset = utc_offset(zone, value.replace(minute=0, second=0, microsecond=0))
    if offset is None:
        return f"{value.replace(tzinfo=datetime.UTC).astimezone(zone):%Y-%m-%d %H:%M:%S}"
    return (value + offset).isoformat(" ", "seconds")


@functools.lru_cache(maxsize=4096)
def utc_offset(zone, utc_hour: datetime.datetime) -> datetime.timedelta | None:
    """Return the zone's UTC offset throughout a (naive) UTC hour, or None when it changes within the hour."""
    start = utc_hour.replace(tzinfo=datetime.UTC)
    offset = start.astimezone(zone).utcoffset()
    last_second = start + datetime.timedelta(minutes=59, seconds=59)
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

    def rows(self, queryset) -> Iterator[list]:
        """Yield one list per row of the queryset (sliced or not), in its order and in column order."""
        kinds = [column.kind for column in self.fields]
        zone = timezone.get_current_timezone()
        readers = {
            DATE: iso_date,
            DATETIME: lambda value: local_time(value, zone),
            YES_NO: yes_no,
        }
        convert = [(index, readers[kind]) for index, kind in enumerate(kinds) if kind in readers]
        country_at = kinds.index(COUNTRY) if COUNTRY in kinds else None
        state_at = kinds.index(STATE) if STATE in kinds else None
        country_names = dict(countries)  # in the active language
        state_names: dict[tuple[str, str], str] = {}
        # A many-to-many column reads its row's pk; the names are then read for a whole chunk.
        many = [(index, column.field) for index, column in enumerate(self.fields) if column.kind == MANY]
        lookups = ["pk" if column.kind == MANY else column.lookup or column.field for column in self.fields]
        for chunk in _raw_chunks(queryset.values_list(*lookups)):
            names = [(index, self.many_names(field, pks={row[index] for row in chunk})) for index, field in many]
            for raw in chunk:
                row = list(raw)
                for index, reader in convert:
                    row[index] = reader(row[index])
                for index, names_by_pk in names:
                    row[index] = names_by_pk.get(row[index])
                if state_at is not None:
                    place = raw[country_at], raw[state_at]
                    if place not in state_names:
                        state_names[place] = geo.state_name(*place)  # as stored, when pycountry does not know it
                    row[state_at] = state_names[place]
                if country_at is not None:
                    row[country_at] = country_names.get(raw[country_at], raw[country_at])
                # Every text cell, whatever its kind, is made safe last; this inline check is
                # the same as neutralise() but saves a call per cell.
                yield [
                    ESCAPE + value if value.__class__ is str and value[:1] in _ESCAPED_FIRST else value for value in row
                ]

    def many_names(self, field_name: str, *, pks: Iterable[int]) -> dict[int, str]:
        """Return the "; "-joined names of a many-to-many field's targets (by name) for these rows' pks."""
        field = self.model._meta.get_field(field_name)
        owner, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        links = field.remote_field.through.objects.filter(**{f"{owner}_id__in": pks})
        names: dict[int, list[str]] = {}
        for pk, name in links.order_by(f"{target}__name").values_list(f"{owner}_id", f"{target}__name"):
            names.setdefault(pk, []).append(name)
        return {pk: "; ".join(values) for pk, values in names.items()}


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
