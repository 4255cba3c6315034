"""Coupons, offers and the points ledger."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
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
    OPENING = "opening", _("Opening points")


# The kinds a bill books; a bill number is unique per branch and kind among them.
BILL_KINDS = (PointsKind.EARN, PointsKind.REDEEM)


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
    branch = models.ForeignKey(
        "parties.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bill_number = models.CharField(_("bill number"), max_length=50, blank=True)
    bill_amount = models.DecimalField(_("bill amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    # The figures the points were computed with (rates, multipliers, tier, settings version).
    rule = models.JSONField(_("rule"), default=dict, blank=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        default_permissions = ("view",)
        permissions = [("adjust_points", _("Can adjust customer points"))]
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="points_customer_created_idx"),
            # A till's retry looks its bill up (a whole index: SQLite uses a partial one for its exact condition only).
            models.Index(fields=["bill_number", "branch", "kind"], name="points_entry_bill_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="points_entry_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="points_entry_balance_not_negative"),
            models.CheckConstraint(condition=~Q(kind="adjust") | ~Q(reason=""), name="points_entry_adjust_has_reason"),
            # A till that retries a bill gets the first entry back: one earn and one redeem per bill and branch.
            models.UniqueConstraint(
                fields=["branch", "kind", "bill_number"],
                condition=Q(kind__in=["earn", "redeem"]) & ~Q(bill_number=""),
                name="points_entry_bill_unique",
            ),
        ]

    def __str__(self):
        return f"{self.points:+d} ({self.get_kind_display()})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Points entries cannot be changed; book a reversing entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Points entries cannot be deleted; book a reversing entry instead.")


class PointsLot(models.Model):
    """Points that came in together and expire together; `remaining` is what is left of them.

    A lot is made by every entry that adds points (earn, opening, a positive adjustment);
    entries that take points away record which lots they used (LotUse), oldest expiry
    first. The ledger stays the truth: verify_points checks the lots against it.
    """

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="points_lots"
    )
    # None for the balance a customer had when lots began (migration 0003).
    entry = models.OneToOneField(
        PointsEntry, verbose_name=_("entry"), on_delete=models.PROTECT, null=True, blank=True, related_name="lot"
    )
    points = models.PositiveIntegerField(_("points"))
    remaining = models.PositiveIntegerField(_("remaining"))
    # The first day the points are no longer valid; None: they never expire.
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("points lot")
        default_permissions = ("view",)
        ordering = [F("expires_on").asc(nulls_last=True), "pk"]
        indexes = [
            models.Index(fields=["customer", "expires_on"], name="points_lot_customer_idx"),
            # The expiry run looks for lots past their date with points left.
            models.Index(fields=["expires_on"], condition=Q(remaining__gt=0), name="points_lot_open_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(remaining__lte=F("points")), name="points_lot_remaining_le_points"),
        ]

    def __str__(self):
        return f"{self.remaining}/{self.points} until {self.expires_on or '-'}"


class LotUse(models.Model):
    """Points an entry took from a lot (positive), or gave back to it (negative: a reversed redemption)."""

    entry = models.ForeignKey(PointsEntry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="lot_uses")
    lot = models.ForeignKey(PointsLot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="uses")
    points = models.IntegerField(_("points"))

    class Meta:
        verbose_name = _("lot use")
        default_permissions = ()
        constraints = [models.CheckConstraint(condition=~Q(points=0), name="lot_use_not_zero")]

    def __str__(self):
        return f"{self.points} of lot {self.lot_id}"


class Rounding(models.TextChoices):
    DOWN = "down", _("Down (whole points only)")
    NEAREST = "nearest", _("To the nearest point")
    UP = "up", _("Up")


PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class RewardSettings(models.Model):
    """The reward-points program (one row). A save raises `version`; entries record the rules they used."""

    earn_per_amount = models.DecimalField(
        _("bill amount per earn step"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("100.00"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("E.g. 100.00: every 100.00 of a bill earns the points below."),
    )
    earn_points = models.PositiveIntegerField(
        _("points per earn step"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    min_bill_amount = models.DecimalField(
        _("minimum bill to earn"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    rounding = models.CharField(_("rounding"), max_length=8, choices=Rounding.choices, default=Rounding.DOWN)
    point_value = models.DecimalField(
        _("value of one point"),
        max_digits=10,
        decimal_places=4,
        default=Decimal("0.2500"),
        validators=[MinValueValidator(Decimal("0.0001"))],
        help_text=_("Money a point is worth when redeemed."),
    )
    min_balance_to_redeem = models.PositiveIntegerField(_("minimum balance to redeem"), default=0)
    max_redeem_percent = models.DecimalField(
        _("maximum share of a bill paid with points (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("100.00"),
        validators=PERCENT,
    )
    expiry_months = models.PositiveSmallIntegerField(
        _("points expire after (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("Leave empty: points never expire."),
    )
    tier_window_months = models.PositiveSmallIntegerField(
        _("tier window (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Tiers count the points earned in this many months up to today."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reward points settings")
        verbose_name_plural = _("reward points settings")
        default_permissions = ("view", "change")

    def __str__(self):
        return str(_("Reward points settings"))

    @classmethod
    def current(cls) -> "RewardSettings":
        """Return the settings row; until a store manager saves one, the defaults (not saved)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


MULTIPLIER = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class GroupMultiplier(models.Model):
    """Customers of a group earn this many times the points."""

    customer_group = models.OneToOneField(
        "customers.CustomerGroup",
        verbose_name=_("customer group"),
        on_delete=models.CASCADE,
        related_name="points_multiplier",
    )
    multiplier = models.DecimalField(
        _("earn multiplier"), max_digits=6, decimal_places=2, default=Decimal("1.00"), validators=MULTIPLIER
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("group multiplier")
        ordering = ["customer_group__name", "pk"]

    def __str__(self):
        return f"{self.customer_group} ×{self.multiplier}"


class Tier(models.Model):
    """A tier: customers who earned at least `min_points` within the tier window earn `multiplier` times."""

    name = models.CharField(_("name"), max_length=50)
    min_points = models.PositiveIntegerField(_("points earned to qualify"))
    multiplier = models.DecimalField(
        _("earn multiplier"), max_digits=6, decimal_places=2, default=Decimal("1.00"), validators=MULTIPLIER
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tier")
        ordering = ["min_points", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="tier_name_ci_unique"),
            models.UniqueConstraint(fields=["min_points"], name="tier_min_points_unique"),
        ]

    def __str__(self):
        return self.name


class ApiToken(models.Model):
    """A key a till (or the web store) of one branch uses for the points API; only its hash is kept."""

    name = models.CharField(_("terminal"), max_length=100)
    branch = models.ForeignKey("parties.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=8, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("made"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        ordering = ["-created_at", "-pk"]
        default_permissions = ("view", "add", "change")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiRequest(models.Model):
    """The answer to a request sent with an Idempotency-Key, kept so that a retry gets the same answer."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    path = models.CharField(max_length=200)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="api_request_key_unique")]

    def __str__(self):
        return f"{self.key} → {self.status}"
