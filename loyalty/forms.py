from django import forms
from django.utils.translation import gettext_lazy as _

from loyalty.models import GroupMultiplier, RewardSettings, Tier
from loyalty.services import REASON_MAX_LENGTH
from parties.models import Branch


class AdjustPointsForm(forms.Form):
    points = forms.IntegerField(
        label=_("Points"),
        min_value=-10_000_000,
        max_value=10_000_000,
        help_text=_("A negative number takes points away."),
        widget=forms.NumberInput(attrs={"step": 1, "inputmode": "numeric"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        help_text=_("Shown in the customer's points history."),
        widget=forms.TextInput(),
    )

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points == 0:
            raise forms.ValidationError(_("Enter a number of points other than 0."))
        return points


class RewardSettingsForm(forms.ModelForm):
    class Meta:
        model = RewardSettings
        fields = [
            "earn_per_amount",
            "earn_points",
            "min_bill_amount",
            "rounding",
            "point_value",
            "min_balance_to_redeem",
            "max_redeem_percent",
            "expiry_months",
            "tier_window_months",
        ]
        help_texts = {"earn_per_amount": _("E.g. 100.00: every 100.00 of a bill earns the points per earn step.")}


TierFormSet = forms.modelformset_factory(
    Tier, fields=("name", "min_points", "multiplier"), extra=2, can_delete=True, validate_max=False
)
GroupMultiplierFormSet = forms.modelformset_factory(
    GroupMultiplier, fields=("customer_group", "multiplier"), extra=2, can_delete=True
)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Till or terminal"), max_length=100, help_text=_("E.g. “Anna Nagar till 2” or “Web store”.")
    )
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.filter(is_active=True))
