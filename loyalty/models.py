"""Coupons, offers and the points ledger."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from parties.models import MasterRecord, optional_fk


class DiscountType(models.TextChoices):
    PERCENT = "percent", _("Percent")
    AMOUNT = "amount", _("Fixed amount")


class Promotion(MasterRecord):
    """What coupons and offers share: a discount and the dates it is valid."""

    description = models.TextField(_("description"), blank=True)
    discount_type = models.CharField(
        _("discount type"), max_length=7, choices=DiscountType.choices, default=DiscountType.PERCENT
    )
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, default=Decimal("1"))
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)

    class Meta(MasterRecord.Meta):
        abstract = True

    def clean(self):
        errors = {}
        if self.value is not None and self.value <= 0:
            errors["value"] = _("The value must be more than 0.")
        elif self.value is not None and self.discount_type == DiscountType.PERCENT and self.value > 100:
            errors["value"] = _("A percent discount cannot be more than 100.")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The end cannot be before the start.")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def assignable(cls) -> Q:
        """Return the condition for rows that may be given to customers now: active and not expired."""
        return Q(is_active=True) & (Q(valid_to__isnull=True) | Q(valid_to__gte=timezone.now()))


class Coupon(Promotion):
    code = models.CharField(_("code"), max_length=30)
    max_discount_amount = models.DecimalField(
        _("maximum discount"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    min_cart_amount = models.DecimalField(
        _("minimum cart amount"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    usage_limit_total = models.PositiveIntegerField(
        _("usage limit"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    usage_limit_per_customer = models.PositiveIntegerField(
        _("usage limit per customer"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    affiliate = optional_fk("parties.Affiliate", _("affiliate"), related_name="coupons")
    priority = models.IntegerField(_("priority"), default=0)

    history = HistoricalRecords()

    class Meta(Promotion.Meta):
        verbose_name = _("coupon")
        constraints = [
            *Promotion.Meta.constraints,
            models.UniqueConstraint(
                Lower("code"),
                name="coupon_code_ci_unique",
                violation_error_message=_("Another coupon already has this code."),
            ),
        ]

    def clean(self):
        self.code = (self.code or "").strip().upper()
        super().clean()


class Offer(Promotion):
    history = HistoricalRecords()

    class Meta(Promotion.Meta):
        verbose_name = _("offer")


class PointsKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    ADJUST = "adjust", _("Adjusted")
    EXPIRE = "expire", _("Expired")
    REVERSE = "reverse", _("Reversed")


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a ledger entry."""


class PointsEntry(models.Model):
    """One line of a customer's points ledger; the balance is the sum of `points`.

    Entries are written once by loyalty.services and never changed or deleted.
    """

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="points_entries"
    )
    points = models.IntegerField(_("points"))
    kind = models.CharField(_("kind"), max_length=10, choices=PointsKind.choices)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    balance_after = models.IntegerField(_("balance after"))
    reverses = models.OneToOneField(
        "self", verbose_name=_("reverses"), on_delete=models.PROTECT, null=True, blank=True, related_name="reversal"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        default_permissions = ("view",)
        permissions = [("adjust_points", _("Can adjust customer points"))]
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="points_customer_created_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="points_entry_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="points_entry_balance_not_negative"),
            models.CheckConstraint(condition=~Q(kind="adjust") | ~Q(reason=""), name="points_entry_adjust_has_reason"),
        ]

    def __str__(self):
        return f"{self.points:+d} ({self.get_kind_display()})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Points entries cannot be changed; book a reversing entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Points entries cannot be deleted; book a reversing entry instead.")
