"""Generic screens configured per model, and the small JSON helpers forms call."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from parties import export_jobs, geo, gstin
from parties.exports import csv_response, xlsx_response
from parties.pagination import LargeTablePaginator

PAGE_PARAM = "page"
PAGE_SIZE_PARAM = "page_size"


class StaffRequiredMixin(AccessMixin):
    """Log in first; then the view's permission; only then load the object.

    Checking before loading means a visitor learns nothing about which ids exist.
    """

    permission_required = ""
    object = None

    def get_object(self):
        return None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.has_perm(self.permission_required):
            raise PermissionDenied
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)


class FilteredListView(StaffRequiredMixin, TemplateView):
    """A list screen: FilterSet -> selector -> stable sort -> paginator (one that copes with large tables).

    Configure with `get_filterset()` (usually a selector), `columns` as
    (label, sort key or None, css class) and the page sizes offered.
    """

    page_sizes = (25, 50, 100)
    columns: tuple[tuple[str, str | None, str], ...] = ()

    def get_filterset(self):
        raise NotImplementedError

    def get_page_size(self) -> int:
        try:
            size = int(self.request.GET.get(PAGE_SIZE_PARAM, self.page_sizes[0]))
        except ValueError:
            return self.page_sizes[0]
        return size if size in self.page_sizes else self.page_sizes[0]

    def get_columns(self, current: str) -> list[dict]:
        """Return the table headers with the sort value each one's link sets."""
        columns = []
        for label, key, css in self.columns:
            direction = None
            if key and current in (key, f"-{key}"):
                direction = "desc" if current.startswith("-") else "asc"
            next_value = f"-{key}" if direction == "asc" else key
            columns.append({"label": label, "key": key, "css": css, "direction": direction, "next": next_value})
        return columns

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.get_filterset()
        page_size = self.get_page_size()
        page = LargeTablePaginator(filterset.qs, page_size).get_page(self.request.GET.get(PAGE_PARAM))
        context.update(
            filterset=filterset,
            page_obj=page,
            object_list=page.object_list,
            page_size=page_size,
            page_sizes=self.page_sizes,
            columns=self.get_columns(self.request.GET.get("o", "")),
            is_filtered=any(key not in (PAGE_PARAM, PAGE_SIZE_PARAM, "o") for key in self.request.GET),
        )
        return context


class PartyListView(FilteredListView):
    """The customer and supplier lists: one template, configured by these attributes.

    `actions` maps "add", "export" and "import" to (URL name, permission); a
    button shows only to users holding its permission.
    """

    template_name = "parties/party_list.html"
    title = ""
    add_label = ""
    empty_title = ""
    empty_text = ""
    row_template = ""
    actions: dict[str, tuple[str, str]] = {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        for action, (url_name, permission) in self.actions.items():
            context[f"{action}_url"] = reverse(url_name) if user.has_perm(permission) else ""
        context.update(
            title=self.title,
            add_label=self.add_label,
            empty_title=self.empty_title,
            empty_text=self.empty_text,
            row_template=self.row_template,
        )
        return context


class ServiceFormView(StaffRequiredMixin, FormView):
    """A create or edit screen whose save is a service call.

    `perform(form)` calls the service and returns the saved object; a
    ValidationError it raises is shown on the form, with everything typed kept.
    """

    success_message = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        meta = self.get_form_class()._meta.model._meta
        return super().get_context_data(
            object=self.object,
            verbose_name=meta.verbose_name,
            verbose_name_plural=meta.verbose_name_plural,
            list_url=self.get_success_url(),
            **kwargs,
        )

    def perform(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            saved = self.perform(form)
        except ValidationError as error:
            add_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"name": saved})
        return redirect(self.get_success_url())

    def form_invalid(self, form):
        messages.error(self.request, _("Please correct the errors below; nothing was saved."))
        return super().form_invalid(form)


def add_form_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, on the fields it names."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


class ServiceDeleteView(StaffRequiredMixin, TemplateView):
    """A confirmation page on GET; the delete service runs on POST only.

    When the service refuses (the record is still in use), the page explains
    why and offers `deactivate()` instead, posted with the `deactivate` field.
    """

    def delete(self):
        raise NotImplementedError

    def deactivate(self):
        raise NotImplementedError

    def get_success_url(self) -> str:
        raise NotImplementedError

    def can_deactivate(self) -> bool:
        """Deactivating is a change: it needs the model's change permission."""
        meta = self.object._meta
        return self.request.user.has_perm(f"{meta.app_label}.change_{meta.model_name}")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            object=self.object,
            verbose_name=self.object._meta.verbose_name,
            list_url=self.get_success_url(),
            can_deactivate=self.can_deactivate(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        name = str(self.object)
        if "deactivate" in request.POST:
            if not self.can_deactivate():
                raise PermissionDenied
            self.deactivate()
            messages.success(request, _("%(name)s was deactivated; their records are kept.") % {"name": name})
            return redirect(self.get_success_url())
        try:
            self.delete()
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(refusal=" ".join(error.messages)))
        messages.success(request, _("%(name)s was deleted.") % {"name": name})
        return redirect(self.get_success_url())


