"""One set of list/create/edit/delete screens, configured per master by a MasterSpec.

Customer groups, credit rules, agents, affiliates, branches, coupons and offers
are all the same screen with different fields: the spec says which.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django import forms
from django.db.models import Count, Model
from django.forms import modelform_factory
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from parties import services
from parties.filters import ListFilterSet, StableOrderingFilter
from parties.forms import PartyFormMixin
from parties.views import FilteredListView, ServiceDeleteView, ServiceFormView

USAGE_COLUMN = "usage_count"
NUMERIC_FIELDS = ("DecimalField", "IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField")


@dataclass(frozen=True)
class MasterSpec:
    """Everything that differs between two master screens."""

    model: type[Model]
    slug: str  # URL segment and URL-name stem: "customer-groups" -> customer-group-list
    fields: tuple[str, ...]  # form fields, in order
    list_fields: tuple[str, ...]  # columns after the name, by attribute
    search_fields: tuple[str, ...] = ("name",)
    usage: str | None = "customers"  # what the "Customers" column counts
    widgets: dict = field(default_factory=dict)
    help: str = ""

    @property
    def name_stem(self) -> str:
        return self.slug[:-1] if not self.slug.endswith("ches") else self.slug[:-2]

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def verbose_name_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def permission(self) -> str:
        return f"{self.model._meta.app_label}.%s_{self.model._meta.model_name}"

    def url_name(self, namespace: str, action: str) -> str:
        return f"{namespace}:{self.name_stem}-{action}"

    @cached_property
    def filterset_class(self) -> type[ListFilterSet]:
        """The list's search, status and created-on filters, and its sortable columns."""
        sortable = [("name", "name"), *[(f, f) for f in self.list_fields], ("created_on", "created_on")]
        if self.usage:
            sortable.append((USAGE_COLUMN, USAGE_COLUMN))
        spec = self

        class MasterFilter(ListFilterSet):
            search_fields = spec.search_fields
            o = StableOrderingFilter(fields=sortable, default=("name",))

            class Meta:
                model = spec.model
                fields: list[str] = []

        return MasterFilter

    @cached_property
    def form_class(self) -> type[forms.ModelForm]:
        return modelform_factory(self.model, form=MasterForm, fields=self.fields, widgets=self.widgets)

    def queryset(self):
        rows = self.model.objects.all()
        if self.usage:
            rows = rows.annotate(**{USAGE_COLUMN: Count(self.usage, distinct=True)})
        related = [f for f in self.list_fields if self.model._meta.get_field(f).is_relation]
        return rows.select_related(*related) if related else rows


class MasterForm(PartyFormMixin, forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, form_field in self.fields.items():
            if isinstance(form_field, forms.DateTimeField):
                form_field.widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
                form_field.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
            elif isinstance(form_field.widget, forms.Textarea):
                form_field.widget.attrs.setdefault("rows", 3)
            if name == "is_active" and self.instance.pk is None:
                form_field.initial = True
        self.setup_party_fields()


def display(value) -> str:
    """Return a cell's text the way every list shows it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime | datetime.date):
        return formats.date_format(value, "DATETIME_FORMAT" if isinstance(value, datetime.datetime) else "DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return str(value)


def _value(row: Model, name: str):
    """Return a field's value as a person reads it (a choice's label, not its code)."""
    if row._meta.get_field(name).choices:
        return getattr(row, f"get_{name}_display")()
    return getattr(row, name)


class SpecMixin:
    spec: MasterSpec = None
    namespace: str = ""

    def get_context_data(self, **kwargs):
        spec = self.spec
        return super().get_context_data(
            spec=spec,
            create_url=reverse(spec.url_name(self.namespace, "create")),
            **kwargs,
        )

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(self.spec.model, pk=self.kwargs["pk"])

    def get_success_url(self):
        return reverse(self.spec.url_name(self.namespace, "list"))


class MasterListView(SpecMixin, FilteredListView):
    template_name = "masters/master_list.html"

    @property
    def permission_required(self):
        return self.spec.permission % "view"

    @property
    def columns(self):
        model = self.spec.model
        columns = [(_("Name"), "name", "")]
        for name in self.spec.list_fields:
            model_field = model._meta.get_field(name)
            numeric = model_field.get_internal_type() in NUMERIC_FIELDS
            columns.append((str(model_field.verbose_name).capitalize(), name, "text-end" if numeric else ""))
        if self.spec.usage:
            columns.append((_("Customers"), USAGE_COLUMN, "text-end"))
        columns += [
            (_("Active"), None, ""),
            (_("Created On"), "created_on", "text-nowrap"),
            (_("Actions"), None, "text-end"),
        ]
        return tuple(columns)

    def get_filterset(self):
        return self.spec.filterset_class(self.request.GET, queryset=self.spec.queryset())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        can_change, can_delete = (user.has_perm(self.spec.permission % action) for action in ("change", "delete"))
        context["rows"] = [
            {
                "object": row,
                "cells": [
                    (display(_value(row, name)), css)
                    for name, (_label, _key, css) in zip(self.spec.list_fields, self.columns[1:], strict=False)
                ],
                "usage": getattr(row, USAGE_COLUMN, None),
                "edit_url": reverse(self.spec.url_name(self.namespace, "update"), args=[row.pk]) if can_change else "",
                "delete_url": reverse(self.spec.url_name(self.namespace, "delete"), args=[row.pk])
                if can_delete
                else "",
            }
            for row in context["object_list"]
        ]
        context["can_add"] = user.has_perm(self.spec.permission % "add")
        return context


class MasterFormView(SpecMixin, ServiceFormView):
    template_name = "masters/master_form.html"

    @property
    def permission_required(self):
        return self.spec.permission % ("change" if "pk" in self.kwargs else "add")

    def get_form_class(self):
        return self.spec.form_class

    @property
    def success_message(self):
        verb = _("updated") if self.object else _("created")
        return f"{self.spec.verbose_name.capitalize()} “%(name)s” {verb}."

    def perform(self, form):
        instance = self.object or self.spec.model()
        return services.master_save(instance=instance, data=form.cleaned_data)


class MasterDeleteView(SpecMixin, ServiceDeleteView):
    template_name = "masters/master_confirm_delete.html"

    @property
    def permission_required(self):
        return self.spec.permission % "delete"

    def delete(self):
        services.master_delete(instance=self.object, usage=self.spec.usage)

    def deactivate(self):
        services.deactivate(instance=self.object)


def master_urls(spec: MasterSpec, namespace: str) -> list:
    """Return the list, add, edit and delete URLs of one master."""
    options = {"spec": spec, "namespace": namespace}
    stem = spec.name_stem
    return [
        path(f"{spec.slug}/", MasterListView.as_view(**options), name=f"{stem}-list"),
        path(f"{spec.slug}/add/", MasterFormView.as_view(**options), name=f"{stem}-create"),
        path(f"{spec.slug}/<int:pk>/edit/", MasterFormView.as_view(**options), name=f"{stem}-update"),
        path(f"{spec.slug}/<int:pk>/delete/", MasterDeleteView.as_view(**options), name=f"{stem}-delete"),
    ]
