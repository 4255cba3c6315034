from django.http import Http404
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from parties import services, suppliers
from parties.models import Supplier
from parties.views import ExportView, PartyFormView, PartyListView, ServiceDeleteView

LIST_URL = reverse_lazy("parties:supplier-list")


class SupplierListView(PartyListView):
    permission_required = "parties.view_supplier"
    title = _("Suppliers")
    add_label = _("Add Supplier")
    empty_title = _("No suppliers yet")
    empty_text = _("Add the suppliers you buy from, with their GSTIN, terms and address.")
    row_template = "parties/_supplier_row.html"
    actions = {
        "add": ("parties:supplier-create", "parties.add_supplier"),
        "export": ("parties:supplier-export", "parties.view_supplier"),
    }
    columns = (
        (_("Full Name"), "full_name", ""),
        (_("Code"), "code", ""),
        (_("Phone Number"), "phone_number", "text-nowrap"),
        (_("Supplier Group"), "supplier_group", ""),
        (_("Created On"), "created_on", "text-nowrap"),
        (_("Actions"), None, "text-end"),
    )

    def get_filterset(self):
        return suppliers.supplier_filterset(filters=self.request.GET)


class SupplierObjectMixin:
    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        try:
            return Supplier.objects.select_related("supplier_group", "credit_rule").get(pk=self.kwargs["pk"])
        except Supplier.DoesNotExist:
            raise Http404(_("No supplier with this id.")) from None


class SupplierFormView(SupplierObjectMixin, PartyFormView):
    template_name = "parties/supplier_form.html"
    permissions = ("parties.add_supplier", "parties.change_supplier")
    form_class = suppliers.SupplierForm
    formset_class = suppliers.SupplierBalanceFormSet
    create_service = services.supplier_create
    update_service = services.supplier_update
    success_url = LIST_URL


class SupplierDeleteView(SupplierObjectMixin, ServiceDeleteView):
    template_name = "parties/supplier_confirm_delete.html"
    permission_required = "parties.delete_supplier"

    def delete(self):
        services.supplier_delete(supplier=self.object)

    def deactivate(self):
        services.deactivate(instance=self.object)

    def get_success_url(self):
        return reverse("parties:supplier-list")


class SupplierExportView(ExportView):
    permission_required = "parties.view_supplier"
    export = suppliers.SUPPLIER_EXPORT
    stem = "suppliers"

    def get_queryset(self):
        return suppliers.supplier_list(filters=self.request.GET)
