"""Reads of the points ledger, its lots and the reward-points program."""

import calendar
import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from customers.models import Customer
from loyalty.models import ApiToken, GroupMultiplier, LotUse, PointsEntry, PointsKind, PointsLot, RewardSettings, Tier


def points_history(*, customer: Customer, kind: str | None = None) -> QuerySet[PointsEntry]:
    """Return a customer's ledger entries, newest first (only one kind when given)."""
    entries = PointsEntry.objects.filter(customer=customer).select_related("created_by", "branch")
    if kind:
        entries = entries.filter(kind=kind)
    return entries.order_by("-created_at", "-pk")


def redemption_history(*, customer: Customer) -> QuerySet[PointsEntry]:
    """Return a customer's redemptions, newest first."""
    return points_history(customer=customer, kind=PointsKind.REDEEM)


def points_mismatches() -> list[tuple[Customer, int, int]]:
    """Return (customer, stored balance, ledger sum) for every customer whose two differ."""
    sums = dict(PointsEntry.objects.values_list("customer_id").annotate(total=Sum("points")).order_by())
    mismatches = []
    for customer in Customer.objects.only("pk", "full_name", "points_balance").iterator(chunk_size=5000):
        ledger = sums.get(customer.pk, 0)
        if ledger != customer.points_balance:
            mismatches.append((customer, customer.points_balance, ledger))
    return mismatches


def lot_mismatches() -> list[str]:
    """Return a line for every place where the lots disagree with the ledger (none when they agree).

    Checked: each customer's lots hold their balance; each lot's `remaining` is its points less what
    entries took from it; each lot holds what its entry added; each entry that took or gave back
    points through lots moved exactly its own points.
    """
    problems = []
    balances = dict(Customer.objects.filter(points_balance__gt=0).values_list("pk", "points_balance"))
    lots = dict(
        PointsLot.objects.values_list("customer_id").annotate(total=Sum("remaining")).filter(total__gt=0).order_by()
    )
    for pk in sorted(set(balances) | set(lots)):
        if balances.get(pk, 0) != lots.get(pk, 0):
            problems.append(f"customer {pk}: balance {balances.get(pk, 0)}, lots hold {lots.get(pk, 0)}")
    used = dict(LotUse.objects.values_list("lot_id").annotate(total=Sum("points")).order_by())
    rows = PointsLot.objects.values_list("pk", "points", "remaining", "entry__points").iterator(chunk_size=5000)
    for pk, points, remaining, entry_points in rows:
        if remaining != points - used.get(pk, 0):
            problems.append(f"lot {pk}: remaining {remaining}, but {points} less uses {used.get(pk, 0)}")
        if entry_points is not None and entry_points != points:
            problems.append(f"lot {pk}: holds {points}, its entry added {entry_points}")
    moved = (
        PointsEntry.objects.filter(lot_uses__isnull=False)
        .values("pk", "points")
        .annotate(total=Sum("lot_uses__points"))
        .exclude(total=-F("points"))
        .order_by("pk")
    )
    problems += [f"entry {row['pk']}: books {row['points']}, its lots moved {-row['total']}" for row in moved]
    return problems


def reward_settings() -> RewardSettings:
    """Return the program's settings (the defaults until a store manager saves them)."""
    return RewardSettings.current()


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Return the same day `months` later (or earlier when negative), the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Return local midnight at the start of `day`, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def lot_expiry(*, settings: RewardSettings, on: datetime.date) -> datetime.date | None:
    """Return when points coming in on `on` expire under these settings (None: never)."""
    return add_months(on, settings.expiry_months) if settings.expiry_months else None


def group_multiplier(*, customer: Customer) -> tuple[str | None, Decimal]:
    """Return the customer's group name and its earn multiplier (1 without a group or a multiplier)."""
    if not customer.customer_group_id:
        return None, Decimal("1")
    row = (
        GroupMultiplier.objects.filter(customer_group_id=customer.customer_group_id)
        .values_list("customer_group__name", "multiplier")
        .first()
    )
    if row is None:
        return None, Decimal("1")
    return row[0], row[1]


@dataclass(frozen=True)
class TierStanding:
    """Where a customer stands: the tier, what they earned in the window, the next tier and what it needs."""

    tier: Tier | None
    earned: int
    next_tier: Tier | None
    needed: int
    window_months: int


