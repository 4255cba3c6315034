"""The customer export: the list's rows, every editable field, as CSV or XLSX.

Apps above customers add columns through customers.extensions (add_customer_column); their
headers follow the fields'. COLUMNS and HEADERS are read when asked for, so they include them.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from customers.extensions import customer_columns
from customers.models import Customer
from parties.exports import (
    ADDRESS_FIELDS,
    DATE,
    DATETIME,
    MANY,
    NAME_FIELDS,
    NUMBER,
    PHONE_FIELD,
    TEXT,
    YES_NO,
    Column,
    PartyExport,
)

FIELDS = (
    *NAME_FIELDS,
    Column("email", 26),
    Column("birthday", 12, DATE),
    Column("spouse_birthday", 12, DATE),
    Column("anniversary", 12, DATE),
    PHONE_FIELD,
    Column("membership_number", 14),
    Column("tax_number", 18),
    Column("supply_type", 8),
    Column("customer_group", 16, lookup="customer_group__name"),
    Column("agent", 18, lookup="agent__name"),
    Column("timezone", 16),
    Column("affiliate", 16, lookup="affiliate__name"),
    Column("credit_rule", 14, lookup="credit_rule__name"),
    Column("coupons", 20, MANY),
    Column("offers", 20, MANY),
    *ADDRESS_FIELDS,
    Column("is_active", 8, YES_NO),
    Column("points_balance", 10, NUMBER),
    Column("created_on", 17, DATETIME),
)
# The field name of an extension's column: the prefix and its header.
EXTENSION = "extension:"
# The name the export's query reads an extension's column under: the prefix and its position.
EXTENSION_ANNOTATION = "extension_"


@dataclass(frozen=True)
class CustomerExport(PartyExport):
    @property
    def columns(self) -> list[Column]:
        extra = [Column(f"{EXTENSION}{column.header}", 16, header=column.header) for column in customer_columns()]
        return super().columns + extra

    @property
    def headers(self) -> dict[str, str]:
        """Return the customer fields' headers (the extensions' columns are not fields)."""
        return {column.field: column.header for column in super().columns}

    def rows(self, queryset) -> Iterator[tuple]:
        """The fields' cells, then the extensions' (read as annotations of the same query)."""
        extensions = {f"{EXTENSION_ANNOTATION}{index}": column for index, column in enumerate(customer_columns())}
        if not extensions:
            return super().rows(queryset)
        queryset = queryset.annotate(**{name: column.export() for name, column in extensions.items()})
        fields = (*self.fields, *(Column(name, 16, TEXT) for name in extensions))
        return PartyExport(model=self.model, fields=fields).rows(queryset)


CUSTOMER_EXPORT = CustomerExport(model=Customer, fields=FIELDS)
customer_rows = CUSTOMER_EXPORT.rows


def __getattr__(name: str):
    if name == "COLUMNS":
        return CUSTOMER_EXPORT.columns
    if name == "HEADERS":
        return CUSTOMER_EXPORT.headers
    raise AttributeError(name)
