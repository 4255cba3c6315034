from django import forms
from django.utils.translation import gettext_lazy as _

from loyalty.services import REASON_MAX_LENGTH


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
