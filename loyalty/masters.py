from loyalty.models import Coupon, Offer
from parties.masters import MasterSpec

COUPONS = MasterSpec(
    model=Coupon,
    slug="coupons",
    fields=(
        "name",
        "code",
        "description",
        "discount_type",
        "value",
        "max_discount_amount",
        "min_cart_amount",
        "usage_limit_total",
        "usage_limit_per_customer",
        "valid_from",
        "valid_to",
        "affiliate",
        "priority",
        "is_active",
    ),
    list_fields=("code", "discount_type", "value", "valid_from", "valid_to"),
    search_fields=("name", "code", "description"),
)
OFFERS = MasterSpec(
    model=Offer,
    slug="offers",
    fields=("name", "description", "discount_type", "value", "valid_from", "valid_to", "is_active"),
    list_fields=("discount_type", "value", "valid_from", "valid_to"),
    search_fields=("name", "description"),
)
