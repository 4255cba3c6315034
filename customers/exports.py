"""The customer export: the list's rows, every editable field, as CSV or XLSX."""

from customers.models import Customer
from parties.exports import ADDRESS_FIELDS, NAME_FIELDS, PHONE_FIELD, PartyExport

# (field, XLSX width, what values_list reads; None for many-to-many names joined by "; ")
FIELDS = (
    *NAME_FIELDS,
    ("email", 26, "email"),
    ("birthday", 12, "birthday"),
    ("spouse_birthday", 12, "spouse_birthday"),
    ("anniversary", 12, "anniversary"),
    PHONE_FIELD,
    ("membership_number", 14, "membership_number"),
    ("tax_number", 18, "tax_number"),
    ("supply_type", 8, "supply_type"),
    ("customer_group", 16, "customer_group__name"),
    ("agent", 18, "agent__name"),
    ("timezone", 16, "timezone"),
    ("affiliate", 16, "affiliate__name"),
    ("credit_rule", 14, "credit_rule__name"),
    ("coupons", 20, None),
    ("offers", 20, None),
    *ADDRESS_FIELDS,
    ("is_active", 8, "is_active"),
    ("points_balance", 10, "points_balance"),
    ("created_on", 17, "created_on"),
)
CUSTOMER_EXPORT = PartyExport(model=Customer, fields=FIELDS)
COLUMNS = CUSTOMER_EXPORT.columns
HEADERS = CUSTOMER_EXPORT.headers
customer_rows = CUSTOMER_EXPORT.rows
