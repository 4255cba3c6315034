from django.contrib import admin

from loyalty.models import Coupon, Offer
from parties.admin import MasterAdmin


@admin.register(Coupon)
class CouponAdmin(MasterAdmin):
    list_display = ("name", "code", "is_active", "created_on")
    search_fields = ("name", "code")


@admin.register(Offer)
class OfferAdmin(MasterAdmin):
    pass
