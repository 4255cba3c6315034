"""The only place points balances change: each change is one ledger entry.

The customer row is locked (select_for_update on PostgreSQL; on SQLite the
IMMEDIATE transaction mode takes the write lock at BEGIN), the new balance is
checked, the entry written and the balance moved with an F() update, all in
one transaction. A refusal raises ValidationError and writes nothing.

Points come in as lots (PointsLot) that expire together; an entry that takes
points away records which lots it used (LotUse), the first to expire first.
"""

import datetime
import secrets
from collections.abc import Callable, Iterable
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from loyalty import selectors
from loyalty.models import (
    ApiRequest,
    ApiToken,
    LotUse,
    PointsEntry,
    PointsKind,
    PointsLot,
    RewardSettings,
    Rounding,
)
from parties.models import Branch
from parties.types import Actor, author

REASON_MAX_LENGTH = 255
BILL_NUMBER_MAX_LENGTH = 50
MAX_BILL_AMOUNT = Decimal("999999999999.99")
ROUNDINGS: dict[str, str] = {Rounding.DOWN: ROUND_FLOOR, Rounding.NEAREST: ROUND_HALF_UP, Rounding.UP: ROUND_CEILING}

# How the points an entry takes away are found among the customer's lots.
ANY_LOT, UNEXPIRED_LOTS = "any", "unexpired"


def _require_int(points: Any, *, positive: bool) -> int:
    if isinstance(points, bool) or not isinstance(points, int):
        raise ValidationError({"points": _("Enter a whole number of points.")})
    if points == 0:
        raise ValidationError({"points": _("Enter a number of points other than 0.")})
    if positive and points < 0:
        raise ValidationError({"points": _("Enter a positive number of points.")})
    return points


def _require_amount(amount: Any, *, field: str) -> Decimal:
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter an amount, e.g. 1250.00.")}) from None
    if not value.is_finite() or value <= 0:
        raise ValidationError({field: _("Enter an amount more than 0.")})
    if value > MAX_BILL_AMOUNT or value != value.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Enter an amount with at most two decimals, below 1,000,000,000,000.")})
    return value


def _require_bill_number(bill_number: Any) -> str:
    text = str(bill_number or "").strip()
    if not text:
        raise ValidationError({"bill_number": _("Enter the bill number.")})
    if len(text) > BILL_NUMBER_MAX_LENGTH:
        raise ValidationError(
            {"bill_number": _("Keep the bill number to %(max)d characters.") % {"max": BILL_NUMBER_MAX_LENGTH}}
        )
    return text


def _take_from_lots(
    *, entry: PointsEntry, points: int, today: datetime.date, lots: str, first_lot: int | None = None
) -> None:
    """Record which lots `points` came from: `first_lot` first, then the first to expire first."""
    candidates = PointsLot.objects.filter(customer_id=entry.customer_id, remaining__gt=0)
    if lots == UNEXPIRED_LOTS:
        candidates = candidates.filter(Q(expires_on__isnull=True) | Q(expires_on__gt=today))
    ordered = list(candidates.order_by(F("expires_on").asc(nulls_last=True), "pk").only("pk", "remaining"))
    if first_lot is not None:
        ordered.sort(key=lambda lot: lot.pk != first_lot)
    uses, left = [], points
    for lot in ordered:
        if not left:
            break
        taken = min(lot.remaining, left)
        uses.append(LotUse(entry=entry, lot_id=lot.pk, points=taken))
        left -= taken
    if left:
        # The balance check passed, so the lots must hold the points: they disagree with the ledger.
        raise RuntimeError(f"Customer {entry.customer_id}'s lots hold {points - left} of {points} points.")
    _move(uses=uses)


def _move(*, uses: list[LotUse]) -> None:
    LotUse.objects.bulk_create(uses)
    for use in uses:
        PointsLot.objects.filter(pk=use.lot_id).update(remaining=F("remaining") - use.points)


