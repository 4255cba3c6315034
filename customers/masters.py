from customers.models import CustomerGroup
from parties.masters import MasterSpec

CUSTOMER_GROUPS = MasterSpec(
    model=CustomerGroup,
    slug="customer-groups",
    fields=("name", "description", "default_discount_percent", "is_active"),
    list_fields=("description", "default_discount_percent"),
    search_fields=("name", "description"),
)
