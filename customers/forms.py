from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, default_timezone
from parties.forms import PartyFormMixin, timezone_choices

PERSONAL = ("full_name", "alias_name", "username", "email", "birthday", "spouse_birthday", "phone_number")
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

    def grouped_fields(self):
        """Return (title, bound fields) for each section of the form."""
        return [(title, [self[name] for name in names if name in self.fields]) for title, names in self.sections]


class CustomerImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.csv or .xlsx)"),
        help_text=_("Use the export's column headers; the template has them. At most 20 MB and 200,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