def _book(
    *,
    customer: Customer,
    points: int,
    kind: str,
    user: Actor,
    reason: str = "",
    reference: str = "",
    reverses: PointsEntry | None = None,
    branch: Branch | None = None,
    bill_number: str = "",
    bill_amount: Decimal | None = None,
    rule: dict[str, Any] | None = None,
    expires_on: datetime.date | None | str = "settings",
    lots: str = ANY_LOT,
    first_lot: int | None = None,
    check: Callable[[Customer, datetime.date], None] | None = None,
) -> PointsEntry:
    """Book one entry and move its points through the lots.

    Points coming in make a lot expiring on `expires_on` ("settings": by the program's expiry),
    except a reversal of an entry that took points away, which gives them back to the lots it took
    them from. Points going out are taken from `lots`. `check(locked customer, today)` may refuse
    once the row is locked.
    """
    today = timezone.localdate()
    with transaction.atomic():
        locked = Customer.objects.select_for_update().only("pk", "full_name", "points_balance").get(pk=customer.pk)
        if check is not None:
            check(locked, today)
        balance = locked.points_balance + points
        if balance < 0:
            raise ValidationError(
                {
                    "points": _("Cannot take away %(requested)s points: %(name)s has only %(balance)s points.")
                    % {"requested": f"{-points:,}", "name": locked.full_name, "balance": f"{locked.points_balance:,}"}
                }
            )
        entry = PointsEntry.objects.create(
            customer_id=locked.pk,
            points=points,
            kind=kind,
            reason=reason,
            reference=reference,
            balance_after=balance,
            reverses=reverses,
            created_by=author(user),
            branch=branch,
            bill_number=bill_number,
            bill_amount=bill_amount,
            rule=rule or {},
        )
        given_back = list(reverses.lot_uses.all()) if points > 0 and reverses is not None else []
        if given_back:
            _move(uses=[LotUse(entry=entry, lot_id=use.lot_id, points=-use.points) for use in given_back])
        elif points > 0:
            if reverses is not None:
                expires_on = None  # gives back an entry from before lots began: its points had no expiry
            if expires_on == "settings":
                expires_on = selectors.lot_expiry(settings=selectors.reward_settings(), on=today)
            assert not isinstance(expires_on, str)
            PointsLot.objects.create(
                customer_id=locked.pk, entry=entry, points=points, remaining=points, expires_on=expires_on
            )
        else:
            _take_from_lots(entry=entry, points=-points, today=today, lots=lots, first_lot=first_lot)
        Customer.objects.filter(pk=locked.pk).update(points_balance=F("points_balance") + points)
    customer.points_balance = balance
    return entry


def adjust_points(*, customer: Customer, points: int, reason: str, user: Actor) -> PointsEntry:
    """Add (positive) or take away (negative) points by hand, with a reason."""
    points = _require_int(points, positive=False)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the points are adjusted; the customer will see this reason.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("Keep the reason to %(max)d characters.") % {"max": REASON_MAX_LENGTH}})
    return _book(customer=customer, points=points, kind=PointsKind.ADJUST, reason=reason, user=user)


def redeem_points(*, customer: Customer, points: int, reference: str, user: Actor) -> PointsEntry:
    """Spend points (e.g. as a discount on an invoice); never more than the balance."""
    points = _require_int(points, positive=True)
    return _book(customer=customer, points=-points, kind=PointsKind.REDEEM, reference=reference or "", user=user)


def earn_points(*, customer: Customer, points: int, reference: str, user: Actor) -> PointsEntry:
    """Credit points earned on a purchase."""
    points = _require_int(points, positive=True)
    return _book(customer=customer, points=points, kind=PointsKind.EARN, reference=reference or "", user=user)


def opening_points(
    *, customer: Customer, points: int, expires_on: datetime.date | None, user: Actor, reason: str = ""
) -> PointsEntry:
    """Book the balance a customer brings from an old system, as one lot expiring on `expires_on`."""
    points = _require_int(points, positive=True)
    return _book(
        customer=customer,
        points=points,
        kind=PointsKind.OPENING,
        reason=reason or _("Opening points"),
        expires_on=expires_on,
        user=user,
    )


