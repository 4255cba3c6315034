"""Coupons, offers and the points ledger."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parties.models import MasterRecord


class Coupon(MasterRecord):
    code = models.CharField(_("code"), max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta(MasterRecord.Meta):
        verbose_name = _("coupon")


class Offer(MasterRecord):
    description = models.TextField(_("description"), blank=True)

    class Meta(MasterRecord.Meta):
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