def tier_standing(*, customer: Customer, today: datetime.date | None = None) -> TierStanding:
    """Return the customer's tier from the points earned in the tier window up to today (reversed earns left out)."""
    settings = reward_settings()
    today = today or timezone.localdate()
    since = start_of_day(add_months(today, -settings.tier_window_months))
    earned = (
        PointsEntry.objects.filter(customer_id=customer.pk, kind=PointsKind.EARN, created_at__gte=since)
        .filter(reversal__isnull=True)
        .aggregate(total=Sum("points"))["total"]
        or 0
    )
    tiers = list(Tier.objects.order_by("min_points"))
    reached = [tier for tier in tiers if tier.min_points <= earned]
    ahead = [tier for tier in tiers if tier.min_points > earned]
    next_tier = ahead[0] if ahead else None
    return TierStanding(
        tier=reached[-1] if reached else None,
        earned=earned,
        next_tier=next_tier,
        needed=next_tier.min_points - earned if next_tier else 0,
        window_months=settings.tier_window_months,
    )


def open_lots(*, customer: Customer) -> QuerySet[PointsLot]:
    """Return the customer's lots with points left, the first to expire first."""
    return (
        PointsLot.objects.filter(customer_id=customer.pk, remaining__gt=0)
        .select_related("entry", "entry__branch")
        .order_by(F("expires_on").asc(nulls_last=True), "pk")
    )


def redeemable_points(*, customer: Customer, today: datetime.date | None = None) -> int:
    """Return the points the customer may spend today: what is left of lots not past their date."""
    today = today or timezone.localdate()
    lots = PointsLot.objects.filter(customer_id=customer.pk, remaining__gt=0)
    lots = lots.filter(Q(expires_on__isnull=True) | Q(expires_on__gt=today))
    return lots.aggregate(total=Sum("remaining"))["total"] or 0


def liability(*, today: datetime.date | None = None) -> dict[str, Any]:
    """Return the points outstanding and their money value, by branch and by expiry month.

    A lot belongs to the branch of the bill that earned it; points from the back office
    (adjustments, imports, balances from before lots) have no branch.
    """
    settings = reward_settings()
    value = settings.point_value
    today = today or timezone.localdate()
    lots = PointsLot.objects.filter(remaining__gt=0)
    by_branch = [
        {
            "branch": row["entry__branch__name"],
            "code": row["entry__branch__code"],
            "points": row["points"],
            "customers": row["customers"],
            "value": row["points"] * value,
        }
        for row in lots.values("entry__branch__name", "entry__branch__code")
        .annotate(points=Sum("remaining"), customers=Count("customer_id", distinct=True))
        .order_by(F("entry__branch__name").asc(nulls_first=True))
    ]
    by_month = [
        {
            "month": row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"],
            "points": row["points"],
            "value": row["points"] * value,
            "past": row["month"] is not None and _month_start(row["month"]) <= today.replace(day=1),
        }
        for row in lots.annotate(month=TruncMonth("expires_on"))
        .values("month")
        .annotate(points=Sum("remaining"))
        .order_by(F("month").asc(nulls_last=True))
    ]
    total = sum(row["points"] for row in by_branch)
    return {
        "by_branch": by_branch,
        "by_month": by_month,
        "points": total,
        "value": total * value,
        "point_value": value,
        "today": today,
    }


def _month_start(value: datetime.date | datetime.datetime) -> datetime.date:
    day = value.date() if isinstance(value, datetime.datetime) else value
    return day.replace(day=1)


def bill_entries(*, bill_number: str) -> QuerySet[PointsEntry]:
    """Return the earn and redeem entries booked on a bill number, at any branch."""
    return PointsEntry.objects.filter(bill_number=bill_number, kind__in=[PointsKind.EARN, PointsKind.REDEEM])


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_for_key(*, key: str) -> ApiToken | None:
    """Return the active token with this key, or None."""
    return ApiToken.objects.select_related("branch").filter(key_hash=token_hash(key), revoked_at__isnull=True).first()


def api_token_list() -> QuerySet[ApiToken]:
    """Return every token, newest first, with its branch and maker."""
    return ApiToken.objects.select_related("branch", "created_by").order_by("-created_at", "-pk")
