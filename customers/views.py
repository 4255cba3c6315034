from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View

from customers import exports, selectors, services
from customers.forms import CustomerForm
from customers.models import Customer
from parties.exports import csv_response, xlsx_response
from parties.views import FilteredListView, ServiceDeleteView, ServiceFormView, StaffRequiredMixin


class CustomerListView(FilteredListView):
    template_name = "customers/customer_list.html"
    permission_required = "customers.view_customer"
    columns = (
        (_("Full Name"), "full_name", ""),
        (_("Phone Number"), "phone_number", "text-nowrap"),
        (_("Membership Number"), "membership_number", ""),
        (_("Customer Group"), "customer_group", ""),
        (_("Customer Points"), "points_balance", "text-end"),
        (_("Created On"), "created_on", "text-nowrap"),
        (_("Actions"), None, "text-end"),
    )

    def get_filterset(self):
        return selectors.customer_filterset(filters=self.request.GET)


class CustomerObjectMixin:
    """Load the customer named in the URL, answering 404 when there is none."""

    def get_object(self):
        try:
            return selectors.customer_get(pk=self.kwargs["pk"])
        except Customer.DoesNotExist:
            raise Http404(_("No customer with this id.")) from None


class CustomerCreateView(ServiceFormView):
    template_name = "customers/customer_form.html"
    permission_required = "customers.add_customer"
    form_class = CustomerForm
    success_url = reverse_lazy("customers:customer-list")
    success_message = _("Customer “%(name)s” was created.")

    def perform(self, form):
        return services.customer_create(created_by=self.request.user, **form.cleaned_data)


class CustomerUpdateView(CustomerObjectMixin, ServiceFormView):
    template_name = "customers/customer_form.html"
    permission_required = "customers.change_customer"
    form_class = CustomerForm
    success_url = reverse_lazy("customers:customer-list")
    success_message = _("Customer “%(name)s” was updated.")

    def perform(self, form):
        return services.customer_update(customer=self.object, **form.cleaned_data)


class CustomerDeleteView(CustomerObjectMixin, ServiceDeleteView):
    template_name = "customers/customer_confirm_delete.html"
    permission_required = "customers.delete_customer"

    def delete(self):
        services.customer_delete(customer=self.object)

    def deactivate(self):
        if not self.request.user.has_perm("customers.change_customer"):
            raise PermissionDenied
        services.customer_deactivate(customer=self.object)

    def get_success_url(self):
        return reverse("customers:customer-list")


class CustomerExportView(StaffRequiredMixin, View):
    """The list's rows (same search, filters and order, all pages) as CSV or XLSX."""

    permission_required = "customers.export_customer"
    writers = {"csv": csv_response, "xlsx": xlsx_response}

    def get(self, request):
        writer = self.writers.get(request.GET.get("format", "csv"))
        if writer is None:
            return HttpResponseBadRequest(_("Choose format=csv or format=xlsx."))
        rows = exports.customer_rows(selectors.customer_list(filters=request.GET))
        return writer(exports.COLUMNS, rows, "customers")
