"""The customer export: the list's rows, every editable field, as CSV or XLSX.

Apps above customers add columns through customers.extensions (add_customer_column); their
headers follow the fields'. COLUMNS and HEADERS are read when asked for, so they include them.
"""

import itertools
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
    YES_NO,
    Column,
    PartyExport,
    neutralise,
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

    def rows(self, queryset) -> Iterator[list]:
        extensions = customer_columns()
        if not extensions:
            yield from super().rows(queryset)
            return
        # The row's pk comes last, to ask each extension for its cells a chunk at a time.
        with_pk = PartyExport(model=self.model, fields=(*self.fields, Column("pk", 0, NUMBER)))
        rows = with_pk.rows(queryset)
        while chunk := list(itertools.islice(rows, 2000)):
            pks = [row[-1] for row in chunk]
            cells = [extension.export(pks) for extension in extensions]
            for row in chunk:
                pk = row.pop()
                yield row + [neutralise(values.get(pk, "")) for values in cells]


CUSTOMER_EXPORT = CustomerExport(model=Customer, fields=FIELDS)
customer_rows = CUSTOMER_EXPORT.rows


def __getattr__(name: str):
    if name == "COLUMNS":
        return CUSTOMER_EXPORT.columns
    if name == "HEADERS":
        return CUSTOMER_EXPORT.headers
    raise AttributeError(name)