def _reverse(*, entry: PointsEntry, user: Actor, reason: str) -> PointsEntry:
    """Book the opposite of `entry`; the caller holds the customer's lock and has checked it is not reversed."""
    return _book(
        customer=entry.customer,
        points=-entry.points,
        kind=PointsKind.REVERSE,
        reason=reason[:REASON_MAX_LENGTH],
        reference=entry.reference,
        reverses=entry,
        branch=entry.branch,
        bill_number=entry.bill_number,
        bill_amount=entry.bill_amount,
        rule={"reverses": entry.pk},
        # What an entry added is taken back from its own lot first.
        first_lot=getattr(getattr(entry, "lot", None), "pk", None) if entry.points > 0 else None,
        user=user,
    )


def reverse_entry(*, entry: PointsEntry, user: Actor, reason: str) -> PointsEntry:
    """Book the exact opposite of an earlier entry (e.g. a returned sale), once only."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the entry is reversed.")})
    if entry.kind == PointsKind.REVERSE:
        raise ValidationError(_("A reversal cannot itself be reversed; book an adjustment instead."))
    with transaction.atomic():
        # Lock the customer first so two reversals of one entry cannot both pass the check.
        Customer.objects.select_for_update().only("pk").get(pk=entry.customer_id)
        if PointsEntry.objects.filter(reverses=entry).exists():
            raise ValidationError(_("This entry has already been reversed."))
        return _reverse(entry=entry, user=user, reason=reason)


# The reward-points program: what a bill earns and what may pay for it.


def _quantize_points(value: Decimal, rounding: str) -> int:
    return int(value.quantize(Decimal("1"), rounding=ROUNDINGS.get(rounding, ROUND_FLOOR)))


def _earn_quote(*, customer: Customer, amount: Decimal) -> tuple[int, dict[str, Any]]:
    """Return what a bill of `amount` earns the customer now, and the rule that gives it."""
    settings = selectors.reward_settings()
    group, group_multiplier = selectors.group_multiplier(customer=customer)
    standing = selectors.tier_standing(customer=customer)
    tier_multiplier = standing.tier.multiplier if standing.tier else Decimal("1")
    rule = {
        "version": settings.version,
        "earn_per_amount": str(settings.earn_per_amount),
        "earn_points": settings.earn_points,
        "min_bill_amount": str(settings.min_bill_amount),
        "rounding": settings.rounding,
        "group": group,
        "group_multiplier": str(group_multiplier),
        "tier": standing.tier.name if standing.tier else None,
        "tier_multiplier": str(tier_multiplier),
        "expiry_months": settings.expiry_months,
    }
    if amount < settings.min_bill_amount:
        return 0, rule
    raw = amount / settings.earn_per_amount * settings.earn_points * group_multiplier * tier_multiplier
    return max(0, _quantize_points(raw, settings.rounding)), rule


def points_for_bill(*, customer: Customer, amount: Decimal) -> int:
    """Return the points a bill of `amount` would earn the customer now (nothing is written)."""
    amount = _require_amount(amount, field="amount")
    return _earn_quote(customer=customer, amount=amount)[0]


def max_points_for_bill(*, bill_amount: Decimal, settings: RewardSettings | None = None) -> int:
    """Return the most points that may pay for a bill of `bill_amount` (the maximum share of the bill)."""
    settings = settings or selectors.reward_settings()
    payable = bill_amount * settings.max_redeem_percent / Decimal(100)
    return int((payable / settings.point_value).quantize(Decimal("1"), rounding=ROUND_FLOOR))


def _bill_entry(*, branch: Branch | None, kind: str, bill_number: str, customer: Customer) -> PointsEntry | None:
    """Return the entry already booked for this bill (a retry), refusing one booked for another customer."""
    found = PointsEntry.objects.filter(branch=branch, kind=kind, bill_number=bill_number).order_by("pk").first()
    if found is not None and found.customer_id != customer.pk:
        raise ValidationError(
            {"bill_number": _("Bill %(bill)s was already booked for another customer.") % {"bill": bill_number}}
        )
    return found


def _once_per_bill(
    *, branch: Branch | None, kind: str, bill_number: str, customer: Customer, book: Callable[[], PointsEntry]
) -> PointsEntry:
    """Book a bill's entry once: a retry (the same bill, kind and branch) gets the first entry back."""
    try:
        with transaction.atomic():
            Customer.objects.select_for_update().only("pk").get(pk=customer.pk)
            found = _bill_entry(branch=branch, kind=kind, bill_number=bill_number, customer=customer)
            if found is not None:
                found.retried = True  # type: ignore[attr-defined]
                return found
            return book()
    except IntegrityError:
        # Booked at the same moment for another customer (the customer lock serialises only one customer).
        found = _bill_entry(branch=branch, kind=kind, bill_number=bill_number, customer=customer)
        if found is None:
            raise
        found.retried = True  # type: ignore[attr-defined]
        return found


