"""Spreadsheet writers shared by every export: columns declared once, CSV and XLSX.

An export is a list of `Column`s and an iterable of rows (tuples in column
order). CSV is streamed as it is produced; XLSX is written by openpyxl in
write-only mode to a temporary file, so memory stays flat at any size.
"""

import codecs
import csv
import datetime
import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import CharField, ExpressionWrapper, F, Func
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


TEXT, NUMBER, DATE, DATETIME = "text", "number", "date", "datetime"
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
    if value.__class__ is str and value.startswith(FORMULA_PREFIXES):
        return ESCAPE + value
    return value


def unneutralise(value: str) -> str:
    """Undo `neutralise` on a value read back from an export."""
    if value.startswith(ESCAPE) and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def export_filename(stem: str, extension: str) -> str:
    """Return e.g. customers-20261129-1405.csv, in the store's local time."""
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def as_datetime(value) -> datetime.datetime:
    """Return a stored moment as an aware datetime (SQLite hands back its UTC text, PostgreSQL a datetime)."""
    if value.__class__ is str:
        return datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC)
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def _csv_converters(columns: list[Column]) -> list:
    """Return, per column, the function that turns a value into its CSV text (chosen once, not per cell)."""
    zone = timezone.get_current_timezone()

    def date(value):
        return "" if value is None else value if value.__class__ is str else value.isoformat()

    def moment(value):
        if value is None:
            return ""
        return as_datetime(value).astimezone(zone).isoformat(" ", "seconds")[:19]

    return [_converter(column, {DATE: date, DATETIME: moment}, neutralise) for column in columns]


def _converter(column: Column, dated: dict, text):
    """Return the conversion a column needs, or None when its values can be written as they are."""
    if column.kind in dated:
        return dated[column.kind]
    return None if column.neutralised or column.kind == NUMBER else text


def csv_lines(columns: list[Column], rows: Iterable[list]) -> Iterator[str]:
    """Yield the CSV file in pieces of about a thousand rows: a UTF-8 BOM, the header, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(codecs.BOM_UTF8.decode("utf-8"))
    writer.writerow([column.header for column in columns])
    # Only dates need converting and only text not yet neutralised needs checking; csv writes None as "".
    convert = [(index, to_text) for index, to_text in enumerate(_csv_converters(columns)) if to_text]
    pending = 0
    for row in rows:
        for index, to_text in convert:
            row[index] = to_text(row[index])
        writer.writerow(row)
        pending += 1
        if pending >= CSV_BATCH_ROWS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def csv_response(columns: list[Column], rows: Iterable[tuple], stem: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(stem, "csv")}"'
    return response


def _xlsx_converters(sheet, columns: list[Column]) -> list:
    """Return, per column, the function that turns a value into what openpyxl writes."""
    zone = timezone.get_current_timezone()

    def dated(number_format: str, local: bool):
        def convert(value):
            if value is None:
                return None
            if local:
                # Excel has no timezones: write the store's local wall-clock time.
                value = as_datetime(value).astimezone(zone).replace(tzinfo=None)
            elif value.__class__ is str:
                value = datetime.date.fromisoformat(value)
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = number_format
            return cell

        return convert

    chosen = {DATE: dated("yyyy-mm-dd", False), DATETIME: dated("yyyy-mm-dd hh:mm", True)}
    return [_converter(column, chosen, neutralise) for column in columns]


def write_xlsx(columns: list[Column], rows: Iterable[tuple], target) -> None:
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
    convert = [(index, to_cell) for index, to_cell in enumerate(_xlsx_converters(sheet, columns)) if to_cell]
    count = 0
    for row in rows:
        for index, to_cell in convert:
            row[index] = to_cell(row[index])
        sheet.append(row)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    workbook.save(target)


def xlsx_response(columns: list[Column], rows: Iterable[tuple], stem: str) -> FileResponse:
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

# Read as codes and replaced by names (or Yes/No) in Python; a code never looks like a formula.
REPLACED = ("country", "state_or_province", "is_active")


class Neutralised(Func):
    """SQL that puts the escape apostrophe before text starting like a formula (see `neutralise`)."""

    template = (
        "CASE WHEN SUBSTR(%(expressions)s, 1, 1) IN ("
        + ", ".join(f"'{prefix}'" for prefix in FORMULA_PREFIXES)
        + ") THEN '"
        + ESCAPE * 2
        + "' || %(expressions)s ELSE %(expressions)s END"
    )
    output_field = CharField()


CHUNK_SIZE = 2000
YES, NO = "Yes", "No"


def stored_text(field_name: str):
    """Read a stored column as plain text (skips parsing every phone number into an object)."""
    return ExpressionWrapper(F(field_name), output_field=CharField())


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
    ("contact_phone", 16, stored_text("contact_phone")),
)
PHONE_FIELD = ("phone_number", 16, stored_text("phone_number"))


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
        return [
            Column(field_label(self.model, name), width, self._kind(name), neutralised=source is not None)
            for name, width, source in self.fields
        ]

    def _kind(self, name: str) -> str:
        kind = self.model._meta.get_field(name).get_internal_type()
        if kind == "DateTimeField":
            return DATETIME
        if kind == "DateField":
            return DATE
        if kind in ("IntegerField", "PositiveIntegerField", "DecimalField", "BigIntegerField"):
            return NUMBER
        return TEXT

    @property
    def headers(self) -> dict[str, str]:
        return {name: column.header for (name, _w, _s), column in zip(self.fields, self.columns, strict=True)}

    def rows(self, queryset) -> Iterator[tuple]:
        """Yield one tuple per row of the queryset, in its order and in column order."""
        reads, annotations = [], {}
        for name, _width, source in self.fields:
            if source is None:
                continue
            if self._kind(name) == TEXT and name not in REPLACED:
                # Neutralised by the database: one CASE per column, not a Python check per cell.
                source = Neutralised(F(source) if isinstance(source, str) else source)
            if isinstance(source, str):
                reads.append(source)
            else:
                annotations[f"export_{name}"] = source
                reads.append(f"export_{name}")
        values = queryset.annotate(**annotations).values_list("pk", *reads)
        # The queryset's own SQL, read through the chunked (server-side on PostgreSQL) cursor that
        # iterator() uses, but without converting every value into a Python object first: the
        # writers need text, and dates and times come back as the database stores them.
        sql, params = values.query.sql_with_params()
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(CHUNK_SIZE):
                yield from self._finish(chunk)

    def _finish(self, chunk: list[tuple]) -> Iterator[list]:
        if not chunk:
            return
        ids = [row[0] for row in chunk]
        # Many-to-many names go in at their column positions, which come after all the read values before them.
        many = [
            (position, self._many_names(name, ids))
            for position, (name, _w, source) in enumerate(self.fields)
            if source is None
        ]
        names = [name for name, _w, source in self.fields if source is not None]
        country_at, state_at, active_at = (names.index(n) + 1 for n in ("country", "state_or_province", "is_active"))
        country_names = _country_names()
        state_name = geo.state_name
        for row in chunk:
            values = list(row)
            pk, country = values[0], values[country_at]
            values[state_at] = state_name(country, values[state_at])
            values[country_at] = country_names.get(country, country)
            values[active_at] = YES if values[active_at] else NO
            del values[0]
            for position, names_by_owner in many:
                values.insert(position, names_by_owner.get(pk, ""))
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
        return {owner_id: "; ".join(values) for owner_id, values in names.items()}


def _country_names() -> dict[str, str]:
    return dict(countries)
