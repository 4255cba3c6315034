"""Supplier screens' pieces: filter, selectors, form, export. Writes are in parties.services."""

from collections.abc import Mapping

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from parties.exports import ADDRESS_FIELDS as ADDRESS_COLUMNS
from parties.exports import DATETIME, NAME_FIELDS, PHONE_FIELD, YES_NO, Column, PartyExport
from parties.filters import ListFilterSet, StableOrderingFilter
from parties.forms import ADDRESS_FIELDS, PARTY_WIDGETS, PartyForm, opening_balance_formset
from parties.models import Supplier, SupplierGroup


class SupplierFilter(ListFilterSet):
    """The supplier list's query parameters; the export reads the same ones."""

    search_fields = ("full_name", "alias_name", "username", "code", "phone_number", "email", "tax_number")
    phone_fields = ("phone_number", "contact_phone")
    search_placeholder = _("Name, code, phone, email or tax number…")

    supplier_group = django_filters.ModelChoiceFilter(
        queryset=SupplierGroup.objects.all(), label=_("Supplier group"), empty_label=_("All groups")
    )
    o = StableOrderingFilter(
        fields=(
            ("full_name", "full_name"),
            ("code", "code"),
            ("phone_number", "phone_number"),
            ("supplier_group__name", "supplier_group"),
            ("created_on", "created_on"),
        ),
    )

    class Meta:
        model = Supplier
        fields = []


def supplier_filterset(*, filters: Mapping | None = None) -> SupplierFilter:
    """Return the supplier FilterSet bound to the list's query parameters."""
    return SupplierFilter(filters or {}, queryset=Supplier.objects.select_related("supplier_group"))


def supplier_list(*, filters: Mapping | None = None) -> QuerySet[Supplier]:
    """Return the suppliers the list shows for these query parameters, in its order."""
    return supplier_filterset(filters=filters).qs


class SupplierForm(PartyForm):
    """The Create/Edit Supplier screen, in O2VEND's order."""

    sections = (
        (_("Supplier"), ("full_name", "alias_name", "username", "code", "email", "phone_number")),
        (_("Tax and terms"), ("tax_number", "timezone", "credit_rule", "supplier_group")),
        (_("Address"), ADDRESS_FIELDS),
    )

    class Meta:
        model = Supplier
        fields = (
            "full_name",
            "alias_name",
            "username",
            "code",
            "email",
            "phone_number",
            "tax_number",
            "timezone",
            "credit_rule",
            "supplier_group",
            *ADDRESS_FIELDS,
            "is_active",
        )
        widgets = PARTY_WIDGETS


SupplierBalanceFormSet = opening_balance_formset(Supplier)

SUPPLIER_EXPORT = PartyExport(
    model=Supplier,
    fields=(
        *NAME_FIELDS,
        Column("code", 12),
        Column("email", 26),
        PHONE_FIELD,
        Column("tax_number", 18),
        Column("timezone", 16),
        Column("credit_rule", 14, lookup="credit_rule__name"),
        Column("supplier_group", 16, lookup="supplier_group__name"),
        *ADDRESS_COLUMNS,
        Column("is_active", 8, YES_NO),
        Column("created_on", 17, DATETIME),
    ),
)
