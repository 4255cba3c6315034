"""Settings -> Users: automatic user codes and the user date setup."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import modelformset_factory
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from parties.forms import PartyFormMixin
from parties.models import UserCode, UserDateSetup
from parties.views import StaffRequiredMixin

UserCodeFormSet = modelformset_factory(
    UserCode, fields=("prefix", "next_number", "suffix", "padding", "enabled"), extra=0, can_delete=False
)


class UserDateSetupForm(PartyFormMixin, forms.ModelForm):
    class Meta:
        model = UserDateSetup
        fields = [f"{name}_{part}" for name in UserDateSetup.DATES for part in ("enabled", "required")]


@transaction.atomic
def user_codes_save(*, formset) -> None:
    """Save every automatic-code row, or none."""
    for form in formset.forms:
        form.instance.full_clean()
        form.instance.save()


@transaction.atomic
def user_date_setup_save(*, form) -> UserDateSetup:
    """Save which optional dates are shown and required; stored dates are never touched."""
    setup = form.instance
    setup.full_clean()
    setup.save()
    return setup


class UserCodesView(StaffRequiredMixin, TemplateView):
    template_name = "settings/user_codes.html"
    permission_required = "parties.change_usercode"

    def get_context_data(self, formset=None, **kwargs):
        return super().get_context_data(formset=formset or UserCodeFormSet(queryset=UserCode.objects.all()), **kwargs)

    def post(self, request):
        formset = UserCodeFormSet(request.POST, queryset=UserCode.objects.all())
        if formset.is_valid():
            try:
                user_codes_save(formset=formset)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Automatic user codes saved."))
                return redirect("settings:user-codes")
        return self.render_to_response(self.get_context_data(formset=formset))


class UserDatesView(StaffRequiredMixin, TemplateView):
    template_name = "settings/user_dates.html"
    permission_required = "parties.change_userdatesetup"

    def get_context_data(self, form=None, **kwargs):
        form = form or UserDateSetupForm(instance=UserDateSetup.current())
        rows = [(name, form[f"{name}_enabled"], form[f"{name}_required"]) for name in UserDateSetup.DATES]
        return super().get_context_data(form=form, rows=rows, **kwargs)

    def post(self, request):
        form = UserDateSetupForm(request.POST, instance=UserDateSetup.current())
        if form.is_valid():
            user_date_setup_save(form=form)
            messages.success(request, _("User date setup saved."))
            return redirect("settings:user-dates")
        return self.render_to_response(self.get_context_data(form=form))
