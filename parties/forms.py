"""Form pieces that every party form (customer, supplier, branch) shares."""

import datetime
from functools import lru_cache

import pytz
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parties import geo
from parties.filters import DateInput
from parties.models import Branch, OpeningBalance, default_timezone


@lru_cache(maxsize=1)
def timezone_choices() -> tuple[tuple[str, str], ...]:
    """Return the common timezones labelled "(UTC+05:30) Asia/Kolkata", by offset."""
    now = datetime.datetime(2026, 1, 15)  # a fixed winter date keeps labels stable all year
    choices = []
    for name in pytz.common_timezones:
        offset = pytz.timezone(name).utcoffset(now)
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        label = f"(UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}) {name.replace('_', ' ')}"
        choices.append((minutes, label, name))
    return tuple((name, label) for minutes, label, name in sorted(choices))


class StateSelect(forms.Select):
    """A state drop-down that also selects the right row for a typed name ("Texas")."""

    def __init__(self, country: str, attrs=None):
        choices = [("", _("Select a state"))] + list(geo.subdivisions(country))
        super().__init__(attrs, choices)
        self.country = country

    def format_value(self, value):
        return [geo.state_code(self.country, item) or item for item in super().format_value(value)]


# The largest id a database stores (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A many-to-many choice that refuses ids no database can hold, instead of failing in the query."""

    def _check_values(self, value):
        for choice in value:
            text = str(choice)
            try:
                number = int(text)
            except ValueError:
                continue  # not a number at all: the usual check refuses it
            if not -MAX_ID - 1 <= number <= MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text[:20]}
                )
        return super()._check_values(value)


class PartyFormMixin:
    """Behaviour shared by the party forms.

    - The state field is a drop-down of the chosen country's states, or free text
      where the country has none (static/js/app.js swaps it when the country changes).
    - Look-up fields offer active (and unexpired) rows only, plus whatever the record already has.
    - Dates use the browser's date picker.
    """

    state_field = "state_or_province"
    country_field = "country"

    def setup_party_fields(self):
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
            elif type(field) is forms.ModelChoiceField and not field.required:
                field.empty_label = _("— none —")
        self._limit_to_active()
        self._setup_state_field()

    def _current_country(self) -> str:
        if self.is_bound:
            return str(self.data.get(self.add_prefix(self.country_field), "") or "")
        value = self.initial.get(self.country_field) or getattr(self.instance, self.country_field, "")
        return str(getattr(value, "code", value) or "")

    def _setup_state_field(self):
        field = self.fields.get(self.state_field)
        if field is None:
            return
        country = self._current_country()
        attrs = {"data-state-field": "", "data-states-url": "/parties/states/"}
        if geo.has_subdivisions(country):
            field.widget = StateSelect(country, attrs=attrs)
        else:
            field.widget = forms.TextInput(attrs=attrs)

    def _limit_to_active(self):
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            model = field.queryset.model
            if not hasattr(model, "is_active"):
                continue
            current = self._current_ids(name)
            offered = model.assignable() if hasattr(model, "assignable") else Q(is_active=True)
            field.queryset = model.objects.filter(offered | Q(pk__in=current))

    def _current_ids(self, name: str) -> list:
        instance = getattr(self, "instance", None)
        if instance is None or instance.pk is None:
            return []
        if isinstance(self.fields[name], forms.ModelMultipleChoiceField):
            return list(getattr(instance, name).values_list("pk", flat=True))
        value = getattr(instance, f"{name}_id", None)
        return [value] if value else []


class OpeningBalanceForm(forms.ModelForm):
    class Meta:
        model = OpeningBalance
        fields = ("branch", "amount", "side")
        widgets = {"amount": forms.NumberInput(attrs={"step": "0.01", "min": "0"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = [self.instance.branch_id] if self.instance.branch_id else []
        self.fields["branch"].queryset = Branch.objects.filter(Q(is_active=True) | Q(pk__in=current))


def opening_balance_formset(party_model):
    """Return the "Opening Balance for Branches" formset class for customers or suppliers."""
    return forms.inlineformset_factory(
        party_model,
        OpeningBalance,
        form=OpeningBalanceForm,
        fk_name=party_model._meta.model_name,
        extra=1,
        can_delete=True,
    )


# Widgets every party form uses for the fields they share.
PARTY_WIDGETS = {
    "full_name": forms.TextInput(attrs={"data-username-source": "", "autofocus": True}),
    "username": forms.TextInput(attrs={"data-username-target": ""}),
    "tax_number": forms.TextInput(attrs={"data-gstin-field": "", "autocapitalize": "characters"}),
    "phone_number": forms.TextInput(attrs={"type": "tel", "placeholder": "98765 43210"}),
    "contact_phone": forms.TextInput(attrs={"type": "tel"}),
}
ADDRESS_FIELDS = (
    "country",
    "state_or_province",
    "postal_code",
    "city",
    "address_line1",
    "address_line2",
    "contact_name",
    "contact_phone",
)


class PartyForm(PartyFormMixin, forms.ModelForm):
    """The base of the customer and supplier forms: fields in titled sections."""

    sections: tuple = ()
    timezone = forms.ChoiceField(label=_("Timezone"), choices=timezone_choices, initial=default_timezone)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_party_fields()
        if not self.instance.pk:
            del self.fields["is_active"]
        if "credit_rule" in self.fields:
            self.fields["credit_rule"].label_from_instance = lambda rule: f"{rule} · {rule.summary}"

    def grouped_fields(self):
        """Return (title, bound fields) for each section of the form."""
        return [(title, [self[name] for name in names if name in self.fields]) for title, names in self.sections]
