from django.contrib import admin

from loyalty.models import Coupon, Offer, PointsEntry
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

    list_display = ("created_at", "customer", "kind", "points", "balance_after", "reason", "reference", "created_by")
    list_filter = ("kind", "created_at")
    search_fields = ("customer__full_name", "customer__membership_number", "reason", "reference")
    list_select_related = ("customer", "created_by")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