def earn_for_bill(
    *, customer: Customer, bill_number: str, amount: Decimal, branch: Branch | None, user: Actor
) -> PointsEntry:
    """Credit what a bill earns under the program now; the same bill sent again returns the first entry."""
    bill_number = _require_bill_number(bill_number)
    amount = _require_amount(amount, field="amount")

    def book() -> PointsEntry:
        points, rule = _earn_quote(customer=customer, amount=amount)
        if points <= 0:
            settings = selectors.reward_settings()
            if amount < settings.min_bill_amount:
                message = _("Bills under %(minimum)s earn no points.") % {"minimum": f"{settings.min_bill_amount:,}"}
            else:
                message = _("This bill is too small to earn a whole point.")
            raise ValidationError({"amount": message})
        return _book(
            customer=customer,
            points=points,
            kind=PointsKind.EARN,
            reference=bill_number,
            branch=branch,
            bill_number=bill_number,
            bill_amount=amount,
            rule=rule,
            user=user,
        )

    return _once_per_bill(branch=branch, kind=PointsKind.EARN, bill_number=bill_number, customer=customer, book=book)


def redeem_for_bill(
    *,
    customer: Customer,
    bill_number: str,
    points: int,
    bill_amount: Decimal,
    branch: Branch | None,
    user: Actor,
) -> PointsEntry:
    """Spend points on a bill, oldest-expiring lots first; the same bill sent again returns the first entry.

    Refused below the minimum balance to redeem, above the points not past their date, and above
    the maximum share of the bill that points may pay.
    """
    bill_number = _require_bill_number(bill_number)
    points = _require_int(points, positive=True)
    bill_amount = _require_amount(bill_amount, field="bill_amount")
    settings = selectors.reward_settings()
    rule = {
        "version": settings.version,
        "point_value": str(settings.point_value),
        "max_redeem_percent": str(settings.max_redeem_percent),
        "min_balance_to_redeem": settings.min_balance_to_redeem,
        "value": str((points * settings.point_value).quantize(Decimal("0.01"))),
    }

    def check(locked: Customer, today: datetime.date) -> None:
        if locked.points_balance < settings.min_balance_to_redeem:
            raise ValidationError(
                {
                    "points": _("Points can be redeemed from a balance of %(minimum)s; %(name)s has %(balance)s.")
                    % {
                        "minimum": f"{settings.min_balance_to_redeem:,}",
                        "name": locked.full_name,
                        "balance": f"{locked.points_balance:,}",
                    }
                }
            )
        if points > locked.points_balance:
            return  # refused by _book, naming the balance
        available = selectors.redeemable_points(customer=locked, today=today)
        if points > available:
            raise ValidationError(
                {
                    "points": _(
                        "Only %(available)s of %(name)s's %(balance)s points can be spent: the rest are expired."
                    )
                    % {
                        "available": f"{available:,}",
                        "name": locked.full_name,
                        "balance": f"{locked.points_balance:,}",
                    }
                }
            )
        most = max_points_for_bill(bill_amount=bill_amount, settings=settings)
        if points > most:
            raise ValidationError(
                {
                    "points": _("At most %(most)s points can pay for this bill (%(share)s%% of %(amount)s).")
                    % {"most": f"{most:,}", "share": f"{settings.max_redeem_percent:g}", "amount": f"{bill_amount:,}"}
                }
            )

    def book() -> PointsEntry:
        return _book(
            customer=customer,
            points=-points,
            kind=PointsKind.REDEEM,
            reference=bill_number,
            branch=branch,
            bill_number=bill_number,
            bill_amount=bill_amount,
            rule=rule,
            lots=UNEXPIRED_LOTS,
            check=check,
            user=user,
        )

    return _once_per_bill(branch=branch, kind=PointsKind.REDEEM, bill_number=bill_number, customer=customer, book=book)


