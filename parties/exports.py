"""Spreadsheet writers shared by every export: columns declared once, CSV and XLSX.

An export is a list of `Column`s and an iterable of rows (tuples in column
order). CSV is streamed as it is produced; XLSX is written by openpyxl in
write-only mode to a temporary file, so memory stays flat at any size.
"""

import codecs
import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import CharField, ExpressionWrapper, F
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


@dataclass(frozen=True)
class Column:
    """One export column: its header (the form's label) and a width for XLSX."""

    header: str
    width: int = 16


def neutralise(value):
    """Return a text value that cannot run as a formula; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
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


class _Echo:
    def write(self, value):
        return value


def _csv_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
            if timezone.is_aware(value)
            else value.isoformat(" ")
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(value)


def csv_lines(columns: list[Column], rows: Iterable[tuple]) -> Iterator[str]:
    """Yield the CSV file line by line: a UTF-8 BOM, the header, then each row."""
    writer = csv.writer(_Echo())
    yield codecs.BOM_UTF8.decode("utf-8") + writer.writerow([column.header for column in columns])
    for row in rows:
        yield writer.writerow([_csv_text(value) for value in row])


def csv_response(columns: list[Column], rows: Iterable[tuple], stem: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(stem, "csv")}"'
    return response


def _xlsx_value(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        # Excel has no timezones: write the store's local wall-clock time.
        return timezone.make_naive(value)
    return neutralise(value)


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
    count = 0
    for row in rows:
        sheet.append([_date_cell(sheet, _xlsx_value(value)) for value in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    workbook.save(target)


def _date_cell(sheet, value):
    """Give dates a readable number format; everything else is written as it is."""
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


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
        return [Column(field_label(self.model, name), width) for name, width, _source in self.fields]

    @property
    def headers(self) -> dict[str, str]:
        return {name: column.header for (name, _w, _s), column in zip(self.fields, self.columns, strict=True)}

    def rows(self, queryset) -> Iterator[tuple]:
        """Yield one tuple per row of the queryset, in its order and in column order."""
        reads, annotations = [], {}
        for name, _width, source in self.fields:
            if isinstance(source, str):
                reads.append(source)
            elif source is not None:
                annotations[f"export_{name}"] = source
                reads.append(f"export_{name}")
        values = queryset.annotate(**annotations).values_list("pk", *reads)
        chunk: list[tuple] = []
        for row in values.iterator(chunk_size=CHUNK_SIZE):
            chunk.append(row)
            if len(chunk) >= CHUNK_SIZE:
                yield from self._finish(chunk)
                chunk = []
        yield from self._finish(chunk)

    def _finish(self, chunk: list[tuple]) -> Iterator[tuple]:
        if not chunk:
            return
        ids = [row[0] for row in chunk]
        many = {name: self._many_names(name, ids) for name, _w, source in self.fields if source is None}
        names = [name for name, _w, source in self.fields if source is not None]
        country_at, state_at, active_at = (names.index(n) for n in ("country", "state_or_province", "is_active"))
        country_names = _country_names()
        for row in chunk:
            pk, read = row[0], list(row[1:])
            country = read[country_at]
            read[state_at] = geo.state_name(country, read[state_at])
            read[country_at] = country_names.get(country, country)
            read[active_at] = YES if read[active_at] else NO
            values = iter(read)
            yield tuple(many[name].get(pk, "") if name in many else next(values) for name, _w, _s in self.fields)

    def _many_names(self, field_name: str, ids: list[int]) -> dict[int, str]:
        """Return "; "-joined names of a many-to-many field for these ids."""
        field = self.model._meta.get_field(field_name)
        through = field.remote_field.through
        source = field.m2m_field_name()
        target = field.m2m_reverse_field_name()
        names: dict[int, list[str]] = {}
        rows = through.objects.filter(**{f"{source}_id__in": ids}).values_list(f"{source}_id", f"{target}__name")
        for owner_id, name in rows.order_by(f"{target}__name"):
            names.setdefault(owner_id, []).append(name)
        return {owner_id: "; ".join(values) for owner_id, values in names.items()}


def _country_names() -> dict[str, str]:
    return dict(countries)
