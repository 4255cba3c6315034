from django.contrib import admin

from parties.models import Affiliate, Agent, CreditRule


class MasterAdmin(admin.ModelAdmin):
    """The superuser's fallback for a master list."""

    list_display = ("name", "is_active", "created_on")
    list_filter = ("is_active", "created_on")
    search_fields = ("name",)


@admin.register(Agent)
class AgentAdmin(MasterAdmin):
    list_display = ("name", "code", "phone", "email", "is_active", "created_on")
    search_fields = ("name", "code", "phone", "email")


@admin.register(CreditRule)
class CreditRuleAdmin(MasterAdmin):
    list_display = ("name", "credit_days", "is_active", "created_on")


@admin.register(Affiliate)
class AffiliateAdmin(MasterAdmin):
    pass