def reverse_bill(*, bill_number: str, user: Actor, reason: str, branch: Branch | None = None) -> list[PointsEntry]:
    """Take back what a returned bill earned and give back what it spent; sent again, return the same reversals.

    With `branch`, only that branch's bill; without it, the bill number must belong to one branch.
    """
    bill_number = _require_bill_number(bill_number)
    reason = (reason or "").strip() or _("Bill %(bill)s returned") % {"bill": bill_number}
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("Keep the reason to %(max)d characters.") % {"max": REASON_MAX_LENGTH}})
    entries = selectors.bill_entries(bill_number=bill_number).select_related("customer", "lot")
    if branch is not None:
        entries = entries.filter(branch=branch)
    found = list(entries.order_by("pk"))
    if not found:
        raise ValidationError({"bill_number": _("No points were booked on bill %(bill)s.") % {"bill": bill_number}})
    if len({entry.branch_id for entry in found}) > 1:
        raise ValidationError(
            {"bill_number": _("Bill %(bill)s was booked at several branches; say which one.") % {"bill": bill_number}}
        )
    reversals = []
    with transaction.atomic():
        for customer_id in sorted({entry.customer_id for entry in found}):
            Customer.objects.select_for_update().only("pk").get(pk=customer_id)
        # What the bill spent goes back first, so that what it earned can be taken back from it too.
        for entry in sorted(found, key=lambda entry: (entry.kind != PointsKind.REDEEM, entry.pk)):
            done = PointsEntry.objects.filter(reverses=entry).first()
            if done is not None:
                done.retried = True  # type: ignore[attr-defined]
                reversals.append(done)
                continue
            reversals.append(_reverse(entry=entry, user=user, reason=reason))
    return reversals


# Expiry


def points_expire_customers(*, customer_ids: list[int], day: datetime.date) -> list[PointsEntry]:
    """Book one EXPIRE entry per customer for what is left of their lots past their date on `day`.

    Redeemed points are no longer in their lots, so they are never expired; a second run for
    the same day finds nothing left and books nothing. The customers are locked and booked in
    one transaction; each entry is still written (and signalled) on its own.
    """
    if not customer_ids:
        return []
    with transaction.atomic():
        balances = dict(
            Customer.objects.select_for_update()
            .filter(pk__in=customer_ids)
            .order_by("pk")
            .values_list("pk", "points_balance")
        )
        lots: dict[int, list[PointsLot]] = {}
        due = PointsLot.objects.filter(customer_id__in=customer_ids, remaining__gt=0, expires_on__lte=day)
        for lot in due.order_by("customer_id", "expires_on", "pk").only("pk", "customer_id", "remaining", "expires_on"):
            lots.setdefault(lot.customer_id, []).append(lot)
        entries, uses = [], []
        for customer_id, mine in lots.items():
            total = sum(lot.remaining for lot in mine)
            first, last = mine[0].expires_on, mine[-1].expires_on
            entry = PointsEntry.objects.create(
                customer_id=customer_id,
                points=-total,
                kind=PointsKind.EXPIRE,
                reason=_("Points past their expiry date (%(first)s to %(last)s)")
                % {"first": first.isoformat() if first else "", "last": last.isoformat() if last else ""},
                reference=f"expiry {day.isoformat()}",
                balance_after=balances[customer_id] - total,
                rule={"day": day.isoformat(), "lots": [lot.pk for lot in mine]},
            )
            entries.append(entry)
            uses += [LotUse(entry=entry, lot_id=lot.pk, points=lot.remaining) for lot in mine]
        if not entries:
            return []
        LotUse.objects.bulk_create(uses, batch_size=1000)
        PointsLot.objects.filter(pk__in=[use.lot_id for use in uses]).update(remaining=0)
        Customer.objects.filter(pk__in=[entry.customer_id for entry in entries]).update(
            points_balance=Case(
                *[When(pk=entry.customer_id, then=Value(entry.balance_after)) for entry in entries],
                output_field=IntegerField(),
            )
        )
    return entries