class OpeningBalancesMixin:
    """The form's "Opening Balance for Branches" tab: an inline formset saved with the party."""

    formset_class = None

    def get_balances(self):
        data = self.request.POST if self.request.method == "POST" else None
        instance = self.object or self.formset_class.fk.related_model()
        return self.formset_class(data, instance=instance, prefix="balances")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("balances", getattr(self, "balances", None) or self.get_balances())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form, self.balances = self.get_form(), self.get_balances()
        if form.is_valid() and self.balances.is_valid():
            return self.form_valid(form)
        return self.form_invalid(form)

    def balance_rows(self) -> list[dict]:
        return [
            {key: data[key] for key in ("branch", "amount", "side")}
            for data in self.balances.cleaned_data
            if data and not data.get("DELETE")
        ]


class PartyFormView(OpeningBalancesMixin, ServiceFormView):
    """Create (no pk in the URL) or edit a customer or supplier, with its opening balances.

    Configure `create_service(created_by=..., opening_balances=..., **fields)`,
    `update_service(<party kind>=object, opening_balances=..., **fields)` and
    `permissions` as (add permission, change permission).
    """

    create_service = None
    update_service = None
    permissions: tuple[str, str] = ("", "")

    @property
    def permission_required(self) -> str:
        return self.permissions[1] if "pk" in self.kwargs else self.permissions[0]

    @property
    def success_message(self) -> str:
        kind = self.get_form_class()._meta.model._meta.verbose_name.capitalize()
        message = (
            _("%(kind)s “%%(name)s” was updated.") if "pk" in self.kwargs else _("%(kind)s “%%(name)s” was created.")
        )
        return message % {"kind": kind}

    def perform(self, form):
        balances = self.balance_rows()
        if self.object is None:
            return type(self).create_service(
                created_by=self.request.user, opening_balances=balances, **form.cleaned_data
            )
        party = {self.object._meta.model_name: self.object}
        return type(self).update_service(**party, opening_balances=balances, **form.cleaned_data)


class ExportView(StaffRequiredMixin, View):
    """A list's rows (same search, filters and order, all pages) as CSV or XLSX.

    Configure `export` (a PartyExport), `stem` (the file name's start) and
    `get_queryset()` (the list's own selector, for this request). With `job_source` (the
    dotted path of that selector) and `job_export` (of the export), a list longer than
    EXPORT_INLINE_MAX_ROWS is exported by a background job, and the user is sent to its page.
    """

    export = None
    stem = ""
    title = ""
    job_source = ""
    job_export = ""
    writers = {"csv": csv_response, "xlsx": xlsx_response}

    def get_queryset(self):
        raise NotImplementedError

    def get(self, request):
        file_format = request.GET.get("format", "csv")
        writer = self.writers.get(file_format)
        if writer is None:
            return HttpResponseBadRequest(_("Choose format=csv or format=xlsx."))
        queryset = self.get_queryset()
        if self.job_source:
            inline = settings.EXPORT_INLINE_MAX_ROWS
            # Counted only as far as the answer needs: no exact count of a million rows.
            limit = max(inline, export_jobs.XLSX_MAX_ROWS) if file_format == "xlsx" else inline
            rows = queryset.order_by()[: limit + 1].count()
            if file_format == "xlsx" and rows > export_jobs.XLSX_MAX_ROWS:
                return self.refuse_xlsx(rows)
            if rows > inline:
                return self.start_job(file_format)
        return writer(self.export.columns, self.export.rows(queryset), self.stem)

    def start_job(self, file_format: str):
        filters = self.request.GET.copy()
        filters.pop("format", None)
        job = export_jobs.export_job_start(
            export=self.job_export,
            source=self.job_source,
            stem=self.stem,
            title=self.title or self.stem.capitalize(),
            file_format=file_format,
            filters=filters,
            user=self.request.user,
        )
        messages.info(
            self.request,
            _("This export is long, so it is being written in the background; download it here when it is ready."),
        )
        return redirect("jobs:job-detail", pk=job.pk)

    def refuse_xlsx(self, rows: int):
        referer = self.request.headers.get("Referer", "")
        csv_query = self.request.GET.copy()
        csv_query["format"] = "csv"
        context = {
            "message": export_jobs.xlsx_too_long(rows),
            "csv_url": f"{self.request.path}?{csv_query.urlencode()}",
            "back_url": referer if url_has_allowed_host_and_scheme(referer, {self.request.get_host()}) else "/",
        }
        return TemplateResponse(self.request, "parties/export_refused.html", context)


@login_required
def state_list(request):
    """Return the states of ?country= as JSON, for the state drop-down."""
    country = request.GET.get("country", "").upper()
    states = [{"code": code, "name": name} for code, name in geo.subdivisions(country)]
    return JsonResponse({"country": country, "states": states})


@login_required
def gstin_lookup(request):
    """Return what a GSTIN tells offline (validity, state, PAN, holder type) as JSON."""
    return JsonResponse(gstin.describe(request.GET.get("number", "")))
