"""Customers and the groups they belong to."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from parties.models import PERCENT_VALIDATORS, MasterRecord, Party, optional_fk


class CustomerGroup(MasterRecord):
    """A segment of customers (retail, wholesale, staff...)."""

    description = models.TextField(_("description"), blank=True)
    default_discount_percent = models.DecimalField(
        _("default discount %"), max_digits=5, decimal_places=2, default=0, validators=PERCENT_VALIDATORS
    )

    history = HistoricalRecords()

    class Meta(MasterRecord.Meta):
        verbose_name = _("customer group")


class SupplyType(models.TextChoices):
    B2B = "B2B", _("B2B")
    B2C = "B2C", _("B2C")


class Customer(Party):
    birthday = models.DateField(_("birthday date"), null=True, blank=True)
    spouse_birthday = models.DateField(_("spouse birthday date"), null=True, blank=True)
    anniversary = models.DateField(_("anniversary date"), null=True, blank=True)
    membership_number = models.CharField(_("membership number"), max_length=50, null=True, blank=True)
    agent = optional_fk("parties.Agent", _("agent"), related_name="customers")
    affiliate = optional_fk("parties.Affiliate", _("affiliate"), related_name="customers")
    coupons = models.ManyToManyField("loyalty.Coupon", verbose_name=_("coupons"), blank=True, related_name="customers")
    offers = models.ManyToManyField(
        "loyalty.Offer", verbose_name=_("offers and discounts"), blank=True, related_name="customers"
    )
    supply_type = models.CharField(_("supply type"), max_length=3, choices=SupplyType.choices, default=SupplyType.B2C)
    customer_group = optional_fk(CustomerGroup, _("customer group"), related_name="customers")
    points_balance = models.IntegerField(_("customer points"), default=0, editable=False)

    unique_fields = ("username", "membership_number")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer")
        permissions = [
            ("export_customer", _("Can export customers")),
            ("import_customer", _("Can import customers")),
            ("view_all_customers", _("Can see every customer, not only their own agent's")),
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
            # The list shows active customers unless asked otherwise: these hold only them, with the ids, so a
            # page deep in the default order or by name is read from the index alone at any table size.
            models.Index(fields=["created_on", "id"], condition=Q(is_active=True), name="customer_active_created_idx"),
            models.Index(fields=["full_name", "-id"], condition=Q(is_active=True), name="customer_active_name_idx"),
            # The search box also matches a whole phone number typed in any format against both phones.
            models.Index(fields=["contact_phone"], name="customer_contact_phone_idx"),
        ]

    def clean_values(self) -> dict[str, str]:
        errors = super().clean_values()
        self.membership_number = (self.membership_number or "").strip() or None
        today = dj_timezone.localdate()
        for field in ("birthday", "spouse_birthday", "anniversary"):
            value = getattr(self, field)
            if isinstance(value, datetime.date) and value > today:
                errors[field] = _("This date cannot be in the future.")
        if self.supply_type == SupplyType.B2B and not self.tax_number:
            errors.setdefault("tax_number", _("B2B supply needs the customer's GSTIN (tax number)."))
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
