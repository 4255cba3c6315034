import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from customers.views import CustomerObjectMixin
from loyalty import selectors, services
from loyalty.forms import AdjustPointsForm, ApiTokenForm, GroupMultiplierFormSet, RewardSettingsForm, TierFormSet
from loyalty.models import ApiToken, GroupMultiplier, Tier
from parties.views import StaffRequiredMixin, add_form_errors

TABS = ("history", "redemptions", "lots", "adjust")


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
        elif tab == "lots":
            entries = selectors.open_lots(customer=self.object)
        page = (
            Paginator(entries, self.page_size).get_page(self.request.GET.get("page")) if entries is not None else None
        )
        context.update(
            customer=self.object,
            tab=tab,
            page_obj=page,
            can_adjust=self.can_adjust(),
            standing=selectors.tier_standing(customer=self.object),
            redeemable=selectors.redeemable_points(customer=self.object),
            today=timezone.localdate(),
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


class RewardSettingsView(StaffRequiredMixin, TemplateView):
    """Settings -> Reward Points: earning, redeeming, expiry, group multipliers and tiers, saved together."""

    template_name = "loyalty/reward_settings.html"
    permission_required = "loyalty.change_rewardsettings"

    def get_forms(self, data=None):
        return (
            RewardSettingsForm(data, instance=selectors.reward_settings()),
            TierFormSet(data, queryset=Tier.objects.all(), prefix="tiers"),
            GroupMultiplierFormSet(
                data, queryset=GroupMultiplier.objects.select_related("customer_group"), prefix="groups"
            ),
        )

    def get_context_data(self, forms=None, **kwargs):
        form, tiers, groups = forms or self.get_forms()
        return super().get_context_data(form=form, tiers=tiers, groups=groups, **kwargs)

    def post(self, request):
        forms = self.get_forms(request.POST)
        form, tiers, groups = forms
        if all([form.is_valid(), tiers.is_valid(), groups.is_valid()]):
            try:
                saved = services.reward_settings_save(settings=form.instance, user=request.user, forms=[tiers, groups])
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Reward points settings saved (version %(version)d); they apply to bills from now on.")
                    % {"version": saved.version},
                )
                return redirect("loyalty-settings:reward-points")
        messages.error(request, _("The settings were not saved; see the messages below."))
        return self.render_to_response(self.get_context_data(forms=forms))


NEW_TOKEN_SESSION_KEY = "loyalty_new_api_token"


class ApiTokenListView(StaffRequiredMixin, TemplateView):
    """The tills' API tokens: make one (its key is shown once), revoke one."""

    template_name = "loyalty/api_tokens.html"
    permission_required = "loyalty.add_apitoken"

    def get(self, request, *args, **kwargs):
        # The new key rides in the session from the POST to this one page, and is removed from it here.
        shown = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
        new_token = ApiToken.objects.filter(pk=shown["token"]).select_related("branch").first() if shown else None
        response = self.render_to_response(
            self.get_context_data(new_key=shown["key"] if new_token else None, new_token=new_token)
        )
        if shown:
            response["Cache-Control"] = "no-store"
        return response

    def get_context_data(self, form=None, **kwargs):
        return super().get_context_data(tokens=selectors.api_token_list(), form=form or ApiTokenForm(), **kwargs)

    def post(self, request):
        if "revoke" in request.POST:
            token = ApiToken.objects.filter(pk=request.POST.get("revoke")).first()
            if token is None:
                raise Http404
            services.api_token_revoke(token=token)
            messages.success(
                request, _("Token “%(name)s” revoked: tills using it are refused now.") % {"name": token.name}
            )
            return redirect("loyalty:api-token-list")
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                token, key = services.api_token_create(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(
                    request, _("Token “%(name)s” made. Copy it now: it is not shown again.") % {"name": token.name}
                )
                request.session[NEW_TOKEN_SESSION_KEY] = {"token": token.pk, "key": key}
                return redirect("loyalty:api-token-list")
        return self.render_to_response(self.get_context_data(form=form))


class LiabilityView(StaffRequiredMixin, TemplateView):
    """Points outstanding and their money value, by branch and by expiry month; CSV export."""

    template_name = "loyalty/liability.html"
    permission_required = "loyalty.view_rewardsettings"

    def get(self, request, *args, **kwargs):
        report = selectors.liability()
        if request.GET.get("format") == "csv":
            return self.csv(report)
        return self.render_to_response(self.get_context_data(report=report))

    def csv(self, report) -> HttpResponse:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([_("Section"), _("Branch or expiry month"), _("Points"), _("Value")])
        for row in report["by_branch"]:
            label = f"{row['code']} {row['branch']}" if row["branch"] else _("Back office (no branch)")
            writer.writerow([_("Branch"), label, row["points"], f"{row['value']:.2f}"])
        for row in report["by_month"]:
            label = row["month"].strftime("%Y-%m") if row["month"] else _("Never expire")
            writer.writerow([_("Expiry month"), label, row["points"], f"{row['value']:.2f}"])
        writer.writerow([_("Total"), "", report["points"], f"{report['value']:.2f}"])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="points-liability-{report["today"].isoformat()}.csv"'
        return response
