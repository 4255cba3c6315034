import django_filters
from django.utils.translation import gettext_lazy as _

from customers import search
from customers.models import Customer, CustomerGroup, SupplyType
from parties.filters import ListFilterSet, StableOrderingFilter
from parties.models import Agent


class CustomerFilter(ListFilterSet):
    """The customer list's query parameters; the export reads the same ones."""

    search_fields = search.FIELDS
    phone_fields = ("phone_number", "contact_phone")
    search_placeholder = _("Name, phone, email, membership or tax number…")

    customer_group = django_filters.ModelChoiceFilter(
        queryset=CustomerGroup.objects.all(), label=_("Customer group"), empty_label=_("All groups")
    )
    agent = django_filters.ModelChoiceFilter(
        queryset=Agent.objects.all(), label=_("Agent"), empty_label=_("All agents")
    )
    supply_type = django_filters.ChoiceFilter(choices=SupplyType.choices, label=_("Supply type"), empty_label=_("All"))
    points_min = django_filters.NumberFilter(field_name="points_balance", lookup_expr="gte", label=_("Points from"))
    points_max = django_filters.NumberFilter(field_name="points_balance", lookup_expr="lte", label=_("Points to"))
    o = StableOrderingFilter(
        fields=(
            ("full_name", "full_name"),
            ("phone_number", "phone_number"),
            ("membership_number", "membership_number"),
            ("customer_group__name", "customer_group"),
            ("points_balance", "points_balance"),
            ("created_on", "created_on"),
        ),
    )

    class Meta:
        model = Customer
        fields = []

    def words_condition(self, words: list[str]):
        return search.words_condition(words, fields=self.search_fields)
