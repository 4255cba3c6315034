from django.contrib import admin

from loyalty.models import ApiToken, Coupon, Offer, PointsEntry, PointsLot
from parties.admin import MasterAdmin


@admin.register(Coupon)
class CouponAdmin(MasterAdmin):
    list_display = ("name", "code", "is_active", "created_on")
    search_fields = ("name", "code")


@admin.register(Offer)
class OfferAdmin(MasterAdmin):
    pass


@admin.register(PointsEntry)
class PointsEntryAdmin(admin.ModelAdmin):
    """The ledger, read-only: entries are booked by loyalty.services and never edited."""

    list_display = (
        "created_at",
        "customer",
        "kind",
        "points",
        "balance_after",
        "reason",
        "reference",
        "bill_number",
        "branch",
        "created_by",
    )
    list_filter = ("kind", "created_at", "branch")
    search_fields = ("customer__full_name", "customer__membership_number", "reason", "reference", "bill_number")
    list_select_related = ("customer", "created_by", "branch")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by loyalty.services only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PointsLot)
class PointsLotAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "customer", "points", "remaining", "expires_on", "entry")
    list_filter = ("expires_on",)
    search_fields = ("customer__full_name", "customer__membership_number")
    list_select_related = ("customer", "entry")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are made and revoked on /loyalty/api-tokens/ (the key is shown there once)."""

    list_display = ("name", "branch", "prefix", "created_at", "created_by", "last_used_at", "revoked_at")
    list_select_related = ("branch", "created_by")
