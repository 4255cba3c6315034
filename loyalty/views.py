from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from customers.views import CustomerObjectMixin
from loyalty import selectors, services
from loyalty.forms import AdjustPointsForm
from parties.views import StaffRequiredMixin, add_form_errors

TABS = ("history", "redemptions", "adjust")


class CustomerPointsView(CustomerObjectMixin, StaffRequiredMixin, TemplateView):
    """Points History, Redemption History and Adjust Points for one customer."""

    template_name = "loyalty/customer_points.html"
    permission_required = "loyalty.view_pointsentry"
    page_size = 25

    def get_tab(self) -> str:
        tab = self.request.GET.get("tab", "history")
        if tab == "adjust" and not self.can_adjust():
            return "history"
        return tab if tab in TABS else "history"

    def can_adjust(self) -> bool:
        return self.request.user.has_perm("loyalty.adjust_points")

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        tab = "adjust" if form is not None else self.get_tab()
        entries = None
        if tab == "history":
            entries = selectors.points_history(customer=self.object)
        elif tab == "redemptions":
            entries = selectors.redemption_history(customer=self.object)
        page = (
            Paginator(entries, self.page_size).get_page(self.request.GET.get("page")) if entries is not None else None
        )
        context.update(
            customer=self.object,
            tab=tab,
            page_obj=page,
            can_adjust=self.can_adjust(),
            form=form or AdjustPointsForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not self.can_adjust():
            raise PermissionDenied
        form = AdjustPointsForm(request.POST)
        if form.is_valid():
            try:
                entry = services.adjust_points(customer=self.object, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(points)+d points booked for %(name)s. New balance: %(balance)s.")
                    % {"points": entry.points, "name": self.object.full_name, "balance": f"{entry.balance_after:,}"},
                )
                return redirect(reverse("customers:customer-points", args=[self.object.pk]))
        messages.error(request, _("The points were not adjusted; see the message below."))
        return self.render_to_response(self.get_context_data(form=form))
