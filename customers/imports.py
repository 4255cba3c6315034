"""Reading a customer spreadsheet and planning its import, row by row.

The file's columns are the export's headers. Every row is checked with the
customer's own rules (Customer.clean_fields and clean_values); uniqueness is
checked in memory against the database and the rest of the file, so a dry
run of a hundred thousand rows takes seconds. Nothing here writes: the plan
is applied by services.customer_import_apply.
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from django.core.exceptions import ValidationError
from django.db.models import CharField, Count, ExpressionWrapper, F, Max
from django.utils.translation import gettext as _
from django_countries import countries

from customers.exports import HEADERS
from customers.extensions import import_extras
from customers.models import Customer
from parties.exports import YES, unneutralise
from parties.text import next_free, username_base

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
EXTENSIONS = (".csv", ".xlsx")
ERRORS_KEPT = 1000

# What a column holds; each kind has one function below that turns a cell into a value.
TEXT, PHONE, CODE, DATE, COUNTRY, YES_NO = "text", "phone", "code", "date", "country", "yes/no"
MASTER, MANY, READ_ONLY = "master", "many-to-many", "read-only"


@dataclass(frozen=True)
class ImportColumn:
    """One column of the file (an export column, by its header): the customer field and what it holds.

    `blank` is the value of an empty cell (None for text: the model's default); a master is
    looked up by name, a many-to-many column holds names joined by ";", and a read-only
    column is accepted in the file and ignored.
    """

    field: str
    kind: str = TEXT
    blank: str | None = ""
    required: bool = False


COLUMNS = (
    ImportColumn("full_name", required=True),
    ImportColumn("alias_name"),
    ImportColumn("username"),
    ImportColumn("email"),
    ImportColumn("birthday", DATE),
    ImportColumn("spouse_birthday", DATE),
    ImportColumn("anniversary", DATE),
    ImportColumn("phone_number", PHONE),
    ImportColumn("membership_number"),
    ImportColumn("tax_number"),
    ImportColumn("supply_type", CODE, blank="B2C"),
    ImportColumn("customer_group", MASTER),
    ImportColumn("agent", MASTER),
    ImportColumn("timezone", blank=None),
    ImportColumn("affiliate", MASTER),
    ImportColumn("credit_rule", MASTER),
    ImportColumn("coupons", MANY),
    ImportColumn("offers", MANY),
    ImportColumn("country", COUNTRY, blank="IN"),
    ImportColumn("state_or_province"),
    ImportColumn("postal_code"),
    ImportColumn("city"),
    ImportColumn("address_line1"),
    ImportColumn("address_line2"),
    ImportColumn("contact_name"),
    ImportColumn("contact_phone", PHONE),
    ImportColumn("is_active", YES_NO),
    ImportColumn("points_balance", READ_ONLY),
    ImportColumn("created_on", READ_ONLY),
)
BY_FIELD = {column.field: column for column in COLUMNS}
# The models that master and many-to-many columns name.
LINKED = {
    column.field: Customer._meta.get_field(column.field).related_model
    for column in COLUMNS
    if column.kind in (MASTER, MANY)
}
EDITABLE = [column.field for column in COLUMNS if column.kind != READ_ONLY]
UPDATABLE = [name for name in EDITABLE if BY_FIELD[name].kind != MANY]
MASTERS = [column.field for column in COLUMNS if column.kind == MASTER]


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why."""


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportPlan:
    """What an import would do: customers to create and update, and every row error."""

    new: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # What the columns of apps above customers ask per valid row: (extension index, customer, value).
    extras: list[tuple[int, Customer, object]] = field(default_factory=list)
    error_rows: int = 0
    rows: int = 0
    fingerprint: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def report(self) -> dict:
        """Return the counts and the first errors, as the page and the command show them."""
        return {
            "rows": self.rows,
            "new": len(self.new),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "errors": self.error_rows,
            "error_list": [error.__dict__ for error in self.errors[:ERRORS_KEPT]],
            "more_errors": max(0, len(self.errors) - ERRORS_KEPT),
        }


def customers_fingerprint() -> str:
    """Return a value that changes whenever any customer is created, changed or deleted."""
    state = Customer.objects.aggregate(count=Count("pk"), last_pk=Max("pk"), last_change=Max("updated_on"))
    return f"{state['count']}:{state['last_pk']}:{state['last_change'].isoformat() if state['last_change'] else ''}"


# Reading files


def check_upload(name: str, size: int, *, limit_size: bool = True) -> None:
    """Refuse a file by its name and (unless `limit_size` is off) its size before reading it."""
    if not name.lower().endswith(EXTENSIONS):
        raise ImportFileError(_("Upload a .csv or .xlsx file; “%(name)s” is neither.") % {"name": name})
    if limit_size and size > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 20 MB; split it into smaller files."))
    if size == 0:
        raise ImportFileError(_("The file is empty."))


def read_table(path: Path, name: str, *, limit_size: bool = True) -> tuple[list[str], Iterator[list]]:
    """Return the header row and an iterator over the data rows of a CSV or XLSX file."""
    check_upload(name, path.stat().st_size, limit_size=limit_size)
    rows = _xlsx_rows(path) if name.lower().endswith(".xlsx") else _csv_rows(path)
    try:
        header = next(rows)
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    header = ["" if cell is None else str(cell) for cell in header]
    while header and not header[-1].strip():
        header.pop()
    if not header:
        raise ImportFileError(_("The file is empty."))
    return header, rows


def _csv_rows(path: Path) -> Iterator[list]:
    try:
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by the generator
        handle.read(4096)
        handle.seek(0)
    except UnicodeDecodeError:
        raise ImportFileError(_("This CSV is not UTF-8 text; save it as “CSV UTF-8” and try again.")) from None
    return _csv_generator(handle)


def _csv_generator(handle) -> Iterator[list]:
    with handle:
        try:
            yield from csv.reader(handle)
        except (UnicodeDecodeError, csv.Error) as error:
            raise ImportFileError(_("This CSV cannot be read: %(error)s") % {"error": error}) from None


def _xlsx_rows(path: Path) -> Iterator[list]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        message = _("This is not a real Excel .xlsx file; open it in Excel and save it as .xlsx.")
        raise ImportFileError(message) from None
    return _xlsx_generator(workbook)


def _xlsx_generator(workbook) -> Iterator[list]:
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def extra_headers() -> dict[str, str]:
    """Return the headers the apps above customers add (see customers.extensions.ImportExtra), by key."""
    return {key: label for extra in import_extras() for key, label in extra.headers.items()}


def map_columns(header: list[str]) -> list[str | None]:
    """Return the customer field (or extension key) each column holds (None for read-only ones)."""
    by_label = {label.strip().casefold(): name for name, label in HEADERS.items()}
    extras = {label.strip().casefold(): key for key, label in extra_headers().items()}
    fields, unknown = [], []
    for label in header:
        name = by_label.get(label.strip().casefold())
        if name is None and label.strip().casefold() in extras:
            fields.append(extras[label.strip().casefold()])
            continue
        if name is None:
            unknown.append(label)
        fields.append(None if name is None or BY_FIELD[name].kind == READ_ONLY else name)
    if unknown:
        known = [*HEADERS.values(), *extra_headers().values()]
        raise ImportFileError(
            _("Unknown column(s): %(unknown)s. Use the headers of the template: %(known)s.")
            % {"unknown": ", ".join(f"“{u}”" for u in unknown), "known": ", ".join(known)}
        )
    missing = [HEADERS[column.field] for column in COLUMNS if column.required and column.field not in fields]
    if missing:
        raise ImportFileError(_("Missing required column(s): %(missing)s.") % {"missing": ", ".join(missing)})
    return fields


# Checking rows


class _Lookups:
    """What every row is checked against, loaded once per import, and what the rows before it used."""

    def __init__(self, *, absent: list[str]):
        self.masters = {name: {m.name.casefold(): m for m in model.objects.all()} for name, model in LINKED.items()}
        self.countries = {code.casefold(): code for code, _name in countries}
        self.countries.update({str(name).casefold(): code for code, name in countries})
        self.by_membership, self.by_username, self.by_phone, self.username_of = {}, {}, {}, {}
        # The stored E.164 text, not parsed into a phone number object for every customer.
        rows = Customer.objects.annotate(phone=ExpressionWrapper(F("phone_number"), output_field=CharField()))
        rows = rows.values_list("pk", "membership_number", "username", "phone")
        for pk, membership, username, phone in rows.iterator(chunk_size=5000):
            if membership:
                self.by_membership[membership.casefold()] = pk
            self.by_username[username.casefold()] = pk
            self.username_of[pk] = username
            if phone:
                self.by_phone.setdefault(phone, pk)
        self.usernames = set(self.by_username)
        self.absent = absent  # the updatable fields the file leaves out
        # The rows seen so far: customer pk and unique values -> the row number that had them.
        self.row_of_pk: dict[int, int] = {}
        self.row_of_value: dict[str, dict[str, int]] = {"username": {}, "membership_number": {}}
        self.extra_memo: dict = {}  # kept for the extensions' read() over the whole import


# One function per kind of column: a cell (text, number, date or None) to the field's value.
# Each raises ValidationError with a message that says what to write instead.


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unneutralise(str(value)).strip()


def read_text(cell, *, column: ImportColumn, lookups: _Lookups):
    return _text(cell) or column.blank


def read_code(cell, *, column: ImportColumn, lookups: _Lookups):
    return _text(cell).upper() or column.blank


def read_date(cell, *, column: ImportColumn, lookups: _Lookups):
    if cell in (None, ""):
        return None
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    text = _text(cell)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError(_("Write dates as YYYY-MM-DD, e.g. 1990-05-17."))


def read_country(cell, *, column: ImportColumn, lookups: _Lookups):
    text = _text(cell) or column.blank
    code = lookups.countries.get(text.casefold())
    if code is None:
        raise ValidationError(_("“%(value)s” is not a country.") % {"value": text})
    return code


def read_yes_no(cell, *, column: ImportColumn, lookups: _Lookups):
    text = _text(cell).casefold()
    if text not in ("", "yes", "no", "true", "false", "1", "0"):
        raise ValidationError(_("Write Yes or No."))
    return text in ("", YES.casefold(), "true", "1")


def read_master(cell, *, column: ImportColumn, lookups: _Lookups):
    text = _text(cell)
    return _named(lookups=lookups, field=column.field, name=text) if text else None


def read_many(cell, *, column: ImportColumn, lookups: _Lookups):
    names = [part.strip() for part in _text(cell).split(";") if part.strip()]
    return [_named(lookups=lookups, field=column.field, name=name) for name in names]


def _named(*, lookups: _Lookups, field: str, name: str):
    """Return the master (or many-to-many target) of this field with this name, in any case."""
    found = lookups.masters[field].get(name.casefold())
    if found is None:
        label = HEADERS[field].lower()
        raise ValidationError(_("There is no %(what)s named “%(value)s”.") % {"what": label, "value": name})
    return found


READERS = {
    TEXT: read_text,
    PHONE: read_text,
    CODE: read_code,
    DATE: read_date,
    COUNTRY: read_country,
    YES_NO: read_yes_no,
    MASTER: read_master,
    MANY: read_many,
}


def _row_values(*, cells: dict, lookups: _Lookups) -> tuple[dict, dict, dict[str, str]]:
    """Turn one row's cells (by field) into model values, many-to-many lists and per-field errors."""
    values, many, errors = {}, {}, {}
    for name, cell in cells.items():
        column = BY_FIELD[name]
        try:
            value = READERS[column.kind](cell, column=column, lookups=lookups)
        except ValidationError as error:
            errors[name] = " ".join(error.messages)
            continue
        if column.kind == MANY:
            many[name] = value
        elif value is not None or column.blank is not None:
            values[name] = value  # an empty cell whose blank is None leaves the model's default
    return values, many, errors


def plan_import(
    path: Path, name: str, *, progress: Callable[[int], None] | None = None, limit_size: bool = True
) -> ImportPlan:
    """Check every row of the file and return what importing it would do.

    Uploads are limited to 20 MB; the shell command passes `limit_size=False`, since an
    export of a hundred thousand customers is already larger than that.
    """
    header, rows = read_table(path, name, limit_size=limit_size)
    fields = map_columns(header)
    plan = ImportPlan(fingerprint=customers_fingerprint())
    lookups = _Lookups(absent=[name for name in UPDATABLE if name not in fields])
    candidates: list[tuple] = []  # (row number, customer, many, matched pk)
    for number, row in enumerate(rows, start=2):
        if not any(cell not in (None, "") for cell in row):
            continue
        plan.rows += 1
        if plan.rows > MAX_ROWS:
            raise ImportFileError(_("The file has more than 200,000 rows; split it into smaller files."))
        cells = {field_name: (row[i] if i < len(row) else None) for i, field_name in enumerate(fields) if field_name}
        extra_cells = {key: cells.pop(key) for key in list(cells) if key not in BY_FIELD}
        row_errors = _check_row(cells=cells, number=number, lookups=lookups, candidates=candidates)
        if extra_cells:
            customer = candidates[-1][1] if not row_errors and candidates and candidates[-1][0] == number else None
            row_errors.update(_check_extras(cells=extra_cells, customer=customer, lookups=lookups, plan=plan))
        if row_errors:
            plan.error_rows += 1
            labels = {**HEADERS, **extra_headers()}
            plan.errors.extend(RowError(number, labels.get(f, f), message) for f, message in row_errors.items())
        if progress and plan.rows % 1000 == 0:
            progress(plan.rows)
    if progress:
        progress(plan.rows)
    _sort_changes(plan=plan, candidates=candidates)
    return plan


def _check_extras(*, cells: dict, customer: Customer | None, lookups: _Lookups, plan: ImportPlan) -> dict[str, str]:
    """Read the extensions' cells of one row; keep what a valid row asks in `plan.extras`. Return errors by key."""
    errors: dict[str, str] = {}
    for index, extra in enumerate(import_extras()):
        mine = {key: None if _text(cells.get(key)) == "" else cells.get(key) for key in extra.headers if key in cells}
        if not any(value is not None for value in mine.values()):
            continue
        value, extra_errors = extra.read(mine, customer.pk if customer else None, lookups.extra_memo)
        errors.update(extra_errors)
        if customer is not None and not extra_errors and value is not None:
            plan.extras.append((index, customer, value))
    return errors


# Checked by the readers already: re-checking them in clean_fields would walk every country's
# choice and query each master again, row after row. The rest are not in the file.
_CHECKED_OR_ABSENT = {"country", *MASTERS, "points_balance", "created_on", "updated_on", "created_by"}


def _check_row(*, cells: dict, number: int, lookups: _Lookups, candidates: list) -> dict[str, str]:
    """Check one row; a valid one is added to `candidates`. Return its errors by field."""
    values, many, errors = _row_values(cells=cells, lookups=lookups)
    customer = Customer(**{k: v for k, v in values.items() if k not in errors})
    matched = _match(customer=customer, lookups=lookups)
    customer.pk = matched
    if matched is not None and lookups.absent:
        # Columns the file leaves out keep the customer's stored values.
        stored = Customer.objects.get(pk=matched)
        for name in lookups.absent:
            attname = Customer._meta.get_field(name).attname
            setattr(customer, attname, getattr(stored, attname))
    if not customer.username and "username" not in errors:
        if matched is not None:
            customer.username = lookups.username_of[matched]
        else:
            customer.username = next_free(username_base(customer.full_name) or "customer", lookups.usernames)
    try:
        customer.clean_fields(exclude=set(errors) | _CHECKED_OR_ABSENT)
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            errors.setdefault(field_name, " ".join(messages))
    for field_name, message in customer.clean_values().items():
        errors.setdefault(field_name, message)
    if errors:
        return errors
    errors = _unique_errors(customer=customer, matched=matched, number=number, lookups=lookups)
    if errors:
        return errors
    lookups.usernames.add(customer.username.casefold())
    candidates.append((number, customer, many, matched))
    return {}


def _unique_errors(*, customer: Customer, matched: int | None, number: int, lookups: _Lookups) -> dict[str, str]:
    """Check unique values against the database (other customers) and the rows before this one."""
    errors = {}
    for field_name, table in (("username", lookups.by_username), ("membership_number", lookups.by_membership)):
        value = getattr(customer, field_name)
        if not value:
            continue
        key = value.casefold()
        owner = table.get(key)
        seen = lookups.row_of_value[field_name]
        if owner is not None and owner != matched:
            errors[field_name] = _("“%(value)s” is already used by another customer.") % {"value": value}
        elif key in seen:
            errors[field_name] = _("“%(value)s” is also in row %(row)d.") % {"value": value, "row": seen[key]}
        else:
            seen[key] = number
    if matched is not None:
        if matched in lookups.row_of_pk:
            errors["full_name"] = _("Matches the same customer as row %(row)d.") % {"row": lookups.row_of_pk[matched]}
        lookups.row_of_pk[matched] = number
    return errors


def _match(*, customer: Customer, lookups: _Lookups) -> int | None:
    """Return the id of the customer this row is: by membership number, else user name, else phone."""
    if customer.membership_number:
        found = lookups.by_membership.get(customer.membership_number.strip().casefold())
        if found is not None:
            return found
    if customer.username:
        found = lookups.by_username.get(customer.username.strip().casefold())
        if found is not None:
            return found
    if customer.phone_number:
        phone = Customer._meta.get_field("phone_number").to_python(customer.phone_number)
        if phone and phone.is_valid():
            return lookups.by_phone.get(phone.as_e164)
    return None


def _sort_changes(*, plan: ImportPlan, candidates: list) -> None:
    """Split the valid rows into new, updated and unchanged customers."""
    matched_ids = [pk for _n, _c, _m, pk in candidates if pk is not None]
    many_fields = [column.field for column in COLUMNS if column.kind == MANY]
    existing = {}
    linked: dict[str, dict[int, set]] = {name: {} for name in many_fields}
    for start in range(0, len(matched_ids), 2000):
        chunk = matched_ids[start : start + 2000]
        existing.update(Customer.objects.in_bulk(chunk))
        for name in many_fields:
            through = getattr(Customer, name).through
            target = f"{LINKED[name]._meta.model_name}_id"
            links = through.objects.filter(customer_id__in=chunk).values_list("customer_id", target)
            for customer_id, target_id in links:
                linked[name].setdefault(customer_id, set()).add(target_id)
    for _number, customer, many, pk in candidates:
        if pk is None:
            plan.new.append((customer, many))
            continue
        before = existing[pk]
        changed = [name for name in UPDATABLE if _differs(before=before, after=customer, field=name)]
        changed_many = [n for n in many if {o.pk for o in many[n]} != linked[n].get(pk, set())]
        if changed or changed_many:
            for name in UPDATABLE:
                if name not in changed:
                    setattr(customer, name, getattr(before, name))
            customer.created_on, customer.created_by_id = before.created_on, before.created_by_id
            customer.points_balance = before.points_balance
            plan.updated.append((customer, {n: many[n] for n in changed_many}, changed))
        else:
            plan.unchanged += 1


def _differs(*, before: Customer, after: Customer, field: str) -> bool:
    kind = BY_FIELD[field].kind
    if kind == MASTER:
        return getattr(before, f"{field}_id") != getattr(after, f"{field}_id")
    old, new = getattr(before, field), getattr(after, field)
    if kind in (PHONE, COUNTRY):
        return _stored(old) != _stored(new)
    return (old or None) != (new or None) if not isinstance(old, bool) else old != new


def _stored(value) -> str:
    """Return a phone number or country as stored (E.164, ISO code): cheaper than formatting it for people."""
    if value is None or value == "":
        return ""
    return getattr(value, "as_e164", None) or str(getattr(value, "code", value))


def template_csv() -> str:
    """Return an empty CSV with the import's headers (UTF-8 with BOM)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([HEADERS[name] for name in EDITABLE])
    return "\ufeff" + buffer.getvalue()
