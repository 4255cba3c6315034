"""Customers and the groups they belong to."""

import datetime
import uuid
from decimal import Decimal

import pytz
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from parties.models import PERCENT_VALIDATORS, MasterRecord, PartyAddress


class CustomerGroup(MasterRecord):
    """A segment of customers (retail, wholesale, staff...)."""

    description = models.TextField(_("description"), blank=True)
    default_discount_percent = models.DecimalField(
        _("default discount %"), max_digits=5, decimal_places=2, default=0, validators=PERCENT_VALIDATORS
    )

    class Meta(MasterRecord.Meta):
        verbose_name = _("customer group")


class SupplyType(models.TextChoices):
    B2B = "B2B", _("B2B")
    B2C = "B2C", _("B2C")


def default_timezone() -> str:
    return settings.TIME_ZONE


class Customer(PartyAddress):
    full_name = models.CharField(_("full name"), max_length=150)
    alias_name = models.CharField(_("alias name"), max_length=150, blank=True)
    username = models.CharField(
        _("user name"), max_length=150, blank=True, help_text=_("Filled from the full name when left blank.")
    )
    email = models.EmailField(_("email"), blank=True)
    birthday = models.DateField(_("birthday date"), null=True, blank=True)
    spouse_birthday = models.DateField(_("spouse birthday date"), null=True, blank=True)
    anniversary = models.DateField(_("anniversary date"), null=True, blank=True)
    phone_number = PhoneNumberField(_("phone number"), blank=True, db_index=True)
    membership_number = models.CharField(_("membership number"), max_length=50, null=True, blank=True)
    tax_number = models.CharField(
        _("tax number"), max_length=20, blank=True, help_text=_("GSTIN for Indian customers.")
    )
    agent = models.ForeignKey(
        "parties.Agent",
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
    )
    timezone = models.CharField(_("timezone"), max_length=64, default=default_timezone)
    affiliate = models.ForeignKey(
        "parties.Affiliate",
        verbose_name=_("affiliate"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
    )
    credit_rule = models.ForeignKey(
        "parties.CreditRule",
        verbose_name=_("credit rule"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
    )
    coupons = models.ManyToManyField("loyalty.Coupon", verbose_name=_("coupons"), blank=True, related_name="customers")
    offers = models.ManyToManyField(
        "loyalty.Offer", verbose_name=_("offers and discounts"), blank=True, related_name="customers"
    )
    supply_type = models.CharField(_("supply type"), max_length=3, choices=SupplyType.choices, default=SupplyType.B2C)
    customer_group = models.ForeignKey(
        CustomerGroup,
        verbose_name=_("customer group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
    )
    points_balance = models.IntegerField(_("customer points"), default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_on = models.DateTimeField(_("created on"), default=dj_timezone.now, editable=False)
    updated_on = models.DateTimeField(_("updated on"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("customer")
        permissions = [
            ("export_customer", _("Can export customers")),
            ("import_customer", _("Can import customers")),
        ]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="customer_username_ci_unique"),
            models.UniqueConstraint(Lower("membership_number"), name="customer_membership_ci_unique"),
            models.CheckConstraint(condition=Q(points_balance__gte=0), name="customer_points_not_negative"),
        ]
        indexes = [
            # The list's default order (newest first) and its created-on filter.
            models.Index(fields=["created_on"], name="customer_created_on_idx"),
            # Sorting by a column always ends with -id, so the indexes carry it too.
            models.Index(fields=["full_name", "-id"], name="customer_full_name_idx"),
            models.Index(fields=["points_balance", "-id"], name="customer_points_idx"),
        ]

    def __str__(self):
        return self.full_name

    def clean(self):
        errors = self.clean_values()
        errors.update(self._clashes())
        if errors:
            raise ValidationError(errors)

    def clean_values(self) -> dict[str, str]:
        """Normalise this row's values and return the errors found, without looking at other rows."""
        errors = self.clean_address()
        self.full_name = " ".join((self.full_name or "").split())
        self.alias_name = (self.alias_name or "").strip()
        self.username = (self.username or "").strip()
        self.membership_number = (self.membership_number or "").strip() or None
        if self.timezone not in pytz.all_timezones_set:
            errors["timezone"] = _("Choose a timezone from the list.")
        today = dj_timezone.localdate()
        for field in ("birthday", "spouse_birthday", "anniversary"):
            value = getattr(self, field)
            if isinstance(value, datetime.date) and value > today:
                errors[field] = _("This date cannot be in the future.")
        errors.update(self.clean_gstin("tax_number"))
        if self.supply_type == SupplyType.B2B and not self.tax_number:
            errors.setdefault("tax_number", _("B2B supply needs the customer's GSTIN (tax number)."))
        return errors

    @property
    def net_opening_balance(self) -> Decimal:
        """Return receivable minus payable opening balances over all branches."""
        return sum((balance.signed_amount for balance in self.opening_balances.all()), Decimal(0))

    def _clashes(self) -> dict[str, str]:
        """Return an error for each unique field whose value another customer already has."""
        errors = {}
        others = Customer.objects.exclude(pk=self.pk) if self.pk else Customer.objects.all()
        checks = {
            "username": _("The user name “%(value)s” is already used by %(name)s."),
            "membership_number": _("The membership number “%(value)s” is already used by %(name)s."),
        }
        for field, message in checks.items():
            value = getattr(self, field)
            if not value:
                continue
            clash = others.filter(**{f"{field}__lower": value.lower()}).only("full_name").first()
            if clash:
                errors[field] = message % {"value": value, "name": clash.full_name}
        return errors


class ImportJob(models.Model):
    """One customer import: the uploaded file, its dry-run report and its progress."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked")
        APPLYING = "applying", _("Importing")
        APPLIED = "applied", _("Imported")
        FAILED = "failed", _("Failed")

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file_name = models.CharField(_("file"), max_length=255)
    stored_path = models.CharField(max_length=500, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CHECKING)
    rows_done = models.PositiveIntegerField(_("rows checked"), default=0)
    report = models.JSONField(default=dict, blank=True)
    fingerprint = models.CharField(max_length=100, blank=True)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now, editable=False)

    class Meta:
        verbose_name = _("customer import")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.file_name

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.APPLYING)
