"""The parties app's masters, as screens."""

from django import forms

from parties.forms import ADDRESS_FIELDS
from parties.masters import MasterSpec
from parties.models import Affiliate, Agent, Branch, CreditRule, SupplierGroup

CREDIT_RULES = MasterSpec(
    model=CreditRule,
    slug="credit-rules",
    fields=("name", "credit_days", "description", "credit_limit", "on_exceed", "is_active"),
    list_fields=("credit_days", "credit_limit", "on_exceed"),
    search_fields=("name", "description"),
)
AGENTS = MasterSpec(
    model=Agent,
    slug="agents",
    fields=("name", "code", "phone", "email", "commission_percent", "user", "is_active"),
    list_fields=("code", "phone", "email", "commission_percent"),
    search_fields=("name", "code", "phone", "email"),
    widgets={"phone": forms.TextInput(attrs={"type": "tel"})},
)
AFFILIATES = MasterSpec(
    model=Affiliate,
    slug="affiliates",
    fields=("name", "slug", "comment", "owner_customer", "commission_percent", "is_active"),
    list_fields=("slug", "owner_customer", "commission_percent"),
    search_fields=("name", "slug", "comment"),
)
BRANCHES = MasterSpec(
    model=Branch,
    slug="branches",
    fields=("name", "code", "is_main", "gst_number", *ADDRESS_FIELDS, "is_active"),
    list_fields=("code", "is_main", "city", "gst_number"),
    search_fields=("name", "code", "city", "gst_number"),
    usage="opening_balances__customer",
    widgets={"gst_number": forms.TextInput(attrs={"data-gstin-field": ""})},
)
SUPPLIER_GROUPS = MasterSpec(
    model=SupplierGroup,
    slug="supplier-groups",
    fields=("name", "description", "is_active"),
    list_fields=("description",),
    search_fields=("name", "description"),
    usage="suppliers",
)
