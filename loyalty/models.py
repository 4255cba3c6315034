"""Coupons, offers and (later) the points ledger."""

from django.db import models
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
