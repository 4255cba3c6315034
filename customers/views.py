from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from customers import exports, imports, selectors, services
from customers.extensions import customer_form_sections_for, customer_list_actions_for, customer_pages_for
from customers.forms import CustomerForm, CustomerImportForm, OpeningBalanceFormSet
from customers.models import Customer, ImportJob
from parties.models import Agent
from parties.views import (
    ExportView,
    PartyFormView,
    PartyListView,
    ServiceDeleteView,
    StaffRequiredMixin,
    add_form_errors,
)


class CustomerListView(PartyListView):
    permission_required = "customers.view_customer"
    title = _("Customers")
    add_label = _("Add Customer")
    empty_title = _("No customers yet")
    empty_text = _("Add your first customer to keep their details, groups and points in one place.")
    row_template = "customers/_customer_row.html"
    actions = {
        "add": ("customers:customer-create", "customers.add_customer"),
        "export": ("customers:customer-export", "customers.export_customer"),
        "import": ("customers:customer-import", "customers.import_customer"),
    }
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
        return selectors.customer_filterset(filters=self.request.GET, user=self.request.user)

    def get_context_data(self, **kwargs):
        # A field's cell links to the page that explains it (the points column to the points page).
        pages = {page.field: page.url_name for page in customer_pages_for(self.request.user) if page.field}
        query = self.request.GET.copy()
        query.pop("page", None)
        actions = [
            {"label": action.label, "url": f"{reverse(action.url_name)}?{query.urlencode()}"}
            for action in customer_list_actions_for(self.request.user)
        ]
        return super().get_context_data(field_pages=pages, list_actions=actions, **kwargs)


class CustomerObjectMixin:
    """Load the customer named in the URL, answering 404 when there is none."""

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        try:
            return selectors.customer_get(pk=self.kwargs["pk"], user=self.request.user)
        except Customer.DoesNotExist:
            raise Http404(_("No customer with this id.")) from None


class CustomerFormView(CustomerObjectMixin, PartyFormView):
    template_name = "customers/customer_form.html"
    permissions = ("customers.add_customer", "customers.change_customer")
    form_class = CustomerForm
    formset_class = OpeningBalanceFormSet
    create_service = services.customer_create
    update_service = services.customer_update
    success_url = reverse_lazy("customers:customer-list")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        user = self.request.user
        if not user.has_perm(selectors.SEE_ALL):
            # A sales agent's customers stay theirs: the only agent on offer is their own.
            agent = getattr(user, "agent", None)
            form.fields["agent"].queryset = Agent.objects.filter(pk=agent.pk) if agent else Agent.objects.none()
            form.fields["agent"].required = True
            form.fields["agent"].initial = agent
        return form

    def get_sections(self):
        """Return the form sections of the apps above customers (consent, ...), bound on POST."""
        if not hasattr(self, "_sections"):
            data = self.request.POST if self.request.method == "POST" else None
            self._sections = [
                section.form_class(data, prefix=section.key, customer=self.object, user=self.request.user)
                for section in customer_form_sections_for(self.request.user)
            ]
        return self._sections

    def post(self, request, *args, **kwargs):
        form, self.balances = self.get_form(), self.get_balances()
        # Every section is checked (not only up to the first invalid one), so each shows its errors.
        sections_valid = all([section.is_valid() for section in self.get_sections()])  # noqa: C419
        if form.is_valid() and self.balances.is_valid() and sections_valid:
            return self.form_valid(form)
        return self.form_invalid(form)

    def perform(self, form):
        with transaction.atomic():
            saved = super().perform(form)
            for section in self.get_sections():
                section.save(customer=saved, user=self.request.user)
        return saved

    def get_context_data(self, **kwargs):
        kwargs.setdefault("extra_sections", self.get_sections())
        pages = []
        if self.object:
            for page in customer_pages_for(self.request.user):
                value = getattr(self.object, page.field) if page.field else None
                pages.append(
                    {"label": page.label, "url": reverse(page.url_name, args=[self.object.pk]), "value": value}
                )
        return super().get_context_data(customer_pages=pages, **kwargs)


class CustomerDeleteView(CustomerObjectMixin, ServiceDeleteView):
    template_name = "customers/customer_confirm_delete.html"
    permission_required = "customers.delete_customer"

    def delete(self):
        services.customer_delete(customer=self.object)

    def deactivate(self):
        services.customer_deactivate(customer=self.object)

    def get_success_url(self):
        return reverse("customers:customer-list")


class CustomerExportView(ExportView):
    permission_required = "customers.export_customer"
    export = exports.CUSTOMER_EXPORT
    stem = "customers"
    title = _("Customers export")
    job_export = "customers.exports.CUSTOMER_EXPORT"
    job_source = "customers.selectors.customer_list"

    def get_queryset(self):
        return selectors.customer_list(filters=self.request.GET, user=self.request.user)


# Files up to this size are checked and applied within the request; larger ones by a background
# worker (see /jobs/), the import's page showing their progress.
INLINE_IMPORT_BYTES = 512 * 1024


class CustomerImportView(StaffRequiredMixin, FormView):
    """Step 1: upload a spreadsheet; its dry run starts at once."""

    template_name = "customers/customer_import.html"
    permission_required = "customers.import_customer"
    form_class = CustomerImportForm

    def get_context_data(self, **kwargs):
        from customers.imports import extra_headers

        return super().get_context_data(extra_headers=list(extra_headers().values()), **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            job = services.import_job_create(upload=upload, user=self.request.user)
        except ValidationError as error:
            add_form_errors(form, error)
            return self.form_invalid(form)
        if upload.size <= INLINE_IMPORT_BYTES:
            services.import_job_check(job_id=job.pk)
        else:
            services.import_job_queue(job=job, step="check", user=self.request.user)
        return redirect("customers:customer-import-job", token=job.token)


class CustomerImportJobView(StaffRequiredMixin, TemplateView):
    """Step 2: the dry run's report, its progress, and the confirmation that applies it."""

    template_name = "customers/customer_import_job.html"
    permission_required = "customers.import_customer"

    def get_object(self):
        return get_object_or_404(ImportJob, token=self.kwargs["token"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(job=self.object, **kwargs)

    def post(self, request, token):
        job = self.object
        if job.status != ImportJob.Status.CHECKED or job.report.get("errors"):
            messages.error(request, _("This import cannot be confirmed; upload the file again."))
            return redirect("customers:customer-import-job", token=job.token)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.APPLYING)
        if Path(job.stored_path).stat().st_size <= INLINE_IMPORT_BYTES:
            services.import_job_apply(job_id=job.pk, user=request.user)
        else:
            services.import_job_queue(job=job, step="apply", user=request.user)
        return redirect("customers:customer-import-job", token=job.token)


@login_required
@permission_required("customers.import_customer", raise_exception=True)
def customer_import_template(request):
    """Return an empty CSV with the import's column headers."""
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="customers-import-template.csv"'
    return response


class CustomerHistoryView(CustomerObjectMixin, StaffRequiredMixin, TemplateView):
    """Who changed what and when, field by field."""

    template_name = "customers/customer_history.html"
    permission_required = "customers.view_customer"

    def get_context_data(self, **kwargs):
        changes = selectors.customer_history(customer=self.object)
        page = Paginator(changes, 25).get_page(self.request.GET.get("page"))
        return super().get_context_data(customer=self.object, page_obj=page, **kwargs)
