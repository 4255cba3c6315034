"""The customer export: the list's rows, every editable field, as CSV or XLSX."""

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
CUSTOMER_EXPORT = PartyExport(model=Customer, fields=FIELDS)
COLUMNS = CUSTOMER_EXPORT.columns
HEADERS = CUSTOMER_EXPORT.headers
customer_rows = CUSTOMER_EXPORT.rows
