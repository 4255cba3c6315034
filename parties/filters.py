"""Pieces every list's FilterSet is built from: search, status, created-on, sort."""

import django_filters
import phonenumbers
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SEARCH_PARAM = "q"
ORDER_PARAM = "o"


class StableOrderingFilter(django_filters.OrderingFilter):
    """Sort by the chosen columns, then by -pk so that rows never move between pages."""

    def __init__(self, *args, default: tuple[str, ...] = ("-created_on",), **kwargs):
        self.default = default
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        ordering = [self.get_ordering_value(param) for param in value] if value else list(self.default)
        return qs.order_by(*ordering, "-pk")


class StatusFilter(django_filters.ChoiceFilter):
    """Active (the default), inactive or all records."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Status"))
        kwargs.setdefault("empty_label", None)
        kwargs.setdefault("choices", [("active", _("Active")), ("inactive", _("Inactive")), ("all", _("All"))])
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value == "active":
            return qs.filter(is_active=True)
        if value == "inactive":
            return qs.filter(is_active=False)
        return qs


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ListFilterSet(django_filters.FilterSet):
    """The base of every list's FilterSet.

    `search_fields` are matched by the `q` parameter (every word must appear in
    one of them); `phone_fields` also match the whole query read as a phone
    number. Missing parameters take the values in `defaults`.
    """

    search_fields: tuple[str, ...] = ()
    phone_fields: tuple[str, ...] = ()
    search_placeholder = _("Search…")
    defaults = {"status": "active"}

    q = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Search…")}),
    )
    status = StatusFilter()
    created_on = django_filters.DateFromToRangeFilter(
        label=_("Created on"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        for key, value in self.defaults.items():
            if not data.get(key):
                data[key] = value
        super().__init__(data, *args, **kwargs)
        self.form.fields[SEARCH_PARAM].widget.attrs["placeholder"] = self.search_placeholder

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # An invalid sort value is dropped from cleaned_data; keep the default order then.
        if ORDER_PARAM in self.filters and ORDER_PARAM not in self.form.cleaned_data:
            queryset = self.filters[ORDER_PARAM].filter(queryset, None)
        return queryset

    def filter_search(self, queryset, name, value):
        words = value.split()
        if not words:
            return queryset
        condition = self.words_condition(words)
        phone = _as_phone_number(value)
        if phone:
            # One id list from each side (the words' index, the phones' indexes): an OR across them would
            # have the database test every row of a large table.
            rows = queryset.model._default_manager
            by_phone = [rows.filter(**{field: phone}).values("pk") for field in self.phone_fields]
            condition = Q(pk__in=rows.filter(condition).values("pk").union(*by_phone))
        return queryset.filter(condition)

    def words_condition(self, words: list[str]) -> Q:
        """Return the condition that every word appears in one of `search_fields`.

        A list whose table is large overrides this to use its search index.
        """
        condition = Q()
        for word in words:
            condition &= Q.create([(f"{field}__icontains", word) for field in self.search_fields], connector=Q.OR)
        return condition


def _as_phone_number(text: str) -> str | None:
    """Return `text` as an E.164 number when it reads as a valid phone number."""
    if sum(ch.isdigit() for ch in text) < 7:
        return None
    try:
        number = phonenumbers.parse(text, "IN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
