from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from customers import services
from customers.models import Customer, CustomerGroup
from parties.admin import MasterAdmin


@admin.register(CustomerGroup)
class CustomerGroupAdmin(MasterAdmin):
    pass


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = (
        "full_name",
        "username",
        "phone_number",
        "membership_number",
        "customer_group",
        "supply_type",
        "points_balance",
        "is_active",
        "created_on",
    )
    list_filter = ("is_active", "supply_type", "customer_group", "agent", "country", "created_on")
    search_fields = ("full_name", "alias_name", "username", "phone_number", "email", "membership_number", "tax_number")
    list_select_related = ("customer_group",)
    raw_id_fields = ("agent", "affiliate", "credit_rule", "customer_group")
    readonly_fields = ("points_balance", "created_on", "updated_on", "created_by")
    date_hierarchy = "created_on"

    def save_model(self, request, obj, form, change):
        # Writes go through the services, so admin edits obey the same rules.
        data = dict(form.cleaned_data)
        if change:
            services.customer_update(customer=obj, **data)
        else:
            obj.pk = services.customer_create(created_by=request.user, **data).pk

    def save_related(self, request, form, formsets, change):
        # The service has already saved coupons and offers.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
