from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, default_timezone
from parties.forms import PartyFormMixin, timezone_choices
from parties.models import Branch, OpeningBalance, UserDateSetup

PERSONAL = (
    "full_name",
    "alias_name",
    "username",
    "email",
    "birthday",
    "spouse_birthday",
    "anniversary",
    "phone_number",
)
MEMBERSHIP = ("membership_number", "tax_number", "supply_type")
ASSIGNMENTS = ("customer_group", "agent", "timezone", "affiliate", "credit_rule", "coupons", "offers")
ADDRESS = (
    "country",
    "state_or_province",
    "postal_code",
    "city",
    "address_line1",
    "address_line2",
    "contact_name",
    "contact_phone",
)


class CustomerForm(PartyFormMixin, forms.ModelForm):
    """The Create/Edit Customer screen, in the seed's sections."""

    sections = (
        (_("Personal details"), PERSONAL),
        (_("Membership and tax"), MEMBERSHIP),
        (_("Assignments"), ASSIGNMENTS),
        (_("Address"), ADDRESS),
    )
    timezone = forms.ChoiceField(label=_("Timezone"), choices=timezone_choices, initial=default_timezone)

    class Meta:
        model = Customer
        fields = PERSONAL + MEMBERSHIP + ASSIGNMENTS + ADDRESS + ("is_active",)
        widgets = {
            "coupons": forms.SelectMultiple(attrs={"size": 4}),
            "offers": forms.SelectMultiple(attrs={"size": 4}),
            "full_name": forms.TextInput(attrs={"data-username-source": "", "autofocus": True}),
            "username": forms.TextInput(attrs={"data-username-target": ""}),
            "tax_number": forms.TextInput(attrs={"data-gstin-field": "", "autocapitalize": "characters"}),
            "phone_number": forms.TextInput(attrs={"type": "tel", "placeholder": "98765 43210"}),
            "contact_phone": forms.TextInput(attrs={"type": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_party_fields()
        if not self.instance.pk:
            del self.fields["is_active"]
        self._apply_date_setup(UserDateSetup.current())
        self.fields["credit_rule"].label_from_instance = lambda rule: f"{rule} · {rule.summary}"
        self.fields["membership_number"].help_text = _(
            "Given automatically when left blank, if automatic codes are on."
        )

    def _apply_date_setup(self, setup: UserDateSetup) -> None:
        """Hide the dates the setup turns off (stored values stay) and require the required ones."""
        for name in UserDateSetup.DATES:
            if not getattr(setup, f"{name}_enabled"):
                del self.fields[name]
            elif getattr(setup, f"{name}_required"):
                self.fields[name].required = True

    def grouped_fields(self):
        """Return (title, bound fields) for each section of the form."""
        return [(title, [self[name] for name in names if name in self.fields]) for title, names in self.sections]


class CustomerImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.csv or .xlsx)"),
        help_text=_("Use the export's column headers; the template has them. At most 20 MB and 200,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class OpeningBalanceForm(forms.ModelForm):
    class Meta:
        model = OpeningBalance
        fields = ("branch", "amount", "side")
        widgets = {"amount": forms.NumberInput(attrs={"step": "0.01", "min": "0"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = [self.instance.branch_id] if self.instance.branch_id else []
        self.fields["branch"].queryset = Branch.objects.filter(Q(is_active=True) | Q(pk__in=current))


OpeningBalanceFormSet = forms.inlineformset_factory(
    Customer, OpeningBalance, form=OpeningBalanceForm, extra=1, can_delete=True
)
