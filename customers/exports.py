"""The customer export: the list's rows, every editable field, as CSV or XLSX."""

from customers.models import Customer
from parties.exports import NO, YES, PartyExport, stored_text

# (field, XLSX width, what values_list reads; None for many-to-many names joined by "; ")
FIELDS = (
    ("full_name", 24, "full_name"),
    ("alias_name", 14, "alias_name"),
    ("username", 20, "username"),
    ("email", 26, "email"),
    ("birthday", 12, "birthday"),
    ("spouse_birthday", 12, "spouse_birthday"),
    ("anniversary", 12, "anniversary"),
    ("phone_number", 16, stored_text("phone_number")),
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
    ("country", 12, "country"),
    ("state_or_province", 16, "state_or_province"),
    ("postal_code", 10, "postal_code"),
    ("city", 14, "city"),
    ("address_line1", 24, "address_line1"),
    ("address_line2", 24, "address_line2"),
    ("contact_name", 20, "contact_name"),
    ("contact_phone", 16, stored_text("contact_phone")),
    ("is_active", 8, "is_active"),
    ("points_balance", 10, "points_balance"),
    ("created_on", 17, "created_on"),
)
CUSTOMER_EXPORT = PartyExport(model=Customer, fields=FIELDS)
COLUMNS = CUSTOMER_EXPORT.columns
HEADERS = CUSTOMER_EXPORT.headers
customer_rows = CUSTOMER_EXPORT.rows

__all__ = ["COLUMNS", "FIELDS", "HEADERS", "NO", "YES", "customer_rows", "stored_text"]
