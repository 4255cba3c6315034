from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from parties.forms import (
    ADDRESS_FIELDS,
    PARTY_WIDGETS,
    BoundedModelMultipleChoiceField,
    PartyForm,
    opening_balance_formset,
)
from parties.models import UserDateSetup

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


class CustomerForm(PartyForm):
    """The Create/Edit Customer screen, in the seed's sections."""

    sections = (
        (_("Personal details"), PERSONAL),
        (_("Membership and tax"), MEMBERSHIP),
        (_("Assignments"), ASSIGNMENTS),
        (_("Address"), ADDRESS_FIELDS),
    )

    class Meta:
        model = Customer
        fields = PERSONAL + MEMBERSHIP + ASSIGNMENTS + ADDRESS_FIELDS + ("is_active",)
        field_classes = {"coupons": BoundedModelMultipleChoiceField, "offers": BoundedModelMultipleChoiceField}
        widgets = {
            **PARTY_WIDGETS,
            "coupons": forms.SelectMultiple(attrs={"size": 4}),
            "offers": forms.SelectMultiple(attrs={"size": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._apply_date_setup(UserDateSetup.current())
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


class CustomerImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.csv or .xlsx)"),
        help_text=_(
            "Use the export's column headers; the template has them. At most 20 MB (about 90,000 customers); "
            "larger files: python manage.py import_customers FILE."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


OpeningBalanceFormSet = opening_balance_formset(Customer)
