from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from parties import services
from parties.models import (
    Affiliate,
    Agent,
    Branch,
    CreditRule,
    OpeningBalance,
    Supplier,
    SupplierGroup,
    UserCode,
    UserDateSetup,
)


class MasterAdmin(SimpleHistoryAdmin):
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
    list_display = ("name", "credit_days", "credit_limit", "on_exceed", "is_active", "created_on")


@admin.register(Affiliate)
class AffiliateAdmin(MasterAdmin):
    list_display = ("name", "slug", "owner_customer", "commission_percent", "is_active", "created_on")
    raw_id_fields = ("owner_customer",)


@admin.register(Branch)
class BranchAdmin(MasterAdmin):
    list_display = ("name", "code", "is_main", "city", "gst_number", "is_active", "created_on")
    search_fields = ("name", "code", "city", "gst_number")


@admin.register(OpeningBalance)
class OpeningBalanceAdmin(SimpleHistoryAdmin):
    list_display = ("customer", "branch", "amount", "side")
    list_filter = ("branch", "side")
    search_fields = ("customer__full_name", "customer__membership_number")
    list_select_related = ("customer", "branch")
    raw_id_fields = ("customer",)


@admin.register(UserCode)
class UserCodeAdmin(SimpleHistoryAdmin):
    list_display = ("kind", "prefix", "next_number", "suffix", "padding", "enabled")


@admin.register(UserDateSetup)
class UserDateSetupAdmin(admin.ModelAdmin):
    list_display = ("__str__", "birthday_enabled", "spouse_birthday_enabled", "anniversary_enabled")


@admin.register(SupplierGroup)
class SupplierGroupAdmin(MasterAdmin):
    pass


@admin.register(Supplier)
class SupplierAdmin(SimpleHistoryAdmin):
    list_display = ("full_name", "code", "phone_number", "supplier_group", "tax_number", "is_active", "created_on")
    list_filter = ("is_active", "supplier_group", "country", "created_on")
    search_fields = ("full_name", "alias_name", "username", "code", "phone_number", "email", "tax_number")
    list_select_related = ("supplier_group",)
    readonly_fields = ("created_on", "updated_on", "created_by")
    date_hierarchy = "created_on"

    def save_model(self, request, obj, form, change):
        # Writes go through the services, so admin edits obey the same rules.
        if change:
            services.supplier_update(supplier=obj, **form.cleaned_data)
        else:
            obj.pk = services.supplier_create(created_by=request.user, **form.cleaned_data).pk