def points_expire_run(
    *, day: datetime.date, progress: Callable[[int, int], None] | None = None, chunk: int = 200
) -> dict[str, Any]:
    """Expire every customer's lots past their date on `day`; return how many customers and points.

    One transaction per `chunk` customers, so a run stopped half-way keeps what it booked and a
    run again does the rest.
    """
    due = PointsLot.objects.filter(remaining__gt=0, expires_on__lte=day)
    total = due.values("customer_id").distinct().count()
    customers = points = done = 0
    last = 0
    while True:
        ids = list(
            due.filter(customer_id__gt=last)
            .values_list("customer_id", flat=True)
            .distinct()
            .order_by("customer_id")[:chunk]
        )
        if not ids:
            break
        for entry in points_expire_customers(customer_ids=ids, day=day):
            customers += 1
            points -= entry.points
        done += len(ids)
        last = ids[-1]
        if progress is not None:
            progress(done, total)
    return {"day": day.isoformat(), "customers": customers, "points": points}


# Settings and API tokens


@transaction.atomic
def reward_settings_save(
    *,
    settings: RewardSettings,
    user: Actor,
    forms: Iterable[Any] = (),
) -> RewardSettings:
    """Save the program's settings (and its tier and group-multiplier rows): all or nothing.

    The version goes up, so entries booked from now on record the rules they were computed with.
    """
    locked = RewardSettings.objects.select_for_update().filter(pk=settings.pk).first()
    settings.version = (locked.version if locked else settings.version) + 1
    settings.updated_at = timezone.now()
    settings.updated_by = author(user)
    settings.full_clean()
    settings.save()
    for formset in forms:
        for form in formset.deleted_forms:
            if form.instance.pk:
                form.instance.delete()
        for instance in formset.save(commit=False):
            instance.full_clean()
            instance.save()
    return settings


def api_token_create(*, name: str, branch: Branch, user: Actor) -> tuple[ApiToken, str]:
    """Make a token for a till of `branch`; return it and its key (shown once: only its hash is stored)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the till or terminal that will use the token.")})
    if not branch.is_active:
        raise ValidationError({"branch": _("This branch is inactive.")})
    key = secrets.token_urlsafe(32)
    token = ApiToken(name=name[:100], branch=branch, key_hash=selectors.token_hash(key), prefix=key[:8])
    token.created_by = author(user)
    token.full_clean()
    token.save()
    return token, key


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Stop a token from working, for good."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=token.revoked_at)
    return token


def api_token_used(*, token: ApiToken) -> None:
    """Note when a token was last used (at most once a minute, to keep requests cheap)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def api_request_once(
    *, token: ApiToken, key: str, path: str, answer: Callable[[], tuple[int, Any]]
) -> tuple[int, Any, bool]:
    """Answer a request once per (token, Idempotency-Key): return (status, body, whether it was answered now).

    The answer and its record are written in one transaction; a refusal (ValidationError) records
    nothing, so a corrected request may use the same key. A key used before on another path is refused.
    """
    stored = ApiRequest.objects.filter(token=token, key=key).first()
    if stored is None:
        try:
            with transaction.atomic():
                status, body = answer()
                ApiRequest.objects.create(token=token, key=key, path=path[:200], status=status, body=body)
            return status, body, True
        except IntegrityError:
            stored = ApiRequest.objects.filter(token=token, key=key).first()
            if stored is None:
                raise
    if stored.path != path[:200]:
        raise ValidationError({"Idempotency-Key": _("This key was used for another kind of request; send a new key.")})
    return stored.status, stored.body, False
